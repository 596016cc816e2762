// Runs the query case corpus (tests/cases/query/*.json, format in
// tests/cases/README.md) against the matcher, sort and projection directly:
// the "reference" target for find, findOne and count tests. Tests marked
// engine_only and other operations are left to tests/cases/case_test.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "base/error_code.h"
#include "doc/compare.h"
#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "matcher/matcher.h"
#include "matcher/projection.h"
#include "matcher/sort.h"

namespace plinth::matcher {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const doc::Document* GetDocument(const doc::Document& d, std::string_view name) {
  const doc::Value* v = d.Get(name);
  return v != nullptr && v->is_document() ? &v->as_document() : nullptr;
}

std::int64_t GetInt(const doc::Document& d, std::string_view name) {
  const doc::Value* v = d.Get(name);
  if (v == nullptr) return 0;
  if (const auto* i = v->get_if<std::int32_t>()) return *i;
  if (const auto* l = v->get_if<std::int64_t>()) return *l;
  if (const auto* x = v->get_if<double>()) return static_cast<std::int64_t>(*x);
  return 0;
}

bool GetBool(const doc::Document& d, std::string_view name) {
  const doc::Value* v = d.Get(name);
  return v != nullptr && v->is_bool() && v->as_bool();
}

// Runs one find/findOne/count test; the result value or the error.
base::Result<doc::Value> RunCase(const doc::Document& test, const doc::Array& documents) {
  static const doc::Document kEmpty;
  const doc::Document* filter = GetDocument(test, "filter");
  const doc::Document* sort = GetDocument(test, "sort");
  const doc::Document* projection = GetDocument(test, "projection");
  PLINTH_ASSIGN_OR_RETURN(auto matcher, Matcher::Parse(filter ? *filter : kEmpty));
  PLINTH_ASSIGN_OR_RETURN(SortSpec sort_spec, SortSpec::Parse(sort ? *sort : kEmpty));
  PLINTH_ASSIGN_OR_RETURN(Projection proj, Projection::Parse(projection ? *projection : kEmpty));
  const std::int64_t skip = GetInt(test, "skip");
  std::int64_t limit = GetInt(test, "limit");
  if (skip < 0) return base::BadValue("skip value must be non-negative");
  if (limit < 0) limit = -limit;
  std::vector<const doc::Document*> selected;
  for (const doc::Value& v : documents) {
    if (matcher->Matches(v.as_document())) selected.push_back(&v.as_document());
  }
  if (!sort_spec.empty()) {
    std::stable_sort(selected.begin(), selected.end(),
                     [&](const doc::Document* a, const doc::Document* b) {
                       return sort_spec.Compare(*a, *b) < 0;
                     });
  }
  std::vector<const doc::Document*> page;
  for (std::size_t i = static_cast<std::size_t>(skip); i < selected.size(); ++i) {
    if (limit > 0 && static_cast<std::int64_t>(page.size()) >= limit) break;
    page.push_back(selected[i]);
  }
  const std::string op = test.Get("op")->as_string();
  if (op == "count") return doc::Value(static_cast<std::int64_t>(page.size()));
  if (op == "findOne") return page.empty() ? doc::Value() : doc::Value(proj.Apply(*page[0]));
  doc::Array out;
  for (const doc::Document* d : page) out.Append(proj.Apply(*d));
  return doc::Value(std::move(out));
}

bool SameResult(const doc::Value& expected, const doc::Value& actual, bool exact_types,
                bool unordered) {
  if (exact_types) {
    if (!unordered || !expected.is_array() || !actual.is_array()) return expected == actual;
  }
  if (unordered && expected.is_array() && actual.is_array()) {
    std::vector<doc::Value> a = expected.as_array().values();
    std::vector<doc::Value> b = actual.as_array().values();
    if (a.size() != b.size()) return false;
    auto less = [](const doc::Value& x, const doc::Value& y) { return doc::Compare(x, y) < 0; };
    std::sort(a.begin(), a.end(), less);
    std::sort(b.begin(), b.end(), less);
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (exact_types ? !(a[i] == b[i]) : doc::Compare(a[i], b[i]) != 0) return false;
    }
    return true;
  }
  return doc::Compare(expected, actual) == 0;
}

fs::path QueryDir() { return fs::path(PLINTH_SOURCE_DIR) / "tests" / "cases" / "query"; }

TEST(MatcherCorpusTest, QueryCasesPass) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(QueryDir())) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no case files in " << QueryDir();
  int ran = 0;
  int skipped = 0;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    auto parsed = doc::ParseJsonDocument(ReadFile(file));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    const doc::Value* documents = parsed->Get("documents");
    ASSERT_TRUE(documents != nullptr && documents->is_array());
    for (const doc::Value& d : documents->as_array()) ASSERT_TRUE(d.is_document());
    const doc::Value* tests = parsed->Get("tests");
    ASSERT_TRUE(tests != nullptr && tests->is_array());
    std::set<std::string> names;
    for (const doc::Value& t : tests->as_array()) {
      ASSERT_TRUE(t.is_document());
      const doc::Document& test = t.as_document();
      const doc::Value* name = test.Get("name");
      ASSERT_TRUE(name != nullptr && name->is_string());
      SCOPED_TRACE(name->as_string());
      EXPECT_TRUE(names.insert(name->as_string()).second) << "duplicate test name";
      const doc::Value* op = test.Get("op");
      ASSERT_TRUE(op != nullptr && op->is_string());
      if (GetBool(test, "engine_only") ||
          (op->as_string() != "find" && op->as_string() != "findOne" &&
           op->as_string() != "count")) {
        ++skipped;
        continue;
      }
      ++ran;
      auto result = RunCase(test, documents->as_array());
      if (const doc::Value* error = test.Get("error")) {
        ASSERT_TRUE(error->is_string());
        if (result.ok()) {
          ADD_FAILURE() << "expected error " << error->as_string() << ", got "
                        << doc::ToCanonicalJson(*result);
          continue;
        }
        EXPECT_EQ(base::ErrorCodeSymbol(result.status().code()), error->as_string())
            << result.status().ToString();
        if (const doc::Value* contains = test.Get("error_contains")) {
          EXPECT_NE(result.status().message().find(contains->as_string()), std::string::npos)
              << result.status().ToString();
        }
        continue;
      }
      if (!result.ok()) {
        ADD_FAILURE() << "unexpected error " << result.status().ToString();
        continue;
      }
      const doc::Value* expect = test.Get("expect");
      if (expect == nullptr) {
        ADD_FAILURE() << "test has neither expect nor error";
        continue;
      }
      EXPECT_TRUE(
          SameResult(*expect, *result, GetBool(test, "exact_types"), GetBool(test, "unordered")))
          << "expected " << doc::ToRelaxedJson(*expect) << "\n     got "
          << doc::ToRelaxedJson(*result);
    }
  }
  std::printf("query corpus: %d tests run against the matcher, %d skipped, %zu files\n", ran,
              skipped, files.size());
  EXPECT_GT(ran, 0);
}

}  // namespace
}  // namespace plinth::matcher
