#include <gtest/gtest.h>

#include <string>

#include "doc/compare.h"
#include "doc/ejson.h"
#include "expr/arithmetic.h"
#include "expr/expression.h"
#include "expr/expression_object.h"

namespace plinth::expr {
namespace {

using base::ErrorCode;
using doc::Value;

Value Json(const std::string& text) {
  auto v = doc::ParseJson(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : Value();
}

// Evaluates `expr` against `document`; "MISSING" for a missing result, the
// error code's name for an error, else the relaxed JSON of the value.
std::string Eval(const std::string& expr, const std::string& document = "{}",
                 std::int64_t now = 0) {
  auto parsed = Expression::Parse(Json(expr));
  if (!parsed.ok()) return "parse:" + std::string(base::ErrorCodeSymbol(parsed.status().code()));
  const Value d = Json(document);
  EvalContext ctx;
  ctx.root = &d.as_document();
  ctx.now_millis = now;
  auto v = parsed->Evaluate(ctx);
  if (!v.ok()) return "error:" + std::string(base::ErrorCodeSymbol(v.status().code()));
  if (!v->has_value()) return "MISSING";
  return doc::ToRelaxedJson(**v);
}

std::string ParseError(const std::string& expr, const ParseContext& ctx = {}) {
  auto parsed = Expression::Parse(Json(expr), ctx);
  return parsed.ok() ? "ok" : parsed.status().message();
}

TEST(ExprTest, FieldPathsThroughArrays) {
  EXPECT_EQ(Eval(R"("$a.b")", R"({"a": [{"b": 1}, {"c": 2}, 5, {"b": [3]}]})"), "[1,[3]]");
  EXPECT_EQ(Eval(R"("$a.b")", R"({"a": [[{"b": 1}]]})"), "[[1]]");
  EXPECT_EQ(Eval(R"("$a.0")", R"({"a": [10, 20]})"), "[]");
  EXPECT_EQ(Eval(R"("$x")", R"({"a": 1})"), "MISSING");
  EXPECT_EQ(Eval(R"("$$ROOT.a")", R"({"a": 1})"), "1");
  EXPECT_EQ(Eval(R"("$$CURRENT")", R"({"a": 1})"), R"({"a":1})");
  EXPECT_EQ(Eval(R"("$$REMOVE")"), "MISSING");
}

TEST(ExprTest, ParseErrors) {
  EXPECT_EQ(ParseError(R"({"$foo": 1})"), "Unrecognized expression '$foo'");
  EXPECT_EQ(ParseError(R"({"$abs": [1, 2]})"),
            "Expression $abs takes exactly 1 arguments. 2 were passed in.");
  EXPECT_EQ(ParseError(R"("$$x")"), "Use of undefined variable: x");
  EXPECT_EQ(
      ParseError(R"({"$add": [1], "$sub": 2})").find("exactly one field") != std::string::npos,
      true);
  EXPECT_EQ(ParseError(R"("$")"), "'$' by itself is not a valid FieldPath");
  EXPECT_EQ(ParseError(R"("$a..b")"), "FieldPath field names may not be empty strings.");
  EXPECT_EQ(ParseError(R"({"$let": {"vars": {"Bad": 1}, "in": 1}})"),
            "'Bad' starts with an invalid character for a user variable name");
  EXPECT_EQ(ParseError(R"({"$cond": {"if": true, "then": 1}})"),
            "Missing 'else' parameter to $cond");
  EXPECT_EQ(ParseError(R"({"$map": {"input": [], "as": "x", "in": 1, "bogus": 1}})"),
            "Unrecognized parameter to $map: bogus");
  EXPECT_EQ(ParseError(R"({"$ifNull": ["$a"]})"), "$ifNull needs at least two arguments, had: 1");
  EXPECT_EQ(ParseError(R"({"$function": {}})"),
            "$function is not supported: Plinth does not run JavaScript in queries");
  EXPECT_EQ(ParseError(R"({"$regexMatch": {}})"), "expression $regexMatch is not supported yet");
}

TEST(ExprTest, VariableScoping) {
  // A variable is visible only inside the expression that binds it.
  EXPECT_EQ(ParseError(R"({"$add": [{"$let": {"vars": {"x": 1}, "in": "$$x"}}, "$$x"]})"),
            "Use of undefined variable: x");
  EXPECT_EQ(ParseError(R"({"$map": {"input": [1], "as": "e", "in": "$$this"}})"),
            "Use of undefined variable: this");
  EXPECT_EQ(Eval(R"({"$map": {"input": [1, 2], "in": {"$add": ["$$this", 1]}}})"), "[2,3]");
  // Inner bindings shadow outer ones; outer ones stay visible.
  EXPECT_EQ(Eval(R"({"$let": {"vars": {"x": 1, "y": 10}, "in": {"$let": {"vars": {"x": 2},
               "in": {"$add": ["$$x", "$$y"]}}}}})"),
            "12");
  // Variables bound by the caller are declared through ParseContext.
  ParseContext pc;
  pc.variables = {"limit"};
  auto e = Expression::Parse(Json(R"({"$gt": ["$a", "$$limit"]})"), pc);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  Variables vars;
  vars.Set("limit", Value(3));
  const Value d = Json(R"({"a": 5})");
  EvalContext ctx;
  ctx.root = &d.as_document();
  ctx.variables = &vars;
  auto v = e->Evaluate(ctx);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(**v, Value(true));
  EXPECT_FALSE(e->is_constant());
  EXPECT_TRUE(Expression::Parse(Json(R"({"$add": [1, {"$multiply": [2, 3]}]})"))->is_constant());
  EXPECT_EQ(Eval(R"({"$reduce": {"input": [1, 2, 3], "initialValue": 0,
               "in": {"$add": ["$$value", "$$this"]}}})"),
            "6");
}

TEST(ExprTest, DepthLimit) {
  std::string deep = "1";
  for (std::size_t i = 0; i < kMaxExpressionDepth; ++i) deep = R"({"$abs": )" + deep + "}";
  auto too_deep = Expression::Parse(Json(deep));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().code(), ErrorCode::kDepthLimitExceeded);
  std::string ok = "1";
  for (std::size_t i = 0; i < kMaxExpressionDepth / 2 - 1; ++i) ok = R"({"$abs": )" + ok + "}";
  EXPECT_TRUE(Expression::Parse(Json(ok)).ok());
  std::string arrays = "1";
  for (std::size_t i = 0; i < kMaxExpressionDepth; ++i) arrays = "[" + arrays + "]";
  EXPECT_EQ(Expression::Parse(Json(arrays)).status().code(), ErrorCode::kDepthLimitExceeded);
}

TEST(ExprTest, NowIsWhatTheCallerFixes) {
  EXPECT_EQ(Eval(R"("$$NOW")", "{}", 1000), R"({"$date":"1970-01-01T00:00:01.000Z"})");
  EXPECT_EQ(Eval(R"({"$eq": ["$$NOW", "$$NOW"]})", "{}", 1234), "true");
}

TEST(ExprTest, RangeIsBounded) {
  EXPECT_EQ(Eval(R"({"$range": [0, 2000000000]})"), "error:ExceededMemoryLimit");
  EXPECT_EQ(Eval(R"({"$range": [0, 10, 3]})"), "[0,3,6,9]");
  EXPECT_EQ(Eval(R"({"$range": [5, 0, -2]})"), "[5,3,1]");
  EXPECT_EQ(Eval(R"({"$range": [0, 5, 0]})"), "error:BadValue");
}

TEST(ExprTest, ArithmeticPromotion) {
  EXPECT_EQ(Eval(R"({"$add": [2147483647, 1]})"), "2147483648");
  EXPECT_EQ(Eval(R"({"$type": {"$add": [2147483647, 1]}})"), R"("long")");
  EXPECT_EQ(Eval(R"({"$type": {"$add": [{"$numberLong": "9223372036854775807"}, 1]}})"),
            R"("double")");
  EXPECT_EQ(Eval(R"({"$type": {"$multiply": [{"$numberLong": "9223372036854775807"}, 2]}})"),
            R"("double")");
  EXPECT_EQ(Eval(R"({"$type": {"$add": [1, {"$numberDecimal": "1.5"}]}})"), R"("decimal")");
  EXPECT_EQ(Eval(R"({"$divide": [1, 0]})"), "error:BadValue");
  EXPECT_EQ(Eval(R"({"$add": ["a", 1]})"), "error:TypeMismatch");
  EXPECT_EQ(Eval(R"({"$round": [2.5, 0]})"), "2.0");
  EXPECT_EQ(Eval(R"({"$round": [3.5]})"), "4.0");
  EXPECT_EQ(Eval(R"({"$round": [1250, -2]})"), "1200");
  EXPECT_EQ(Eval(R"({"$trunc": [-7.89, 1]})"), "-7.8");
  EXPECT_EQ(Eval(R"({"$pow": [2, 10]})"), "1024");
  EXPECT_EQ(Eval(R"({"$pow": [2, -1]})"), "0.5");
  EXPECT_EQ(Eval(R"({"$mod": [-7, 3]})"), "-1");
  EXPECT_EQ(Eval(R"({"$abs": -2147483648})"), "2147483648");
  EXPECT_EQ(Eval(R"({"$subtract": [{"$date": "2020-01-02T00:00:00Z"},
               {"$date": "2020-01-01T00:00:00Z"}]})"),
            "86400000");
}

TEST(ExprTest, Dates) {
  const std::string d = R"({"d": {"$date": "2021-01-03T10:20:30.456Z"}})";
  EXPECT_EQ(
      Eval(
          R"({"$dateToString": {"date": "$d", "format": "%Y-%m-%d %H:%M:%S.%L %j %w %u %U %V %G"}})",
          d),
      R"("2021-01-03 10:20:30.456 003 1 7 01 53 2020")");
  EXPECT_EQ(
      Eval(R"({"$dateToString": {"date": "$d", "format": "%H:%M %z %Z", "timezone": "+05:30"}})",
           d),
      R"("15:50 +0530 +330")");
  EXPECT_EQ(Eval(R"({"$dateToString": {"date": "$d", "timezone": "Europe/London"}})", d),
            "error:BadValue");
  EXPECT_EQ(Eval(R"({"$isoWeek": "$d"})", d), "53");
  EXPECT_EQ(Eval(R"({"$week": "$d"})", d), "1");
  EXPECT_EQ(Eval(R"({"$dayOfWeek": "$d"})", d), "1");
  EXPECT_EQ(Eval(R"({"$hour": {"date": "$d", "timezone": "-0300"}})", d), "7");
  EXPECT_EQ(Eval(R"({"$year": "x"})", d), "error:TypeMismatch");
  EXPECT_EQ(Eval(R"({"$dateToString": {"date": "$d", "timezone": null}})", d), "null");
  // Dates before the epoch and the ISO week of a year's first days.
  EXPECT_EQ(Eval(R"({"$dateToString": {"date": {"$date": "1969-12-31T23:59:59.999Z"},
               "format": "%Y-%m-%d %H:%M:%S.%L %w"}})"),
            R"("1969-12-31 23:59:59.999 4")");
  EXPECT_EQ(Eval(R"({"$isoWeekYear": {"$date": "2018-12-31T00:00:00Z"}})"), "2019");
}

TEST(ExprTest, ExpressionObjectAddFieldsAndProject) {
  auto add = ExpressionObject::Parse(
      Json(R"({"s.t": {"$add": ["$a", 1]}, "b": "$$REMOVE"})").as_document(),
      ExpressionObject::Mode::kAddFields);
  ASSERT_TRUE(add.ok()) << add.status().ToString();
  const Value d = Json(R"({"_id": 1, "a": 1, "b": 2, "s": {"u": 0}})");
  EvalContext ctx;
  ctx.root = &d.as_document();
  auto out = add->Apply(d.as_document(), ctx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(doc::ToRelaxedJson(*out), R"({"_id":1,"a":1,"s":{"u":0,"t":2}})");

  auto proj =
      ExpressionObject::Parse(Json(R"({"s": 1, "c": {"$multiply": ["$a", 10]}})").as_document(),
                              ExpressionObject::Mode::kProject);
  ASSERT_TRUE(proj.ok());
  out = proj->Apply(d.as_document(), ctx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(doc::ToRelaxedJson(*out), R"({"_id":1,"s":{"u":0},"c":10})");

  // A dotted computed path builds the sub-document the input lacks.
  auto dotted = ExpressionObject::Parse(Json(R"({"x.y": {"$literal": 7}})").as_document(),
                                        ExpressionObject::Mode::kProject);
  ASSERT_TRUE(dotted.ok());
  out = dotted->Apply(d.as_document(), ctx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(doc::ToRelaxedJson(*out), R"({"_id":1,"x":{"y":7}})");

  EXPECT_FALSE(ExpressionObject::Parse(Json(R"({"a": 0, "c": "$a"})").as_document(),
                                       ExpressionObject::Mode::kProject)
                   .ok());
  EXPECT_FALSE(ExpressionObject::Parse(Json(R"({"a": "$x", "a.b": 1})").as_document(),
                                       ExpressionObject::Mode::kAddFields)
                   .ok());
}

TEST(ExprTest, ArithmeticHelpersSharedWithUpdate) {
  EXPECT_FALSE(
      Arithmetic(Value(std::int64_t{INT64_MAX}), Value(1), ArithmeticOp::kAdd).has_value());
  EXPECT_EQ(*Arithmetic(Value(5), Value(7), ArithmeticOp::kSubtract), Value(-2));
}

TEST(ExprTest, CopiesShareTheTree) {
  auto e = Expression::Parse(Json(R"({"$concat": ["a", "$s"]})"));
  ASSERT_TRUE(e.ok());
  Expression copy = *e;
  const Value d = Json(R"({"s": "b"})");
  EvalContext ctx;
  ctx.root = &d.as_document();
  EXPECT_EQ(**copy.Evaluate(ctx), Value("ab"));
  EXPECT_EQ(**Expression().Evaluate(ctx), Value());
}

}  // namespace
}  // namespace plinth::expr
