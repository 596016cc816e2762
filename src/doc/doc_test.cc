#include <gtest/gtest.h>

#include "doc/bson_codec.h"
#include "doc/ejson.h"

namespace plinth::doc {
namespace {

TEST(ParseJsonTest, PlainJsonKeepsNumberTypes) {
  auto v = ParseJson(R"({"a":1,"b":5000000000,"c":1.5,"d":[true,null],"e":"x"})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const Document& d = v->as_document();
  EXPECT_EQ(d.Get("a")->type(), Type::kInt32);
  EXPECT_EQ(d.Get("b")->type(), Type::kInt64);
  EXPECT_EQ(d.Get("c")->type(), Type::kDouble);
  EXPECT_EQ(d.Get("d")->as_array().size(), 2u);
  EXPECT_EQ(d.Get("e")->as_string(), "x");
}

TEST(ParseJsonTest, TopLevelArraysAndScalars) {
  auto a = ParseJson(R"([{"name":"f","private":true}])");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->as_array().size(), 1u);
  auto s = ParseJson("\"hi\"");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->as_string(), "hi");
}

TEST(ParseJsonTest, RejectsMalformedAndInjectedText) {
  EXPECT_EQ(ParseJson("{\"a\":").status().code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseJson("1,\"v\":2").status().code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseJson("1}").status().code(), base::ErrorCode::kBadValue);
  EXPECT_FALSE(ParseJson("").ok());
}

TEST(ParseJsonTest, DepthLimit) {
  std::string deep(150, '[');
  deep += std::string(150, ']');
  EXPECT_EQ(ParseJson(deep).status().code(), base::ErrorCode::kDepthLimitExceeded);
  std::string ok(50, '[');
  ok += std::string(50, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
}

TEST(BsonCodecTest, RoundTripsEveryType) {
  Document d{{"d", 1.5},
             {"s", "x"},
             {"o", Document{{"i", std::int32_t{1}}}},
             {"a", Array{std::int64_t{2}, Null{}}},
             {"oid", *ObjectId::FromHex("5f0c1d6e7a8b9c0d1e2f3a4b")},
             {"b", true},
             {"t", DateTime{1700000000000}},
             {"r", Regex{"^a", "i"}},
             {"dec", Decimal128{0x3040000000000000ull, 1}},
             {"bin", Binary{4, "abc"}},
             {"min", MinKey{}},
             {"max", MaxKey{}}};
  auto bytes = ToBson(d);
  ASSERT_TRUE(bytes.ok());
  auto back = FromBson(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, d);
}

}  // namespace
}  // namespace plinth::doc
