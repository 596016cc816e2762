#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/field_reader.h"
#include "config/rule.h"
#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "rules/expression.h"
#include "rules/role_decision.h"

namespace plinth::rules {
namespace {

doc::Value JsonValue(std::string_view text) {
  auto parsed = doc::ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? *parsed : doc::Value();
}

doc::Document Json(std::string_view text) {
  doc::Value v = JsonValue(text);
  return v.is_document() ? v.as_document() : doc::Document{};
}

base::Status CompileError(std::string_view text, ExpressionKind kind = ExpressionKind::kDocument) {
  auto e = Expression::Compile(JsonValue(text), kind);
  return e.ok() ? base::Status::Ok() : e.status();
}

config::RuleSet ParseRules(std::string_view text) {
  std::vector<config::ConfigError> errors;
  config::FileDiagnostics diag("rules.json", &errors, nullptr);
  doc::Value v = JsonValue(text);
  config::FieldReader reader(v, "", &diag);
  config::RuleSet rules = config::ParseRuleSet(reader);
  EXPECT_TRUE(errors.empty()) << config::FormatConfigErrors(errors);
  return rules;
}

const doc::Document kAlice = Json(
    R"({"id": "65a000000000000000000001", "type": "normal", "data": {"email": "a@x"},
        "custom_data": {"team": "red", "isTeamAdmin": true}, "identities": []})");
const doc::Document kBob = Json(
    R"({"id": "65a000000000000000000002", "type": "normal", "data": {},
        "custom_data": {"team": "blue"}, "identities": []})");

bool Eval(std::string_view expr, const doc::Document* user, const doc::Document* root) {
  auto e = Expression::Compile(JsonValue(expr), ExpressionKind::kDocument);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return false;
  EvalContext ctx;
  ctx.user = user;
  ctx.root = root;
  return e->Evaluate(ctx);
}

TEST(ExpressionCompileTest, RejectsUnknownExpansionNamingIt) {
  base::Status s = CompileError(R"({"owner": "%%usr.id"})");
  EXPECT_EQ(s.code(), base::ErrorCode::kInvalidConfig);
  EXPECT_NE(s.message().find("%%usr.id"), std::string::npos) << s.message();
  for (const char* bad : {R"({"a": "%%user.name"})", R"({"a": "%%user.id.x"})",
                          R"({"a": "%%values"})", R"({"a": "%%environment.x"})",
                          R"({"a": "%%truex"})", R"({"%%args.n": 1})", R"({"a": "%%partition"})"}) {
    EXPECT_EQ(CompileError(bad).code(), base::ErrorCode::kInvalidConfig) << bad;
  }
}

TEST(ExpressionCompileTest, RejectsUnknownOperatorNamingIt) {
  base::Status s = CompileError(R"({"a": {"%regexx": 1}})");
  EXPECT_EQ(s.code(), base::ErrorCode::kInvalidConfig);
  EXPECT_NE(s.message().find("%regexx"), std::string::npos) << s.message();
  for (const char* bad :
       {R"({"$where": "x"})", R"({"%gt": 1})", R"({"a": {"$in": 5}})", R"({"a": {"$exists": 1}})",
        R"({"%or": []})", R"({"a": {"$gt": 1, "b": 2}})", R"({"a": {"%stringToOid": {"x": 1}}})",
        R"({"a": {"%function": {"arguments": []}}})", R"("yes")", R"(5)"}) {
    EXPECT_EQ(CompileError(bad).code(), base::ErrorCode::kInvalidConfig) << bad;
  }
}

TEST(ExpressionCompileTest, AcceptsEveryDocumentedForm) {
  for (const char* good : {
           R"(true)",
           R"({})",
           R"({"owner": "%%user.id", "%%user.type": "normal"})",
           R"({"%%user.custom_data.isTeamAdmin": true, "team": "%%user.custom_data.team"})",
           R"({"%%user.id": {"$in": "%%values.admins"}})",
           R"({"%%true": {"%function": {"name": "isEven", "arguments": [42, "%%root.x"]}}})",
           R"({"%or": [{"%%prev": {"%exists": false}}, {"%%prev": "%%this"}]})",
           R"({"%%root.n": {"%and": [{"$gt": 0}, {"$lte": 42}]}})",
           R"({"owner": {"%stringToOid": "%%user.id"}, "s": {"%oidToString": "%%root._id"}})",
           R"({"%%environment.tag": "prod", "%%request.httpMethod": "GET"})",
           R"({"%not": {"a": 1}, "%nor": [{"b": 1}], "$and": [true]})",
       }) {
    EXPECT_TRUE(CompileError(good).ok()) << good << ": " << CompileError(good).ToString();
  }
}

TEST(ExpressionCompileTest, FiltersRejectDocumentExpansions) {
  EXPECT_TRUE(
      CompileError(R"({"%%user.id": {"$exists": true}})", ExpressionKind::kFilterApplyWhen).ok());
  for (const char* bad : {R"({"owner": 1})", R"({"%%root.owner": 1})", R"({"a": "%%this"})"}) {
    EXPECT_EQ(CompileError(bad, ExpressionKind::kFilterApplyWhen).code(),
              base::ErrorCode::kInvalidConfig)
        << bad;
  }
  EXPECT_EQ(CompileError(R"({"owner": "%%root.x"})", ExpressionKind::kFilterQuery).code(),
            base::ErrorCode::kInvalidConfig);
  EXPECT_EQ(CompileError(R"({"owner": {"$eqq": 1}})", ExpressionKind::kFilterQuery).code(),
            base::ErrorCode::kInvalidConfig);
  EXPECT_TRUE(CompileError(R"({"owner": "%%user.id", "t": {"$in": "%%values.teams"}})",
                           ExpressionKind::kFilterQuery)
                  .ok());
}

TEST(ExpressionCompileTest, DepthIsLimited) {
  std::string deep;
  for (int i = 0; i < 150; ++i) deep += R"({"%not": )";
  deep += "true";
  for (int i = 0; i < 150; ++i) deep += "}";
  auto parsed = doc::ParseJson(deep, doc::Limits{.max_depth = 1000});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto e = Expression::Compile(*parsed, ExpressionKind::kDocument);
  EXPECT_EQ(e.status().code(), base::ErrorCode::kInvalidConfig);
}

TEST(ExpressionTest, OwnerOnly) {
  doc::Document alice_doc = Json(R"({"user_account_id": "65a000000000000000000001"})");
  EXPECT_TRUE(Eval(R"({"user_account_id": "%%user.id"})", &kAlice, &alice_doc));
  EXPECT_FALSE(Eval(R"({"user_account_id": "%%user.id"})", &kBob, &alice_doc));
  EXPECT_FALSE(Eval(R"({"user_account_id": "%%user.id"})", nullptr, &alice_doc));
  // Missing on both sides is not a match.
  doc::Document empty;
  EXPECT_FALSE(Eval(R"({"user_account_id": "%%user.id"})", nullptr, &empty));
}

TEST(ExpressionTest, FunctionIsFalseWithoutRunner) {
  auto e = Expression::Compile(JsonValue(R"({"%%true": {"%function": {"name": "f"}}})"),
                               ExpressionKind::kDocument);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->uses_function());
  EXPECT_FALSE(e->Evaluate({}));
}

TEST(ExpressionTest, ExpandQuery) {
  auto e = Expression::Compile(
      JsonValue(R"({"owner": {"%stringToOid": "%%user.id"}, "team": "%%user.custom_data.team"})"),
      ExpressionKind::kFilterQuery);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EvalContext ctx;
  ctx.user = &kAlice;
  auto q = e->ExpandQuery(ctx);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, Json(R"({"owner": {"$oid": "65a000000000000000000001"}, "team": "red"})"));
  ctx.user = nullptr;
  EXPECT_EQ(*e->ExpandQuery(ctx), Json(R"({"$alwaysFalse": 1})"));
  auto not_query = Expression::Compile(true, ExpressionKind::kDocument);
  EXPECT_FALSE(not_query->ExpandQuery(ctx).ok());
}

TEST(CheckRuleSetTest, ListsEveryProblem) {
  config::RuleSet rules = ParseRules(R"({
    "roles": [{"name": "owner", "apply_when": {"o": "%%usr.id"}, "read": true,
               "fields": {"a": {"fields": {"b": {"write": {"%bogus": 1}}}}}}],
    "filters": [{"name": "own", "apply_when": {"owner": 1}, "query": {"o": "%%user.id"}}]})");
  std::vector<std::string> problems = CheckRuleSet(rules);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("roles[0] \"owner\": apply_when"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("fields.a.fields.b.write"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("filters[0] \"own\": apply_when"), std::string::npos) << problems[2];
  EXPECT_FALSE(CompiledRules::Compile(rules).ok());
}

TEST(CompiledRulesTest, CompileErrorNamesRoleAndField) {
  config::RuleSet rules = ParseRules(R"({
    "roles": [{"name": "ok", "apply_when": {}},
              {"name": "r", "apply_when": {}, "fields": {"x": {"read": {"%%user.nme": 1}}}}]})");
  auto compiled = CompiledRules::Compile(rules);
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().code(), base::ErrorCode::kInvalidConfig);
  EXPECT_NE(compiled.status().message().find("roles[1] \"r\": fields.x.read"), std::string::npos)
      << compiled.status().message();
  EXPECT_NE(compiled.status().message().find("%%user.nme"), std::string::npos);
}

TEST(CompiledRulesTest, EmptyRuleSetDeniesEverything) {
  auto compiled = CompiledRules::Compile({});
  ASSERT_TRUE(compiled.ok());
  doc::Document d = Json(R"({"a": 1})");
  RoleDecision decision = compiled->Decide({.user = &kAlice, .root = &d});
  EXPECT_FALSE(decision.has_role());
  EXPECT_FALSE(decision.CanReadDocument());
  EXPECT_FALSE(decision.CanInsert());
  EXPECT_FALSE(decision.CanWriteFields(d, d));
  EXPECT_TRUE(compiled->ApplicableFilters({}).empty());
}

TEST(ExpressionTest, CopiesShareTheCompiledTreeAndFilterQueryNeedsRoot) {
  auto e =
      Expression::Compile(JsonValue(R"({"owner": "%%user.id"})"), ExpressionKind::kFilterQuery);
  ASSERT_TRUE(e.ok());
  Expression copy = *e;
  EXPECT_EQ(copy.kind(), ExpressionKind::kFilterQuery);
  EXPECT_EQ(copy.raw(), e->raw());
  EXPECT_FALSE(copy.Evaluate({.user = &kAlice}));
  EXPECT_FALSE(copy.uses_function());
}

TEST(RoleDecisionTest, OwnerOnlyCustomData) {
  config::RuleSet rules = ParseRules(R"({
    "roles": [{"name": "owner", "apply_when": {"user_account_id": "%%user.id"},
               "document_filters": {"read": {"user_account_id": "%%user.id"},
                                    "write": {"user_account_id": "%%user.id"}},
               "read": true, "write": true, "insert": false, "delete": false, "search": false}],
    "filters": [{"name": "own", "apply_when": {}, "query": {"user_account_id": "%%user.id"}}]})");
  ASSERT_TRUE(CheckRuleSet(rules).empty());
  auto compiled = CompiledRules::Compile(rules);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  doc::Document d = Json(R"({"_id": 1, "user_account_id": "65a000000000000000000001", "x": 1})");
  EvalContext ctx{.user = &kAlice, .root = &d};
  RoleDecision alice = compiled->Decide(ctx);
  ASSERT_TRUE(alice.has_role());
  EXPECT_EQ(alice.role_name(), "owner");
  EXPECT_TRUE(alice.CanReadDocument());
  EXPECT_TRUE(alice.CanWriteDocument());
  EXPECT_FALSE(alice.CanInsert());
  EXPECT_FALSE(alice.CanDelete());
  EXPECT_FALSE(alice.CanSearch());
  EXPECT_EQ(alice.ReadableProjection(d), d);
  EXPECT_TRUE(alice.CanWriteFields(d, Json(R"({"_id": 1, "x": 2})")));

  ctx.user = &kBob;
  RoleDecision bob = compiled->Decide(ctx);
  EXPECT_FALSE(bob.has_role());
  EXPECT_FALSE(bob.CanReadDocument());
  EXPECT_FALSE(bob.CanWriteDocument());
  EXPECT_TRUE(bob.ReadableProjection(d).empty());

  auto filters = compiled->ApplicableFilters(ctx);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(*filters[0]->query.ExpandQuery(ctx),
            Json(R"({"user_account_id": "65a000000000000000000002"})"));
}

TEST(RoleDecisionTest, FieldRules) {
  config::RuleSet rules = ParseRules(R"({
    "roles": [{"name": "r", "apply_when": {},
               "fields": {"pub": {"read": true}, "mine": {"write": {"owner": "%%user.id"}},
                          "nested": {"fields": {"a": {"read": true}, "b": {"write": true}}},
                          "locked": {"read": false}},
               "additional_fields": {"read": {"%%user.custom_data.isTeamAdmin": true}}}]})");
  auto compiled = CompiledRules::Compile(rules);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  doc::Document d = Json(
      R"({"owner": "65a000000000000000000001", "pub": 1, "mine": 2,
          "nested": {"a": 1, "b": 2, "c": 3}, "locked": 4})");
  EvalContext ctx{.user = &kAlice, .root = &d};
  RoleDecision alice = compiled->Decide(ctx);
  EXPECT_EQ(alice.ReadableProjection(d),
            Json(R"({"owner": "65a000000000000000000001", "pub": 1, "mine": 2,
                     "nested": {"a": 1, "b": 2}})"));
  EXPECT_TRUE(alice.CanWriteFields(d, Json(R"({"owner": "65a000000000000000000001", "pub": 1,
      "mine": 3, "nested": {"a": 1, "b": 5, "c": 3}, "locked": 4})")));
  EXPECT_FALSE(alice.CanWriteFields(d, Json(R"({"owner": "65a000000000000000000001", "pub": 2,
      "mine": 2, "nested": {"a": 1, "b": 2, "c": 3}, "locked": 4})")));
  EXPECT_FALSE(alice.CanInsert());  // pub and locked are not writable
  ctx.user = &kBob;
  RoleDecision bob = compiled->Decide(ctx);
  EXPECT_EQ(bob.ReadableProjection(d), Json(R"({"pub": 1, "nested": {"a": 1, "b": 2}})"));
  EXPECT_FALSE(bob.CanWriteFields(d, Json(R"({"owner": "65a000000000000000000001", "pub": 1,
      "mine": 3, "nested": {"a": 1, "b": 2, "c": 3}, "locked": 4})")));
}

}  // namespace
}  // namespace plinth::rules

namespace plinth::rules {
namespace {

// Records each call and answers from a fixed table; "throws" fails.
class TableFunctions final : public FunctionCaller {
 public:
  base::Result<doc::Value> Call(std::string_view name, const doc::Array& arguments,
                                const EvalContext& ctx) const override {
    calls.push_back(std::string(name) + doc::ToRelaxedJson(doc::Value(arguments)) +
                    (ctx.user != nullptr ? " as " + ctx.user->Get("id")->as_string() : ""));
    if (name == "throws") return base::Status(base::ErrorCode::kFunctionExecutionError, "boom");
    if (name == "isEven") {
      return doc::Value(arguments.size() == 1 && arguments[0].type() == doc::Type::kInt32 &&
                        arguments[0].as_int32() % 2 == 0);
    }
    return doc::Value("blue");
  }
  mutable std::vector<std::string> calls;
};

bool EvaluateWith(const std::string& text, const std::string& root, const FunctionCaller* fns) {
  base::Result<Expression> e =
      Expression::Compile(*doc::ParseJson(text), ExpressionKind::kDocument);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  doc::Document user{{"id", doc::Value("u1")}};
  doc::Document document = doc::ParseJson(root)->as_document();
  EvalContext ctx;
  ctx.user = &user;
  ctx.root = &document;
  ctx.functions = fns;
  return e.ok() && e->Evaluate(ctx);
}

TEST(FunctionOperatorTest, ComparesTheResultWithResolvedArguments) {
  TableFunctions fns;
  const std::string even =
      R"({"%%true": {"%function": {"name": "isEven", "arguments": ["%%root.x"]}}})";
  EXPECT_TRUE(EvaluateWith(even, R"({"x": 4})", &fns));
  EXPECT_FALSE(EvaluateWith(even, R"({"x": 3})", &fns));
  ASSERT_EQ(fns.calls.size(), 2u);
  EXPECT_EQ(fns.calls[0], "isEven[4] as u1");
  // The key side may be any value: here the document's color.
  const std::string color = R"({"color": {"%function": {"name": "favorite"}}})";
  EXPECT_TRUE(EvaluateWith(color, R"({"color": "blue"})", &fns));
  EXPECT_FALSE(EvaluateWith(color, R"({"color": "red"})", &fns));
}

TEST(FunctionOperatorTest, ThrowingMissingArgumentOrNoRuntimeIsFalse) {
  TableFunctions fns;
  EXPECT_FALSE(EvaluateWith(R"({"%%false": {"%function": {"name": "throws"}}})", "{}", &fns));
  const std::string even =
      R"({"%%true": {"%function": {"name": "isEven", "arguments": ["%%root.missing"]}}})";
  EXPECT_FALSE(EvaluateWith(even, "{}", &fns));
  EXPECT_EQ(fns.calls.size(), 1u);  // the missing argument stops the call
  EXPECT_FALSE(EvaluateWith(even, R"({"missing": 2})", nullptr));
}

}  // namespace
}  // namespace plinth::rules
