#include "doc/limits.h"

#include <gtest/gtest.h>

#include "doc/bson_codec.h"
#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "doc/test_values.h"

namespace plinth::doc {
namespace {

using base::ErrorCode;

Value NestedDocuments(std::size_t levels) {
  Value v = std::int32_t{1};
  for (std::size_t i = 0; i < levels; ++i) {
    Document d;  // Append moves; an initializer list would deep-copy each level
    d.Append("a", std::move(v));
    v = std::move(d);
  }
  return v;
}

TEST(DepthTest, CountsDocumentsAndArrays) {
  EXPECT_EQ(Depth(Value(std::int32_t{1})), 0u);
  EXPECT_EQ(Depth(Value("x")), 0u);
  EXPECT_EQ(Depth(Value(Document{})), 1u);
  EXPECT_EQ(Depth(Value(Array{})), 1u);
  EXPECT_EQ(Depth(Document{}), 1u);
  EXPECT_EQ(Depth(Document{{"a", Array{Document{{"b", std::int32_t{1}}}}}, {"c", Document{}}}), 3u);
  EXPECT_EQ(Depth(NestedDocuments(100)), 100u);
  // Measuring does not recurse.
  EXPECT_EQ(Depth(NestedDocuments(3000)), 3000u);
}

TEST(BsonSizeTest, MatchesTheEncoder) {
  Document d = EveryType();
  d.Append("mixed", Array{std::int64_t{2}, Null{}, "q", Array{}, Document{}});
  d.Append("big", Array(std::initializer_list<Value>(
                      {std::int32_t{0}, std::int32_t{1}, std::int32_t{2}, std::int32_t{3},
                       std::int32_t{4}, std::int32_t{5}, std::int32_t{6}, std::int32_t{7},
                       std::int32_t{8}, std::int32_t{9}, std::int32_t{10}})));
  auto bytes = ToBson(d);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(BsonSize(d), bytes->size());
  EXPECT_EQ(BsonSize(Document{}), 5u);
  EXPECT_EQ(BsonSize(Array{}), 5u);
}

TEST(BsonSizeTest, ValuePayloadIsTheElementWithoutTypeAndName) {
  // An element is type byte + name + NUL + payload.
  for (const auto& [name, value] : EveryType()) {
    EXPECT_EQ(BsonSize(Document{{name, value}}), 5 + 1 + name.size() + 1 + BsonValueSize(value))
        << name;
  }
  EXPECT_EQ(BsonValueSize(Value(std::int32_t{1})), 4u);
  EXPECT_EQ(BsonValueSize(Value("ab")), 7u);
}

TEST(CheckLimitsTest, NamesTheLimit) {
  EXPECT_TRUE(CheckLimits(NestedDocuments(99).as_document(), {}).ok());
  base::Status deep = CheckLimits(NestedDocuments(101).as_document(), {});
  EXPECT_EQ(deep.code(), ErrorCode::kDepthLimitExceeded);
  EXPECT_NE(deep.message().find("100 levels"), std::string::npos) << deep.message();

  Limits small;
  small.max_bson_bytes = 64;
  base::Status big = CheckLimits(Document{{"s", std::string(100, 'x')}}, small);
  EXPECT_EQ(big.code(), ErrorCode::kSizeLimitExceeded);
  EXPECT_NE(big.message().find("64 bytes"), std::string::npos) << big.message();
}

}  // namespace
}  // namespace plinth::doc
