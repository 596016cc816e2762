// Tests of the value model and the BSON codec. EJSON, comparison, field
// paths and limits have their own *_test.cc files in the same binary.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "doc/bson_codec.h"
#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "doc/test_values.h"

namespace plinth::doc {
namespace {

using base::ErrorCode;

base::Result<Document> Decode(const std::string& bytes, const Limits& limits = {}) {
  return FromBson(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), limits);
}

TEST(ValueTest, TypesAndNames) {
  EXPECT_EQ(Value().type(), Type::kNull);
  EXPECT_EQ(Value(std::int32_t{1}).type(), Type::kInt32);
  EXPECT_EQ(Value(std::int64_t{1}).type(), Type::kInt64);
  EXPECT_EQ(Value(1.0).type(), Type::kDouble);
  EXPECT_TRUE(Value(Decimal128{}).is_number());
  EXPECT_FALSE(Value("1").is_number());
  EXPECT_EQ(TypeName(Type::kInt64), "long");
  EXPECT_FALSE(Value(std::int32_t{1}) == Value(1.0));  // type-exact
}

TEST(ParseJsonTest, TopLevelArraysAndScalars) {
  auto a = ParseJson(R"([{"name":"f","private":true}])");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->as_array().size(), 1u);
  auto s = ParseJson("\"hi\"");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->as_string(), "hi");
}

TEST(BsonCodecTest, RoundTripsEveryType) {
  const Document d = EveryType();
  auto bytes = ToBson(d);
  ASSERT_TRUE(bytes.ok());
  auto back = Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  // NaN != NaN, so compare through canonical EJSON (which spells it "NaN").
  EXPECT_EQ(ToCanonicalJson(*back), ToCanonicalJson(d));
  Document without_nan = d;
  without_nan.Remove("nan");
  Document back_without_nan = *back;
  back_without_nan.Remove("nan");
  EXPECT_EQ(back_without_nan, without_nan);
}

TEST(BsonCodecTest, EncoderRejectsWhatBsonCannotHold) {
  for (const Document& d : {Document{{std::string("a\0b", 3), std::int32_t{1}}},
                            Document{{"x", Document{{std::string("\0", 1), std::int32_t{1}}}}},
                            Document{{"r", Regex{std::string("a\0", 2), ""}}},
                            Document{{"c", JavaScriptCode{std::string("x\0", 2)}}}}) {
    auto bytes = ToBson(d);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.status().code(), ErrorCode::kBadValue);
  }
}

TEST(BsonCodecTest, EncoderEnforcesLimits) {
  Value deep = std::int32_t{1};
  for (int i = 0; i < 100; ++i) {
    Document d;
    d.Append("a", std::move(deep));
    deep = std::move(d);
  }
  EXPECT_TRUE(ToBson(deep.as_document()).ok());
  Document deeper{{"a", deep}};
  auto r = ToBson(deeper);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDepthLimitExceeded);
  EXPECT_NE(r.status().message().find("100 levels"), std::string::npos);

  Limits small;
  small.max_bson_bytes = 32;
  auto big = ToBson(Document{{"s", std::string(40, 'x')}}, small);
  EXPECT_EQ(big.status().code(), ErrorCode::kSizeLimitExceeded);
  EXPECT_NE(big.status().message().find("32 bytes"), std::string::npos);
}

TEST(BsonCodecTest, DecoderEnforcesLimits) {
  Value deep = std::int32_t{1};
  for (int i = 0; i < 150; ++i) {
    Document d;
    d.Append("a", std::move(deep));
    deep = std::move(d);
  }
  Limits loose;
  loose.max_depth = 1000;
  auto bytes = ToBson(deep.as_document(), loose);
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(Decode(*bytes, loose).ok());
  EXPECT_EQ(Decode(*bytes).status().code(), ErrorCode::kDepthLimitExceeded);

  Limits small;
  small.max_bson_bytes = 16;
  auto sized = ToBson(Document{{"s", "0123456789"}});
  EXPECT_EQ(Decode(*sized, small).status().code(), ErrorCode::kSizeLimitExceeded);
}

// 20000 nested documents as raw bytes: far deeper than any recursion could
// survive; the decoder must stop at the depth limit.
TEST(BsonCodecTest, DecoderSurvivesAbsurdNesting) {
  constexpr std::size_t kLevels = 20000;
  std::string bytes;
  for (std::size_t level = 0; level < kLevels; ++level) {
    const auto size = static_cast<std::int32_t>(5 + 8 * (kLevels - level));
    char header[4];
    std::memcpy(header, &size, 4);  // BSON is little-endian, as is x86-64
    bytes.append(header, 4);
    bytes.append(
        "\x03"
        "a",
        2);
    bytes.push_back('\0');
  }
  bytes.append("\x05\0\0\0\0", 5);
  bytes.append(kLevels, '\0');
  auto d = Decode(bytes);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kDepthLimitExceeded);
}

TEST(BsonCodecTest, DecoderRejectsInvalidUtf8) {
  for (const Document& d : {Document{{"s", "\xff"}}, Document{{"\xc0\x80", std::int32_t{1}}},
                            Document{{"r", Regex{"\xed\xa0\x80", ""}}}}) {
    auto bytes = ToBson(d);
    ASSERT_TRUE(bytes.ok());
    auto back = Decode(*bytes);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.status().code(), ErrorCode::kBadValue);
    EXPECT_NE(back.status().message().find("UTF-8"), std::string::npos);
  }
}

TEST(BsonCodecTest, DecoderReadsSymbolsAsStrings) {
  // {"s": Symbol("ab")}: type 0x0E, then a string payload.
  const std::string bytes(
      "\x0f\0\0\0\x0e"
      "s\0\x03\0\0\0"
      "ab\0\0",
      15);
  auto d = Decode(bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d->Get("s"), Value("ab"));
}

TEST(BsonFuzzTest, TruncationsAndMutationsFailCleanly) {
  const std::string bytes = *ToBson(EveryType());
  ASSERT_TRUE(Decode(bytes).ok());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    // Cut short as is: the length prefix no longer matches.
    std::string cut = bytes.substr(0, n);
    auto v = Decode(cut);
    ASSERT_FALSE(v.ok()) << n;
    ASSERT_EQ(v.status().code(), ErrorCode::kBadValue);
    // Cut short with a consistent header and terminator: the elements lie.
    if (n >= 5) {
      const auto len = static_cast<std::int32_t>(n);
      std::memcpy(cut.data(), &len, 4);
      cut.back() = '\0';
      auto w = Decode(cut);
      if (!w.ok()) {
        ASSERT_EQ(w.status().code(), ErrorCode::kBadValue) << w.status().ToString();
      }
    }
  }
  const unsigned char replacements[] = {0x00, 0x01, 0x03, 0x04, 0x7f, 0x80, 0xff};
  for (std::size_t i = 4; i + 1 < bytes.size(); ++i) {
    for (unsigned char r : replacements) {
      std::string mutated = bytes;
      mutated[i] = static_cast<char>(r);
      auto v = Decode(mutated);
      if (v.ok()) {
        // Whatever decodes encodes again.
        ASSERT_TRUE(ToBson(*v).ok() || ToBson(*v).status().code() == ErrorCode::kBadValue);
      } else {
        ASSERT_TRUE(v.status().code() == ErrorCode::kBadValue ||
                    v.status().code() == ErrorCode::kDepthLimitExceeded)
            << v.status().ToString();
      }
    }
  }
}

}  // namespace
}  // namespace plinth::doc
