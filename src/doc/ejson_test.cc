#include "doc/ejson.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "doc/base64.h"
#include "doc/decimal128.h"
#include "doc/iso_date.h"
#include "doc/test_printers.h"

namespace plinth::doc {
namespace {

using base::ErrorCode;

Value MustParse(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << text << " -> " << v.status().ToString();
  return v.ok() ? *v : Value();
}

Decimal128 Dec(std::string_view s) {
  auto d = Decimal128FromString(s);
  EXPECT_TRUE(d.ok()) << s;
  return d.ok() ? *d : Decimal128{};
}

ObjectId Oid(std::string_view hex) { return *ObjectId::FromHex(hex); }

double Nan() { return std::numeric_limits<double>::quiet_NaN(); }
double Inf() { return std::numeric_limits<double>::infinity(); }

// ---------------------------------------------------------------------------
// Exact output.

TEST(EjsonWriteTest, ExactCanonicalAndRelaxed) {
  Document d{{"a", std::int32_t{1}}, {"b", std::int64_t{2}}, {"c", 1.5}};
  EXPECT_EQ(ToCanonicalJson(d),
            R"({"a":{"$numberInt":"1"},"b":{"$numberLong":"2"},"c":{"$numberDouble":"1.5"}})");
  EXPECT_EQ(ToRelaxedJson(d), R"({"a":1,"b":2,"c":1.5})");
}

struct WriteCase {
  const char* name;
  Value value;
  const char* canonical;
  const char* relaxed;
};

TEST(EjsonWriteTest, EveryTypeInBothFormats) {
  const WriteCase cases[] = {
      {"null", Null{}, "null", "null"},
      {"bool", true, "true", "true"},
      {"string", "h\"i\n\x01", R"("h\"i\n\u0001")", R"("h\"i\n\u0001")"},
      {"int32", std::int32_t{-7}, R"({"$numberInt":"-7"})", "-7"},
      {"int64", std::int64_t{9007199254740993}, R"({"$numberLong":"9007199254740993"})",
       "9007199254740993"},
      {"double integral", 1.0, R"({"$numberDouble":"1.0"})", "1.0"},
      {"double -1", -1.0, R"({"$numberDouble":"-1.0"})", "-1.0"},
      {"double -0", -0.0, R"({"$numberDouble":"-0.0"})", "-0.0"},
      {"double big", 1.2345678901234568e+18, R"({"$numberDouble":"1.2345678901234568e+18"})",
       "1.2345678901234568e+18"},
      {"double nan", Nan(), R"({"$numberDouble":"NaN"})", R"({"$numberDouble":"NaN"})"},
      {"double inf", Inf(), R"({"$numberDouble":"Infinity"})", R"({"$numberDouble":"Infinity"})"},
      {"double -inf", -Inf(), R"({"$numberDouble":"-Infinity"})",
       R"({"$numberDouble":"-Infinity"})"},
      {"decimal", Dec("1234.5"), R"({"$numberDecimal":"1234.5"})",
       R"({"$numberDecimal":"1234.5"})"},
      {"oid", Oid("57e193d7a9cc81b4027498b5"), R"({"$oid":"57e193d7a9cc81b4027498b5"})",
       R"({"$oid":"57e193d7a9cc81b4027498b5"})"},
      {"date epoch", DateTime{0}, R"({"$date":{"$numberLong":"0"}})",
       R"({"$date":"1970-01-01T00:00:00.000Z"})"},
      {"date max", DateTime{253402300799999}, R"({"$date":{"$numberLong":"253402300799999"}})",
       R"({"$date":"9999-12-31T23:59:59.999Z"})"},
      {"date past 9999", DateTime{253402300800000},
       R"({"$date":{"$numberLong":"253402300800000"}})",
       R"({"$date":{"$numberLong":"253402300800000"}})"},
      {"date before 1970", DateTime{-1}, R"({"$date":{"$numberLong":"-1"}})",
       R"({"$date":{"$numberLong":"-1"}})"},
      {"binary", Binary{0x80, "123"}, R"({"$binary":{"base64":"MTIz","subType":"80"}})",
       R"({"$binary":{"base64":"MTIz","subType":"80"}})"},
      {"binary uuid",
       Binary{4,
              std::string("\xc8\xed\xab\xc3\xf7\x38\x4c\xa3\xb6\x8d\xab\x92\xa9\x14\x78\xa3", 16)},
       R"({"$binary":{"base64":"yO2rw/c4TKO2jauSqRR4ow==","subType":"04"}})",
       R"({"$binary":{"base64":"yO2rw/c4TKO2jauSqRR4ow==","subType":"04"}})"},
      {"regex sorts options", Regex{"foo*", "xi"},
       R"({"$regularExpression":{"pattern":"foo*","options":"ix"}})",
       R"({"$regularExpression":{"pattern":"foo*","options":"ix"}})"},
      {"timestamp", Timestamp{42, 1}, R"({"$timestamp":{"t":42,"i":1}})",
       R"({"$timestamp":{"t":42,"i":1}})"},
      {"code", JavaScriptCode{"function() {}"}, R"({"$code":"function() {}"})",
       R"({"$code":"function() {}"})"},
      {"undefined", Undefined{}, R"({"$undefined":true})", R"({"$undefined":true})"},
      {"minKey", MinKey{}, R"({"$minKey":1})", R"({"$minKey":1})"},
      {"maxKey", MaxKey{}, R"({"$maxKey":1})", R"({"$maxKey":1})"},
      {"array", Array{std::int32_t{1}, "x"}, R"([{"$numberInt":"1"},"x"])", R"([1,"x"])"},
      {"nested", Document{{"a", Document{{"b", Array{}}}}, {"c", Document{}}},
       R"({"a":{"b":[]},"c":{}})", R"({"a":{"b":[]},"c":{}})"},
  };
  for (const WriteCase& c : cases) {
    EXPECT_EQ(ToCanonicalJson(c.value), c.canonical) << c.name;
    EXPECT_EQ(ToRelaxedJson(c.value), c.relaxed) << c.name;
  }
}

TEST(EjsonWriteTest, FormatDoubleFollowsPythonRepr) {
  const std::pair<double, const char*> cases[] = {
      {1.0, "1.0"},
      {-1.0, "-1.0"},
      {0.0, "0.0"},
      {1.0001220703125, "1.0001220703125"},
      {0.1, "0.1"},
      {1e-4, "0.0001"},
      {1e-5, "1e-05"},
      {1.5e-7, "1.5e-07"},
      {123456789012345.0, "123456789012345.0"},
      {1e15, "1000000000000000.0"},
      {1e16, "1e+16"},
      {1.5e16, "1.5e+16"},
      {1e300, "1e+300"},
      {5e-324, "5e-324"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
      {-2.5, "-2.5"},
  };
  for (const auto& [d, text] : cases) EXPECT_EQ(FormatDouble(d), text);
}

TEST(EjsonWriteTest, FormatDoubleRoundTripsRandomBitPatterns) {
  std::mt19937_64 rng(20240506);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    const std::string text = FormatDouble(d);
    double back = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), back);
    ASSERT_EQ(r.ec, std::errc()) << text;
    std::uint64_t back_bits;
    std::memcpy(&back_bits, &back, sizeof back);
    ASSERT_EQ(back_bits, bits) << text;
    // And it reads back as a Double through the parser, in both formats.
    Value v = MustParse(ToRelaxedJson(Value(d)));
    ASSERT_EQ(v.type(), Type::kDouble) << text;
    const double parsed = v.as_double();
    ASSERT_EQ(std::memcmp(&parsed, &d, sizeof d), 0) << text;
  }
}

// ---------------------------------------------------------------------------
// Round trips.

struct RoundTripCase {
  const char* name;
  Value value;
  bool relaxed_keeps_type;  // false: relaxed parses back to an equal number of another type
};

std::vector<RoundTripCase> RoundTripCases() {
  return {
      {"null", Null{}, true},
      {"true", true, true},
      {"false", false, true},
      {"string", "héllo \"q\" \\ \t \x7f", true},
      {"empty string", "", true},
      {"string with NUL", std::string("a\0b", 3), true},
      {"astral", "\xF0\x9F\x98\x80", true},
      {"int32 0", std::int32_t{0}, true},
      {"int32 max", std::numeric_limits<std::int32_t>::max(), true},
      {"int32 min", std::numeric_limits<std::int32_t>::min(), true},
      {"int64 small", std::int64_t{5}, false},
      {"int64 2^53+1", std::int64_t{9007199254740993}, true},
      {"int64 max", std::numeric_limits<std::int64_t>::max(), true},
      {"int64 min", std::numeric_limits<std::int64_t>::min(), true},
      {"double 1.0", 1.0, true},
      {"double 1.5", 1.5, true},
      {"double -0.0", -0.0, true},
      {"double tiny", 5e-324, true},
      {"double big", 1e300, true},
      {"double 2^53", 9007199254740992.0, true},
      {"double inf", Inf(), true},
      {"double -inf", -Inf(), true},
      {"decimal", Dec("1.000"), true},
      {"decimal neg exp", Dec("-1.5E-300"), true},
      {"decimal nan", Dec("NaN"), true},
      {"decimal -inf", Dec("-Infinity"), true},
      {"decimal -0", Dec("-0"), true},
      {"oid", Oid("5f0c1d6e7a8b9c0d1e2f3a4b"), true},
      {"date now", DateTime{1715000000123}, true},
      {"date negative", DateTime{-62135596800000}, true},
      {"date int64 min", DateTime{std::numeric_limits<std::int64_t>::min()}, true},
      {"binary empty", Binary{0, ""}, true},
      {"binary bytes", Binary{5, std::string("\x00\xff\x10", 3)}, true},
      {"binary old", Binary{2, "xyz"}, true},
      {"regex", Regex{"^a.*\"b", "imsx"}, true},
      {"regex no options", Regex{"a", ""}, true},
      {"timestamp", Timestamp{4294967295u, 4294967295u}, true},
      {"code", JavaScriptCode{"return 1;"}, true},
      {"undefined", Undefined{}, true},
      {"minKey", MinKey{}, true},
      {"maxKey", MaxKey{}, true},
      {"empty doc", Document{}, true},
      {"empty array", Array{}, true},
      {"doc of everything",
       Document{{"i", std::int32_t{1}},
                {"l", std::int64_t{3000000000}},
                {"d", 2.0},
                {"nested", Document{{"arr", Array{std::int32_t{1}, 1.0, Null{}, Array{}}}}},
                {"$notAWrapper", "x"},
                {"", "empty name"}},
       true},
  };
}

TEST(EjsonRoundTripTest, CanonicalKeepsEveryTypeExactly) {
  for (const RoundTripCase& c : RoundTripCases()) {
    const std::string text = ToCanonicalJson(c.value);
    auto back = ParseJson(text);
    ASSERT_TRUE(back.ok()) << c.name << ": " << text << " -> " << back.status().ToString();
    EXPECT_EQ(*back, c.value) << c.name << ": " << text;
    EXPECT_EQ(back->type(), c.value.type()) << c.name;
    // And the text is a fixed point.
    EXPECT_EQ(ToCanonicalJson(*back), text) << c.name;
  }
}

TEST(EjsonRoundTripTest, RelaxedKeepsValuesAndMostTypes) {
  for (const RoundTripCase& c : RoundTripCases()) {
    const std::string text = ToRelaxedJson(c.value);
    auto back = ParseJson(text);
    ASSERT_TRUE(back.ok()) << c.name << ": " << text << " -> " << back.status().ToString();
    if (c.relaxed_keeps_type) {
      EXPECT_EQ(*back, c.value) << c.name << ": " << text;
    } else {
      EXPECT_NE(back->type(), c.value.type()) << c.name;
      EXPECT_EQ(ToCanonicalJson(*back), ToCanonicalJson(Value(std::int32_t{5}))) << c.name;
    }
  }
}

TEST(EjsonRoundTripTest, NanRoundTripsInBothFormats) {
  for (const std::string& text : {ToCanonicalJson(Value(Nan())), ToRelaxedJson(Value(Nan()))}) {
    Value v = MustParse(text);
    ASSERT_EQ(v.type(), Type::kDouble);
    EXPECT_TRUE(std::isnan(v.as_double()));
  }
}

// ---------------------------------------------------------------------------
// Parsing: number typing.

TEST(EjsonParseTest, PlainJsonKeepsNumberTypes) {
  struct Case {
    const char* text;
    Value expected;
  };
  const Case cases[] = {
      {"0", std::int32_t{0}},
      {"-0", std::int32_t{0}},
      {"2147483647", std::int32_t{2147483647}},
      {"-2147483648", std::numeric_limits<std::int32_t>::min()},
      {"2147483648", std::int64_t{2147483648}},
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
      {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
      {"9223372036854775808", 9223372036854775808.0},
      {"99999999999999999999", 1e20},
      {"1.0", 1.0},
      {"1E2", 100.0},
      {"1e-400", 0.0},
      {"-0.0", -0.0},
      {"2.5e+3", 2500.0},
  };
  for (const Case& c : cases) {
    Value v = MustParse(c.text);
    EXPECT_EQ(v, c.expected) << c.text;
    EXPECT_EQ(v.type(), c.expected.type()) << c.text;
  }
  Value neg_tiny = MustParse("-1e-400");
  ASSERT_EQ(neg_tiny.type(), Type::kDouble);
  EXPECT_TRUE(std::signbit(neg_tiny.as_double()));
}

TEST(EjsonParseTest, NumbersBeyondDoubleRangeAreErrors) {
  for (const char* text : {"1e400", "-1e400", "1.8e308", R"({"$numberDouble":"1e999"})"}) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.status().code(), ErrorCode::kBadValue);
    EXPECT_NE(v.status().message().find("range"), std::string::npos) << v.status().message();
  }
  // A very long integer is still only a Double.
  EXPECT_EQ(MustParse(std::string(300, '9')).type(), Type::kDouble);
  EXPECT_FALSE(ParseJson(std::string(400, '9')).ok());
}

// ---------------------------------------------------------------------------
// Parsing: wrappers.

TEST(EjsonParseTest, CanonicalAndRelaxedWrappers) {
  struct Case {
    const char* text;
    Value expected;
  };
  const Case cases[] = {
      {R"({"$numberInt":"-12"})", std::int32_t{-12}},
      {R"({"$numberLong":"12"})", std::int64_t{12}},
      {R"({"$numberDouble":"1"})", 1.0},
      {R"({"$numberDouble":"-1.5E+3"})", -1500.0},
      {R"({"$numberDouble":"Infinity"})", Inf()},
      {R"({"$numberDecimal":"1.5E+3"})", Dec("1.5E+3")},
      {R"({"$oid":"57E193D7A9CC81B4027498B5"})", Oid("57e193d7a9cc81b4027498b5")},
      {R"({"$date":{"$numberLong":"-5"}})", DateTime{-5}},
      {R"({"$date":1234})", DateTime{1234}},
      {R"({"$date":-1234})", DateTime{-1234}},
      {R"({"$date":"1970-01-01T00:00:00Z"})", DateTime{0}},
      {R"({"$date":"1970-01-01T00:00:00.001Z"})", DateTime{1}},
      {R"({"$date":"2020-01-01T01:00:00.5+01:00"})", DateTime{1577836800500}},
      {R"({"$date":"2020-01-01T00:00:00.1239Z"})", DateTime{1577836800123}},
      {R"({"$date":"2019-12-31t19:00-0500"})", DateTime{1577836800000}},
      {R"({"$date":"1960-02-29T00:00:00z"})", DateTime{-310521600000}},
      {R"({"$binary":{"base64":"AQID","subType":"0"}})", Binary{0, "\x01\x02\x03"}},
      {R"({"$binary":{"subType":"4","base64":"AQID"}})", Binary{4, "\x01\x02\x03"}},
      {R"({"$binary":"AQID","$type":"80"})", Binary{0x80, "\x01\x02\x03"}},
      {R"({"$binary":{"base64":"AQI","subType":"00"}})", Binary{0, "\x01\x02"}},
      {R"({"$uuid":"c8edabc3-f738-4ca3-b68d-ab92a91478a3"})",
       Binary{4,
              std::string("\xc8\xed\xab\xc3\xf7\x38\x4c\xa3\xb6\x8d\xab\x92\xa9\x14\x78\xa3", 16)}},
      {R"({"$regularExpression":{"options":"mi","pattern":"a+"}})", Regex{"a+", "im"}},
      {R"({"$timestamp":{"t":4294967295,"i":1}})", Timestamp{4294967295u, 1}},
      {R"({"$minKey":1})", MinKey{}},
      {R"({"$maxKey":1})", MaxKey{}},
      {R"({"$undefined":true})", Undefined{}},
      {R"js({"$code":"f()"})js", JavaScriptCode{"f()"}},
      {R"({"$symbol":"sym"})", "sym"},
  };
  for (const Case& c : cases) {
    Value v = MustParse(c.text);
    EXPECT_EQ(v, c.expected) << c.text << " gave " << ToCanonicalJson(v);
  }
}

TEST(EjsonParseTest, QueryAndUpdateOperatorsStayDocuments) {
  const char* texts[] = {
      R"({"a":{"$regex":"^x","$options":"i"}})",
      R"({"a":{"$regex":{"$regularExpression":{"pattern":"x","options":""}},"$options":"i"}})",
      R"({"zipCode":{"$type":2}})",
      R"({"zipCode":{"$type":"string"}})",
      R"({"$set":{"a.b":1},"$inc":{"n":{"$numberLong":"1"}}})",
      R"({"a":{"$gt":5,"$lt":10}})",
      R"({"ref":{"$ref":"coll","$id":{"$oid":"57e193d7a9cc81b4027498b1"},"$db":"db"}})",
      R"({"ref":{"$ref":"coll"}})",
  };
  for (const char* text : texts) {
    auto d = ParseJsonDocument(text);
    ASSERT_TRUE(d.ok()) << text << " -> " << d.status().ToString();
    // Only wrappers inside turn into typed values; the operators survive.
    EXPECT_EQ(ToCanonicalJson(*d).find("$numberInt\":\"2\"") != std::string::npos,
              std::string_view(text).find("$type\":2") != std::string_view::npos);
  }
  Document regex_op = *ParseJsonDocument(R"({"$regex":"^x","$options":"i"})");
  EXPECT_EQ(regex_op.Get("$regex")->as_string(), "^x");
  Document with_inner =
      *ParseJsonDocument(R"({"$regex":{"$regularExpression":{"pattern":"x","options":"si"}}})");
  EXPECT_EQ(with_inner.Get("$regex")->as_regex(), (Regex{"x", "is"}));
}

TEST(EjsonParseTest, TopLevelValuesAndWhitespace) {
  EXPECT_EQ(MustParse(" \t\r\n\"hi\" \n"), Value("hi"));
  EXPECT_EQ(MustParse("\xEF\xBB\xBF{}"), Value(Document{}));
  EXPECT_EQ(MustParse("[ 1 , [ ] , { } ]"), Value(Array{std::int32_t{1}, Array{}, Document{}}));
  EXPECT_EQ(MustParse(R"("\u00e9\ud83d\ude00\/")"), Value("\xC3\xA9\xF0\x9F\x98\x80/"));
  EXPECT_EQ(MustParse("{\"$numberLong\":\"7\"}").type(), Type::kInt64);
  auto not_doc = ParseJsonDocument("[1]");
  ASSERT_FALSE(not_doc.ok());
  EXPECT_EQ(not_doc.status().code(), ErrorCode::kBadValue);
  EXPECT_NE(not_doc.status().message().find("array"), std::string::npos);
}

TEST(EjsonParseTest, KeepsFieldOrder) {
  Document d = *ParseJsonDocument(R"({"z":1,"a":2,"m":{"y":1,"b":2}})");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.fields()[0].first, "z");
  EXPECT_EQ(d.fields()[1].first, "a");
  EXPECT_EQ(d.Get("m")->as_document().fields()[0].first, "y");
}

// ---------------------------------------------------------------------------
// Parsing: errors.

TEST(EjsonParseTest, MalformedInputIsBadValue) {
  const std::string inputs[] = {
      "",
      "   ",
      "{",
      "}",
      "[1,]",
      R"({"a":1,})",
      R"({"a" 1})",
      "{a:1}",
      "{'a':1}",
      "01",
      "1.",
      ".5",
      "+1",
      "-",
      "1e",
      "NaN",
      "Infinity",
      "tru",
      "nul",
      "[1] 2",
      "1}",
      "1,\"v\":2",
      R"("\x")",
      R"("\u12")",
      R"("\ud800")",
      R"("\ud800\u0041")",
      R"("\udc00")",
      "\"unterminated",
      "\"\xff\"",
      "\"\xc0\x80\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\x01\"",
      "{\"\xff\":1}",
      R"({"a\u0000b":1})",
      R"({"a":1,"a":2})",
      R"({"$numberInt":"3000000000"})",
      R"({"$numberInt":1})",
      R"({"$numberInt":" 1"})",
      R"({"$numberInt":"+1"})",
      R"({"$numberLong":"1.5"})",
      R"({"$numberLong":"99999999999999999999"})",
      R"({"$numberLong":"1","x":1})",
      R"({"x":1,"$numberLong":"1"})",
      R"({"$oid":"abc"})",
      R"({"$oid":"5f0c1d6e7a8b9c0d1e2f3a4g"})",
      R"({"$numberDecimal":"junk"})",
      R"({"$numberDecimal":"12345678901234567890123456789012345"})",
      R"({"$numberDouble":"abc"})",
      R"({"$numberDouble":"inf"})",
      R"({"$numberDouble":1.5})",
      R"({"$date":"2023-02-29T00:00:00Z"})",
      R"({"$date":"2020-01-01"})",
      R"({"$date":"2020-01-01T24:00:00Z"})",
      R"({"$date":"2020-01-01T00:00:00"})",
      R"({"$date":"10000-01-01T00:00:00Z"})",
      R"({"$date":1.5})",
      R"({"$date":{"$numberLong":"1"},"x":1})",
      R"({"$binary":{"base64":"!!!!","subType":"00"}})",
      R"({"$binary":{"base64":"A","subType":"00"}})",
      R"({"$binary":{"base64":"AQID","subType":"100"}})",
      R"({"$binary":{"base64":"AQID"}})",
      R"({"$binary":{"base64":"AQID","subType":"00","x":1}})",
      R"({"$binary":"AQID"})",
      R"({"$uuid":"c8edabc3-f738-4ca3-b68d"})",
      R"({"$regularExpression":{"pattern":"a"}})",
      R"({"$regularExpression":{"pattern":"a","options":1}})",
      R"({"$regularExpression":{"pattern":"a\u0000","options":""}})",
      R"({"$timestamp":{"t":-1,"i":1}})",
      R"({"$timestamp":{"t":4294967296,"i":1}})",
      R"({"$timestamp":{"t":1}})",
      R"({"$timestamp":{"t":1.0,"i":1}})",
      R"({"$minKey":0})",
      R"({"$maxKey":"1"})",
      R"({"$undefined":false})",
      R"({"$code":1})",
      R"({"$code":"x","$scope":{}})",
      R"({"$scope":{}})",
      R"({"$dbPointer":{"$ref":"a","$id":{"$oid":"57e193d7a9cc81b4027498b1"}}})",
  };
  for (const std::string& text : inputs) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v.ok()) << "accepted: " << text << " as " << ToCanonicalJson(*v);
    EXPECT_EQ(v.status().code(), ErrorCode::kBadValue) << text << ": " << v.status().ToString();
    EXPECT_FALSE(v.status().message().empty());
  }
}

TEST(EjsonParseTest, ErrorsGiveLineAndColumn) {
  auto v = ParseJson("{\n  \"a\": tru\n}");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("line 2, column 8"), std::string::npos)
      << v.status().message();
  auto dup = ParseJson(R"({"a":1, "a":2})");
  EXPECT_NE(dup.status().message().find("column 9"), std::string::npos) << dup.status().message();
  EXPECT_NE(dup.status().message().find("duplicate field name \"a\""), std::string::npos);
  auto wrapper = ParseJson(R"([1, {"$numberLong":"x"}])");
  EXPECT_NE(wrapper.status().message().find("column 5"), std::string::npos)
      << wrapper.status().message();
  EXPECT_NE(wrapper.status().message().find("$numberLong"), std::string::npos);
  auto empty = ParseJson("");
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
}

TEST(EjsonParseTest, DuplicateNamesInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) text += "\"f" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  auto ok = ParseJson(text + "\"last\":1}");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->as_document().size(), 101u);
  auto dup = ParseJson(text + "\"f7\":1}");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("\"f7\""), std::string::npos);
}

// Canonical EJSON of a document holding each type once, for the fuzz-ish
// tests (small, so the sanitizer build stays quick).
std::string EveryTypeJson() {
  Document d{{"n", Null{}},
             {"b", true},
             {"s", "x\u00e9\"\n"},
             {"i", std::int32_t{-1}},
             {"l", std::int64_t{1} << 40},
             {"d", 1.5e300},
             {"nan", Nan()},
             {"dec", Dec("-1.5E-3")},
             {"oid", Oid("57e193d7a9cc81b4027498b5")},
             {"t", DateTime{1715000000123}},
             {"bin", Binary{4, "0123456789abcdef"}},
             {"re", Regex{"^a", "i"}},
             {"ts", Timestamp{1, 2}},
             {"js", JavaScriptCode{"f"}},
             {"u", Undefined{}},
             {"min", MinKey{}},
             {"max", MaxKey{}},
             {"arr", Array{std::int32_t{1}, Document{{"x", Array{}}}}},
             {"op", Document{{"$regex", "a"}, {"$options", "i"}}}};
  return ToCanonicalJson(d);
}

TEST(EjsonFuzzTest, EveryTruncationFailsCleanly) {
  for (const std::string& text : {EveryTypeJson(), ToRelaxedJson(*ParseJson(EveryTypeJson()))}) {
    ASSERT_TRUE(ParseJson(text).ok());
    for (std::size_t n = 0; n < text.size(); ++n) {
      auto v = ParseJson(std::string_view(text).substr(0, n));
      ASSERT_FALSE(v.ok()) << "prefix of length " << n << " accepted";
      ASSERT_EQ(v.status().code(), ErrorCode::kBadValue) << n << ": " << v.status().ToString();
    }
  }
}

TEST(EjsonFuzzTest, ByteSubstitutionsNeverCrash) {
  const std::string text = EveryTypeJson();
  const char replacements[] = {'{', '}', '"', '\\', '0', '\xff'};
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (char r : replacements) {
      std::string mutated = text;
      mutated[i] = r;
      auto v = ParseJson(mutated);
      if (v.ok()) {
        ++accepted;
        // Whatever is accepted writes out and parses back.
        auto again = ParseJson(ToCanonicalJson(*v));
        ASSERT_TRUE(again.ok()) << mutated;
      } else {
        ASSERT_TRUE(v.status().code() == ErrorCode::kBadValue ||
                    v.status().code() == ErrorCode::kDepthLimitExceeded)
            << v.status().ToString();
      }
    }
  }
  EXPECT_GT(accepted, 0u);
}

// ---------------------------------------------------------------------------
// Limits.

std::string Nested(std::size_t levels, std::string_view leaf) {
  std::string text;
  for (std::size_t i = 0; i < levels; ++i) text += "{\"a\":";
  text += leaf;
  for (std::size_t i = 0; i < levels; ++i) text += "}";
  return text;
}

TEST(EjsonLimitsTest, DepthLimitCountsDocumentsAndArrays) {
  // 100 documents deep is the most MongoDB allows; wrappers at the bottom are
  // scalars and do not count.
  EXPECT_TRUE(ParseJson(Nested(100, "1")).ok());
  EXPECT_TRUE(ParseJson(Nested(100, R"({"$date":{"$numberLong":"1"}})")).ok());
  EXPECT_TRUE(ParseJson(Nested(99, "[]")).ok());
  for (const std::string& text : {Nested(101, "1"), Nested(100, "[]"), Nested(100, "{}"),
                                  std::string(150, '[') + std::string(150, ']')}) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), ErrorCode::kDepthLimitExceeded);
    EXPECT_NE(v.status().message().find("100 levels"), std::string::npos) << v.status().message();
  }
  Limits shallow;
  shallow.max_depth = 2;
  EXPECT_TRUE(ParseJson(R"({"a":[1]})", shallow).ok());
  EXPECT_EQ(ParseJson(R"({"a":[[1]]})", shallow).status().code(), ErrorCode::kDepthLimitExceeded);
}

TEST(EjsonLimitsTest, VeryDeepInputFailsWithoutCrashing) {
  for (std::size_t n : {1000u, 100000u}) {
    auto arrays = ParseJson(std::string(n, '['));
    EXPECT_EQ(arrays.status().code(), ErrorCode::kDepthLimitExceeded);
    auto objects = ParseJson(Nested(n, "1"));
    EXPECT_EQ(objects.status().code(), ErrorCode::kDepthLimitExceeded);
  }
  Limits huge;
  huge.max_depth = 1000000;
  EXPECT_EQ(ParseJson(std::string(100000, '['), huge).status().code(),
            ErrorCode::kDepthLimitExceeded);
}

TEST(EjsonLimitsTest, SizeLimits) {
  Limits small;
  small.max_bson_bytes = 100;
  const std::string big = "{\"s\":\"" + std::string(200, 'x') + "\"}";
  auto v = ParseJson(big, small);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kSizeLimitExceeded);
  EXPECT_NE(v.status().message().find("100 bytes"), std::string::npos) << v.status().message();
  EXPECT_EQ(ParseJson("[\"" + std::string(200, 'x') + "\"]", small).status().code(),
            ErrorCode::kSizeLimitExceeded);
  EXPECT_TRUE(ParseJson(R"({"s":"short"})", small).ok());

  Limits short_text;
  short_text.max_json_bytes = 10;
  auto t = ParseJson(R"({"a":"0123456789"})", short_text);
  EXPECT_EQ(t.status().code(), ErrorCode::kSizeLimitExceeded);
  EXPECT_NE(t.status().message().find("10 bytes"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Helpers used by the codec.

TEST(Base64Test, EncodesAndDecodes) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(*Base64Decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(*Base64Decode(""), "");
  EXPECT_FALSE(Base64Decode("Zm9v=").has_value());
  EXPECT_FALSE(Base64Decode("Zm=9v").has_value());
  EXPECT_FALSE(Base64Decode("Z").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v YmE=").has_value());
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
}

TEST(IsoDateTest, FormatsAndParses) {
  EXPECT_EQ(*FormatIsoDate(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(*FormatIsoDate(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(*FormatIsoDate(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(*FormatIsoDate(kMinIsoDateMillis), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(*FormatIsoDate(kMaxIsoDateMillis), "9999-12-31T23:59:59.999Z");
  EXPECT_FALSE(FormatIsoDate(kMaxIsoDateMillis + 1).has_value());
  EXPECT_FALSE(FormatIsoDate(kMinIsoDateMillis - 1).has_value());
  // Every day across leap years round-trips.
  for (std::int64_t day = -800000; day < 800000; day += 37) {
    const std::int64_t millis = day * 86400000 + 12345678;
    std::optional<std::string> text = FormatIsoDate(millis);
    if (!text) continue;
    auto back = ParseIsoDate(*text);
    ASSERT_TRUE(back.ok()) << *text;
    ASSERT_EQ(*back, millis) << *text;
  }
  EXPECT_EQ(*ParseIsoDate("1970-01-01T00:00Z"), 0);
  EXPECT_EQ(*ParseIsoDate("1970-01-01T00:00:00+0100"), -3600000);
  EXPECT_EQ(*ParseIsoDate("1970-01-01T00:00:00-01"), 3600000);
  EXPECT_FALSE(ParseIsoDate("1970-01-01T00:00:00+01:00x").ok());
  EXPECT_FALSE(ParseIsoDate("1970-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseIsoDate("1900-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseIsoDate("2000-02-29T00:00:00Z").ok());
}

}  // namespace
}  // namespace plinth::doc
