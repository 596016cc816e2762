// Values crossing the boundary (arguments in, results out, both exact), and
// the BSON, EJSON and utils globals built on them.
#include <gtest/gtest.h>

#include <cstring>

#include "doc/decimal128.h"
#include "js/mozjs/test_util.h"

namespace plinth::js::mozjs {
namespace {

using base::ErrorCode;
using testing::Canonical;
using testing::MakeEngine;
using testing::RunJs;

class ValuesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { engine_ = MakeEngine().release(); }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static Engine* engine_;
};
Engine* ValuesTest::engine_ = nullptr;

doc::Value Parse(std::string_view ejson) {
  auto v = doc::ParseJson(ejson);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return *v;
}

TEST_F(ValuesTest, EveryTypeRoundTripsExactly) {
  // Canonical EJSON of every type the value model has (numbers that JS
  // would turn into another type are below).
  const std::vector<std::string> cases = {
      R"({"$numberInt":"7"})",
      R"({"$numberInt":"-2147483648"})",
      R"({"$numberDouble":"1.5"})",
      R"({"$numberDouble":"-0.0"})",
      R"({"$numberDouble":"Infinity"})",
      R"({"$numberDouble":"NaN"})",
      R"({"$numberLong":"9007199254740993"})",
      R"({"$numberLong":"-9223372036854775808"})",
      R"({"$numberDecimal":"1.50"})",
      R"({"$numberDecimal":"-1E+3"})",
      R"("text with ünïcode and \u0000 nul")",
      R"(true)",
      R"(null)",
      R"({"$oid":"0123456789abcdef01234567"})",
      R"({"$date":{"$numberLong":"1700000000123"}})",
      R"({"$date":{"$numberLong":"-5"}})",
      R"({"$binary":{"base64":"AAEC/w==","subType":"00"}})",
      R"({"$binary":{"base64":"","subType":"04"}})",
      R"({"$regularExpression":{"pattern":"^a.c$","options":"imx"}})",
      R"({"$timestamp":{"t":1700000000,"i":3}})",
      R"({"$minKey":1})",
      R"({"$maxKey":1})",
      R"({"$code":"function(){}"})",
      R"({"a":{"b":[{"$numberInt":"1"},"x",{"c":null}]},"d":[]})",
  };
  for (const std::string& text : cases) {
    doc::Value value = Parse(text);
    CallResult r = RunJs(*engine_, "exports = function(x) { return x; };", {value});
    ASSERT_TRUE(r.status.ok()) << text << ": " << r.status.ToString();
    EXPECT_EQ(Canonical(r.value), Canonical(value)) << text;
    // And the same value nested inside a document and an array.
    r = RunJs(*engine_, "exports = function(x) { return {x, list: [x]}; };", {value});
    ASSERT_TRUE(r.status.ok()) << text << ": " << r.status.ToString();
    EXPECT_EQ(Canonical(r.value),
              "{\"x\":" + Canonical(value) + ",\"list\":[" + Canonical(value) + "]}")
        << text;
  }
}

TEST_F(ValuesTest, AnyNanBitPatternArrivesAsNaN) {
  // 0x7ff...1234 and a negative quiet NaN: not what JS uses for NaN.
  double odd = 0, negative = 0;
  std::uint64_t bits = 0x7ff0000000001234ull;
  std::memcpy(&odd, &bits, sizeof odd);
  bits = 0xfff8000000000000ull;
  std::memcpy(&negative, &bits, sizeof negative);
  CallResult r =
      RunJs(*engine_, "exports = (a, b) => [Number.isNaN(a), Number.isNaN(b), typeof a];",
            {odd, negative});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(doc::ToRelaxedJson(r.value), R"([true,true,"number"])");
}

TEST_F(ValuesTest, ArgumentsHaveTheirJsTypes) {
  CallResult r =
      RunJs(*engine_,
            "exports = function(i, d, l, dec, oid, date, bin, re) { return [typeof i, typeof d,"
            " l instanceof BSON.Long, dec instanceof BSON.Decimal128, oid instanceof BSON.ObjectId,"
            " date instanceof Date, bin instanceof BSON.Binary, re instanceof BSON.BSONRegExp,"
            " l.toString(), dec.toString(), oid.toHexString(), date.getTime(), bin.toHex()]; };",
            {Parse(R"({"$numberInt":"1"})"), Parse(R"({"$numberDouble":"2.5"})"),
             Parse(R"({"$numberLong":"-12"})"), Parse(R"({"$numberDecimal":"3.14"})"),
             Parse(R"({"$oid":"0123456789abcdef01234567"})"),
             Parse(R"({"$date":{"$numberLong":"86400000"}})"),
             Parse(R"({"$binary":{"base64":"AAEC/w==","subType":"00"}})"),
             Parse(R"({"$regularExpression":{"pattern":"a","options":"i"}})")});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      doc::ToRelaxedJson(r.value),
      R"(["number","number",true,true,true,true,true,true,"-12","3.14","0123456789abcdef01234567",86400000,"000102ff"])");
}

TEST_F(ValuesTest, JsNumbersBecomeInt32OrDouble) {
  CallResult r = RunJs(*engine_,
                       "exports = () => [1, -1, 2147483647, 2147483648, 0.5, -0, 1e300, 3.0,"
                       " BSON.Int32(5), BSON.Double(5), BSON.Long.fromNumber(5)];");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      Canonical(r.value),
      R"([{"$numberInt":"1"},{"$numberInt":"-1"},{"$numberInt":"2147483647"},)"
      R"({"$numberDouble":"2147483648.0"},{"$numberDouble":"0.5"},{"$numberDouble":"-0.0"},)"
      R"({"$numberDouble":"1e+300"},{"$numberInt":"3"},{"$numberInt":"5"},{"$numberDouble":"5.0"},)"
      R"({"$numberLong":"5"}])");
}

TEST_F(ValuesTest, JsOnlyValuesConvertLikeJson) {
  CallResult r =
      RunJs(*engine_,
            "exports = () => ({u: undefined, f() {}, s: Symbol('x'), arr: [undefined, , 1],"
            " re: /ab+c/gi, bytes: new Uint8Array([1, 2]), nested: {ok: true}});");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      Canonical(r.value),
      R"({"arr":[null,null,{"$numberInt":"1"}],"re":{"$regularExpression":{"pattern":"ab+c","options":"i"}},)"
      R"("bytes":{"$binary":{"base64":"AQI=","subType":"00"}},"nested":{"ok":true}})");
  r = RunJs(*engine_, "exports = () => {};");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.value.type(), doc::Type::kUndefined);
  r = RunJs(*engine_, "exports = () => 10n;");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_NE(r.status.message().find("BigInt"), std::string::npos);
  r = RunJs(*engine_, "exports = () => new Date(NaN);");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
}

TEST_F(ValuesTest, DepthIsLimitedBothWays) {
  CallResult r =
      RunJs(*engine_,
            "exports = () => { let o = {}; const top = o;"
            " for (let i = 0; i < 150; i++) { o.next = {}; o = o.next; } return top; };");
  EXPECT_EQ(r.status.code(), ErrorCode::kDepthLimitExceeded) << r.status.ToString();
  // A cycle is just infinitely deep.
  r = RunJs(*engine_, "exports = () => { const a = {}; a.self = a; return a; };");
  EXPECT_EQ(r.status.code(), ErrorCode::kDepthLimitExceeded);
  // Arguments past the depth limit are refused before queuing.
  doc::Value deep = doc::Document{};
  for (int i = 0; i < 120; ++i) deep = doc::Document{{"d", deep}};
  r = RunJs(*engine_, "exports = (x) => 1;", {deep});
  EXPECT_EQ(r.status.code(), ErrorCode::kDepthLimitExceeded);
}

TEST_F(ValuesTest, BsonHelpers) {
  CallResult r = RunJs(
      *engine_,
      "exports = () => {\n"
      "  const a = new BSON.ObjectId(); const b = BSON.ObjectId(a.toHexString());\n"
      "  const t = BSON.ObjectId('5f0c1a000000000000000000').getTimestamp().toISOString();\n"
      "  const l = BSON.Long.fromString('9223372036854775807');\n"
      "  return [a.equals(b), /^[0-9a-f]{24}$/.test(a.toString()), t, l.toString(),\n"
      "    BSON.Long.fromNumber(42).toNumber(), BSON.Long(1, 1).toString(),\n"
      "    BSON.Decimal128.fromString('0.10').toString(), BSON.Binary.fromHex('6869').text(),\n"
      "    BSON.Binary.fromBase64('aGk=').toHex(), BSON.Binary.fromText('hi').toBase64(),\n"
      "    new BSON.BSONRegExp('x', 'mi').options, BSON.MinKey()._bsontype,\n"
      "    BSON.ObjectId.isValid('zz'), l];\n"
      "};");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      Canonical(r.value),
      R"([true,true,"2020-07-13T08:23:28.000Z","9223372036854775807",{"$numberInt":"42"},"4294967297",)"
      R"("0.10","hi","6869","aGk=","im","MinKey",false,{"$numberLong":"9223372036854775807"}])");
  r = RunJs(*engine_, "exports = () => BSON.ObjectId('nothex');");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  r = RunJs(*engine_, "exports = () => BSON.Decimal128.fromString('abc');");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
}

TEST_F(ValuesTest, EjsonOverTheValueModel) {
  CallResult r = RunJs(
      *engine_,
      "exports = () => {\n"
      "  const v = {n: 1, d: 1.5, l: BSON.Long.fromNumber(3), when: new Date(0),\n"
      "             id: BSON.ObjectId('0123456789abcdef01234567')};\n"
      "  const relaxed = EJSON.stringify(v);\n"
      "  const canonical = EJSON.stringify(v, {relaxed: false});\n"
      "  const back = EJSON.parse(canonical);\n"
      "  const ser = EJSON.serialize({x: BSON.Long.fromNumber(1)}, {relaxed: false});\n"
      "  const de = EJSON.deserialize({x: {$numberLong: '5'}});\n"
      "  return {relaxed, canonical, backId: back.id instanceof BSON.ObjectId,\n"
      "          backWhen: back.when instanceof Date, ser, deLong: de.x instanceof BSON.Long};\n"
      "};");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      doc::ToRelaxedJson(r.value),
      R"({"relaxed":"{\"n\":1,\"d\":1.5,\"l\":3,\"when\":{\"$date\":\"1970-01-01T00:00:00.000Z\"},\"id\":{\"$oid\":\"0123456789abcdef01234567\"}}",)"
      R"("canonical":"{\"n\":{\"$numberInt\":\"1\"},\"d\":{\"$numberDouble\":\"1.5\"},\"l\":{\"$numberLong\":\"3\"},\"when\":{\"$date\":{\"$numberLong\":\"0\"}},\"id\":{\"$oid\":\"0123456789abcdef01234567\"}}",)"
      R"("backId":true,"backWhen":true,"ser":{"x":{"$numberLong":"1"}},"deLong":true})");
  r = RunJs(*engine_, "exports = () => EJSON.parse('{bad');");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_NE(r.status.message().find("EJSON.parse"), std::string::npos);
}

TEST_F(ValuesTest, UtilsCrypto) {
  CallResult r = RunJs(*engine_,
                       "exports = () => [utils.crypto.hash('sha256', 'abc').toHex(),\n"
                       "  utils.crypto.hmac('data', 'key', 'sha256', 'hex'),\n"
                       "  utils.crypto.hmac('data', 'key', 'sha256', 'base64')];");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(doc::ToRelaxedJson(r.value),
            R"(["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",)"
            R"("5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0",)"
            R"("UDH+PZicbRU3oBP6bnOdojRj/a7DtwE32Cjjas4iG9A="])");
  r = RunJs(*engine_, "exports = () => utils.crypto.hash('whirlpool', 'x');");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
}

}  // namespace
}  // namespace plinth::js::mozjs
