// The rules case corpus runner: one GoogleTest per (file, test), registered at
// start-up from every *.json in tests/cases/rules/ (format: README.md there).
// A file that does not parse or breaks the format is one failing test
// `<suite>.malformed` naming the problem.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/field_reader.h"
#include "config/rule.h"
#include "doc/ejson.h"
#include "rules/expression.h"
#include "rules/role_decision.h"

namespace plinth::rules {
namespace {

const char kDir[] = PLINTH_SOURCE_DIR "/tests/cases/rules";

std::string Json(const doc::Value& v) { return doc::ToCanonicalJson(v); }

std::string SuiteName(const std::string& stem) {
  std::string out = "RulesCases_";
  for (char c : stem) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// The parsed file; shared by its tests.
struct CaseFile {
  std::string path;
  doc::Document file;
  std::optional<CompiledRules> rules;
};

const doc::Document* DocAt(const doc::Document& d, std::string_view key) {
  const doc::Value* v = d.Get(key);
  return v != nullptr && v->is_document() ? &v->as_document() : nullptr;
}

// Checks one test's keys; empty when fine.
std::string CheckTest(const doc::Document& test, bool has_rules) {
  static const std::set<std::string> kKnown = {"name",
                                               "comment",
                                               "expression",
                                               "kind",
                                               "user",
                                               "document",
                                               "prev_document",
                                               "this",
                                               "prev",
                                               "values",
                                               "environment",
                                               "request",
                                               "expect",
                                               "compile_error",
                                               "expect_query",
                                               "expect_role",
                                               "expect_read",
                                               "expect_write",
                                               "expect_insert",
                                               "expect_delete",
                                               "expect_search",
                                               "expect_filters",
                                               "expect_projection",
                                               "write_after",
                                               "expect_write_fields"};
  for (const auto& [key, unused] : test) {
    if (!kKnown.count(key)) return "unknown key \"" + key + "\"";
  }
  const doc::Value* name = test.Get("name");
  if (name == nullptr || !name->is_string()) return "a test needs a string \"name\"";
  bool expression = test.Has("expression");
  int checks = 0;
  for (const auto& [key, unused] : test) {
    if (key.rfind("expect", 0) == 0 || key == "compile_error") ++checks;
  }
  if (checks == 0) return "test \"" + name->as_string() + "\" checks nothing";
  if (!expression && !has_rules) return "test \"" + name->as_string() + "\" needs an expression";
  if (test.Has("compile_error") && checks > 1) return "compile_error with other checks";
  if (test.Has("write_after") != test.Has("expect_write_fields")) {
    return "write_after and expect_write_fields go together";
  }
  return "";
}

void RunTest(const CaseFile& file, const doc::Document& test) {
  const doc::Document& f = file.file;
  auto part = [&](std::string_view key) -> const doc::Document* {
    if (const doc::Document* d = DocAt(test, key)) return d;
    return DocAt(f, key);
  };
  EvalContext ctx;
  ctx.values = part("values");
  ctx.environment = part("environment");
  ctx.request = part("request");
  if (const doc::Value* user = test.Get("user"); user != nullptr && user->is_string()) {
    const doc::Document* users = DocAt(f, "users");
    ctx.user = users ? DocAt(*users, user->as_string()) : nullptr;
    ASSERT_NE(ctx.user, nullptr) << "no user \"" << user->as_string() << "\" in \"users\"";
  }
  ctx.root = DocAt(test, "document");
  ctx.prev_root = DocAt(test, "prev_document");
  ctx.this_value = test.Get("this");
  ctx.prev = test.Get("prev");

  if (const doc::Value* raw = test.Get("expression")) {
    ExpressionKind kind = ExpressionKind::kDocument;
    if (const doc::Value* k = test.Get("kind")) {
      std::string s = k->is_string() ? k->as_string() : "";
      if (s == "filter_apply_when") {
        kind = ExpressionKind::kFilterApplyWhen;
      } else if (s == "filter_query") {
        kind = ExpressionKind::kFilterQuery;
      } else {
        ASSERT_EQ(s, "document") << "unknown kind";
      }
    }
    auto compiled = Expression::Compile(*raw, kind);
    if (const doc::Value* want = test.Get("compile_error")) {
      ASSERT_FALSE(compiled.ok()) << "compiled, expected an error containing " << Json(*want);
      EXPECT_EQ(compiled.status().code(), base::ErrorCode::kInvalidConfig);
      ASSERT_TRUE(want->is_string());
      EXPECT_NE(compiled.status().message().find(want->as_string()), std::string::npos)
          << compiled.status().message();
      return;
    }
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    if (const doc::Value* want = test.Get("expect")) {
      ASSERT_TRUE(want->is_bool());
      EXPECT_EQ(compiled->Evaluate(ctx), want->as_bool()) << Json(*raw);
    }
    if (const doc::Value* want = test.Get("expect_query")) {
      auto q = compiled->ExpandQuery(ctx);
      ASSERT_TRUE(q.ok()) << q.status().ToString();
      EXPECT_EQ(Json(doc::Value(*q)), Json(*want));
    }
    return;
  }

  ASSERT_TRUE(file.rules.has_value());
  if (const doc::Value* want = test.Get("expect_filters")) {
    doc::Array names;
    for (const CompiledFilter* filter : file.rules->ApplicableFilters(ctx)) {
      names.Append(filter->name);
    }
    EXPECT_EQ(Json(doc::Value(names)), Json(*want));
  }
  RoleDecision d = file.rules->Decide(ctx);
  if (const doc::Value* want = test.Get("expect_role")) {
    EXPECT_EQ(Json(d.has_role() ? doc::Value(d.role_name()) : doc::Value()), Json(*want));
  }
  auto check_bool = [&](std::string_view key, bool actual) {
    if (const doc::Value* want = test.Get(key)) {
      ASSERT_TRUE(want->is_bool()) << key;
      EXPECT_EQ(actual, want->as_bool()) << key;
    }
  };
  check_bool("expect_read", d.CanReadDocument());
  check_bool("expect_write", d.CanWriteDocument());
  check_bool("expect_insert", d.CanInsert());
  check_bool("expect_delete", d.CanDelete());
  check_bool("expect_search", d.CanSearch());
  if (const doc::Value* want = test.Get("expect_projection")) {
    ASSERT_NE(ctx.root, nullptr) << "expect_projection needs a document";
    EXPECT_EQ(Json(doc::Value(d.ReadableProjection(*ctx.root))), Json(*want));
  }
  if (const doc::Value* after = test.Get("write_after")) {
    ASSERT_TRUE(after->is_document());
    static const doc::Document kEmpty;
    check_bool("expect_write_fields",
               d.CanWriteFields(ctx.root ? *ctx.root : kEmpty, after->as_document()));
  }
}

template <typename F>
void Register(const std::string& suite, const std::string& name, const std::string& path, F fn) {
  testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, path.c_str(), 1,
                        [fn]() -> testing::Test* {
                          struct T : testing::Test {
                            explicit T(F f) : f_(f) {}
                            void TestBody() override { f_(); }
                            F f_;
                          };
                          return new T(fn);
                        });
}

void Malformed(const std::string& suite, const std::string& path, const std::string& why) {
  Register(suite, "malformed", path, [path, why] { FAIL() << path << ": " << why; });
}

bool RegisterAll() {
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kDir, ec)) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) {
    Register("RulesCases", "NoFiles", kDir, [] { FAIL() << "no *.json in " << kDir; });
    return true;
  }
  for (const auto& p : paths) {
    std::string path = p.string();
    std::string suite = SuiteName(p.stem().string());
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = doc::ParseJsonDocument(text.str());
    if (!parsed.ok()) {
      Malformed(suite, path, parsed.status().ToString());
      continue;
    }
    auto file = std::make_shared<CaseFile>();
    file->path = path;
    file->file = std::move(parsed).value();
    std::string problem;
    for (const auto& [key, unused] : file->file) {
      static const std::set<std::string> kFileKeys = {
          "description", "users", "values", "environment", "request", "rules", "tests"};
      if (!kFileKeys.count(key)) problem = "unknown file key \"" + key + "\"";
    }
    if (const doc::Value* rules = file->file.Get("rules"); rules && problem.empty()) {
      std::vector<config::ConfigError> errors;
      config::FileDiagnostics diag("rules.json", &errors, nullptr);
      config::FieldReader reader(*rules, "rules", &diag);
      config::RuleSet set = config::ParseRuleSet(reader);
      auto compiled = CompiledRules::Compile(set);
      if (!errors.empty()) {
        problem = config::FormatConfigErrors(errors);
      } else if (!compiled.ok()) {
        problem = compiled.status().ToString();
      } else {
        file->rules = std::move(compiled).value();
      }
    }
    const doc::Value* tests = file->file.Get("tests");
    if (problem.empty() && (tests == nullptr || !tests->is_array() || tests->as_array().empty())) {
      problem = "\"tests\" must be a non-empty array";
    }
    std::set<std::string> names;
    if (problem.empty()) {
      for (const doc::Value& t : tests->as_array()) {
        if (!t.is_document()) {
          problem = "a test must be an object";
          break;
        }
        problem = CheckTest(t.as_document(), file->rules.has_value());
        if (!problem.empty()) break;
        if (!names.insert(t.as_document().Get("name")->as_string()).second) {
          problem = "two tests named \"" + t.as_document().Get("name")->as_string() + "\"";
          break;
        }
      }
    }
    if (!problem.empty()) {
      Malformed(suite, path, problem);
      continue;
    }
    for (const doc::Value& t : tests->as_array()) {
      std::string name;
      for (char c : t.as_document().Get("name")->as_string()) {
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      }
      const doc::Document* test = &t.as_document();
      Register(suite, name, path, [file, test] { RunTest(*file, *test); });
    }
  }
  return true;
}

// Registered before main() runs RUN_ALL_TESTS (gtest_main).
const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace plinth::rules
