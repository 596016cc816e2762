// The case corpus runner (tests/cases/README.md): one GoogleTest per
// (file, test, target), registered at start-up from every *.json below
// tests/cases/. A file that does not parse or breaks the format is one failing
// test named after the file.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error_code.h"
#include "doc/compare.h"
#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "tests/cases/case_file.h"
#include "tests/cases/target.h"

namespace plinth::cases {
namespace {

std::string Json(const doc::Value& v) { return doc::ToCanonicalJson(v); }

std::string Json(const std::vector<doc::Document>& docs) {
  return doc::ToCanonicalJson(DocumentsValue(docs));
}

// README: numbers compare by value across numeric types unless exact_types;
// documents compare field names, field order and values; arrays element by
// element; everything else by type and value.
bool SameValue(const doc::Value& expected, const doc::Value& actual, bool exact_types) {
  if (expected.is_number() && actual.is_number()) {
    if (exact_types && expected.type() != actual.type()) return false;
    return doc::Compare(expected, actual) == 0;
  }
  if (expected.type() != actual.type()) return false;
  if (expected.is_document()) {
    const auto& a = expected.as_document().fields();
    const auto& b = actual.as_document().fields();
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i].first != b[i].first) return false;
      if (!SameValue(a[i].second, b[i].second, exact_types)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    const auto& a = expected.as_array().values();
    const auto& b = actual.as_array().values();
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameValue(a[i], b[i], exact_types)) return false;
    }
    return true;
  }
  return doc::Compare(expected, actual) == 0;
}

// Multiset comparison of two arrays (`unordered`).
bool SameUnordered(const doc::Value& expected, const doc::Value& actual, bool exact_types) {
  if (!expected.is_array() || !actual.is_array()) return SameValue(expected, actual, exact_types);
  const auto& want = expected.as_array().values();
  const auto& got = actual.as_array().values();
  if (want.size() != got.size()) return false;
  std::vector<bool> used(got.size(), false);
  for (const doc::Value& w : want) {
    bool found = false;
    for (std::size_t i = 0; i < got.size() && !found; ++i) {
      if (!used[i] && SameValue(w, got[i], exact_types)) {
        used[i] = true;
        found = true;
      }
    }
    if (!found) return false;
  }
  return true;
}

void StripId(doc::Value* v) {
  if (v->is_document()) v->as_document().Remove("_id");
}

// ignore_ids: documents lose their top-level _id; generated ids in insert and
// upsert results compare by count and presence only.
void IgnoreIds(const std::string& op, doc::Value* v) {
  if (op == "insertOne" || op == "insertMany") {
    if (v->is_document()) {
      if (doc::Value* ids = v->as_document().GetMutable("insertedIds"); ids && ids->is_array()) {
        for (doc::Value& id : ids->as_array().mutable_values()) id = doc::Value();
      }
    }
    return;
  }
  if (op == "updateOne" || op == "updateMany" || op == "replaceOne") {
    if (v->is_document()) {
      if (doc::Value* id = v->as_document().GetMutable("upsertedId")) *id = doc::Value();
    }
    return;
  }
  if (v->is_array()) {
    for (doc::Value& e : v->as_array().mutable_values()) StripId(&e);
  } else {
    StripId(v);
  }
}

std::vector<doc::Document> WithoutIds(std::vector<doc::Document> docs) {
  for (doc::Document& d : docs) d.Remove("_id");
  return docs;
}

bool SameDocuments(const std::vector<doc::Document>& expected,
                   const std::vector<doc::Document>& actual, bool exact_types) {
  return SameValue(DocumentsValue(expected), DocumentsValue(actual), exact_types);
}

void RunCase(const CaseFile& file, const CaseTest& test, Target* target) {
  if (auto reason = target->SkipReason(file, test)) GTEST_SKIP() << *reason;
  SCOPED_TRACE(file.relative_path + ", test \"" + test.name + "\", op " + test.op);

  base::Status loaded = target->Load(file);
  ASSERT_TRUE(loaded.ok()) << "loading the file's documents and indexes failed: "
                           << loaded.ToString();
  auto before = target->Contents();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  auto indexes_before = target->Indexes();
  ASSERT_TRUE(indexes_before.ok()) << indexes_before.status().ToString();

  base::Result<doc::Value> result = target->Run(test);

  auto after = target->Contents();
  ASSERT_TRUE(after.ok()) << "reading the collection afterwards: " << after.status().ToString();

  if (test.error) {
    ASSERT_FALSE(result.ok()) << "expected error " << *test.error << ", got the result "
                              << Json(*result);
    const std::string symbol(base::ErrorCodeSymbol(result.status().code()));
    EXPECT_EQ(symbol, *test.error) << "the error was: " << result.status().ToString();
    if (test.error_contains) {
      EXPECT_NE(result.status().message().find(*test.error_contains), std::string::npos)
          << "the message \"" << result.status().message() << "\" lacks \"" << *test.error_contains
          << "\"";
    }
    // A failed operation changes nothing: same documents, same types, same
    // order, same indexes.
    EXPECT_TRUE(*before == *after)
        << "the collection changed after an error\n before: " << Json(*before)
        << "\n after:  " << Json(*after);
    auto indexes_after = target->Indexes();
    ASSERT_TRUE(indexes_after.ok()) << indexes_after.status().ToString();
    EXPECT_TRUE(*indexes_before == *indexes_after)
        << "the indexes changed after an error\n before: " << Json(*indexes_before)
        << "\n after:  " << Json(*indexes_after);
    return;
  }

  ASSERT_TRUE(result.ok()) << "unexpected error: " << result.status().ToString();

  if ((test.op == "insertOne" || test.op == "insertMany") && !test.database && !test.collection) {
    // Every reported id is the _id of a document now in the collection.
    const doc::Value* ids =
        result->is_document() ? result->as_document().Get("insertedIds") : nullptr;
    ASSERT_TRUE(ids != nullptr && ids->is_array()) << "insert result: " << Json(*result);
    for (const doc::Value& id : ids->as_array()) {
      bool found = false;
      for (const doc::Document& d : *after) {
        const doc::Value* did = d.Get("_id");
        if (did != nullptr && doc::Compare(*did, id) == 0) found = true;
      }
      EXPECT_TRUE(found) << "inserted id " << Json(id) << " is not in the collection";
    }
  }

  if (test.expect) {
    doc::Value want = *test.expect;
    doc::Value got = *result;
    if (test.ignore_ids) {
      IgnoreIds(test.op, &want);
      IgnoreIds(test.op, &got);
    }
    const bool same = test.unordered ? SameUnordered(want, got, test.exact_types)
                                     : SameValue(want, got, test.exact_types);
    EXPECT_TRUE(same) << "result differs" << (test.unordered ? " (unordered)" : "")
                      << "\n expected: " << Json(want) << "\n actual:   " << Json(got);
  }
  if (test.expect_collection) {
    std::vector<doc::Document> want = *test.expect_collection;
    std::vector<doc::Document> got = *after;
    if (test.ignore_ids) {
      want = WithoutIds(std::move(want));
      got = WithoutIds(std::move(got));
    }
    EXPECT_TRUE(SameDocuments(want, got, test.exact_types))
        << "collection differs\n expected: " << Json(want) << "\n actual:   " << Json(got);
  }
}

class CaseRun : public testing::Test {
 public:
  CaseRun(std::shared_ptr<const CaseFile> file, std::size_t index,
          std::function<std::unique_ptr<Target>()> make)
      : file_(std::move(file)), index_(index), make_(std::move(make)) {}

  void TestBody() override {
    std::unique_ptr<Target> target = make_();
    RunCase(*file_, file_->tests[index_], target.get());
  }

 private:
  std::shared_ptr<const CaseFile> file_;
  std::size_t index_;
  std::function<std::unique_ptr<Target>()> make_;
};

class Malformed : public testing::Test {
 public:
  explicit Malformed(std::string message) : message_(std::move(message)) {}
  void TestBody() override { FAIL() << "malformed case file: " << message_; }

 private:
  std::string message_;
};

// GoogleTest names: letters, digits and '_' ("query/in.json" -> "query_in").
std::string Identifier(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out;
}

std::string SuiteName(const std::string& relative_path) {
  std::string p = relative_path;
  if (p.size() > 5 && p.substr(p.size() - 5) == ".json") p.resize(p.size() - 5);
  return "Cases_" + Identifier(p);
}

struct TargetKind {
  const char* name;
  std::unique_ptr<Target> (*make)();
};

int RegisterAll() {
  const std::filesystem::path root = std::filesystem::path(PLINTH_SOURCE_DIR) / "tests" / "cases";
  const std::vector<std::filesystem::path> files = FindCaseFiles(root);
  if (files.empty()) {
    const std::string message = "no *.json case files below " + root.string();
    testing::RegisterTest("Cases", "NoFiles", nullptr, nullptr, __FILE__, __LINE__,
                          [message]() -> testing::Test* { return new Malformed(message); });
  }
  static const TargetKind kTargets[] = {{"reference", &NewReferenceTarget},
                                        {"sqlite", &NewSqliteTarget}};
  for (const std::filesystem::path& path : files) {
    base::Result<CaseFile> loaded = LoadCaseFile(path, root);
    const std::string relative = std::filesystem::relative(path, root).generic_string();
    const std::string suite = SuiteName(relative);
    if (!loaded.ok()) {
      const std::string message = loaded.status().message();
      const std::string file = path.string();
      testing::RegisterTest(suite.c_str(), "malformed", nullptr, nullptr, file.c_str(), 1,
                            [message]() -> testing::Test* { return new Malformed(message); });
      continue;
    }
    auto file = std::make_shared<const CaseFile>(std::move(loaded).value());
    for (std::size_t i = 0; i < file->tests.size(); ++i) {
      for (const TargetKind& kind : kTargets) {
        const std::string name = Identifier(file->tests[i].name) + "/" + kind.name;
        const std::string source = path.string();
        auto make = kind.make;
        testing::RegisterTest(
            suite.c_str(), name.c_str(), nullptr, nullptr, source.c_str(), 1,
            [file, i, make]() -> testing::Test* { return new CaseRun(file, i, make); });
      }
    }
  }
  return 0;
}

// Registered before main() runs RUN_ALL_TESTS (gtest_main).
[[maybe_unused]] const int kRegistered = RegisterAll();

}  // namespace

// Shared result shapes (target.h).
doc::Value UpdateResultValue(std::int64_t matched, std::int64_t modified,
                             const std::optional<doc::Value>& upserted_id) {
  doc::Document d;
  d.Append("matched", doc::Value(matched));
  d.Append("modified", doc::Value(modified));
  if (upserted_id) d.Append("upsertedId", *upserted_id);
  return doc::Value(std::move(d));
}

doc::Value DeleteResultValue(std::int64_t deleted) {
  return doc::Value(doc::Document{{"deleted", doc::Value(deleted)}});
}

doc::Value InsertResultValue(const std::vector<doc::Value>& ids) {
  doc::Array a;
  for (const doc::Value& id : ids) a.Append(id);
  return doc::Value(doc::Document{{"insertedIds", doc::Value(std::move(a))}});
}

doc::Value DocumentsValue(std::vector<doc::Document> docs) {
  doc::Array a;
  for (doc::Document& d : docs) a.Append(doc::Value(std::move(d)));
  return doc::Value(std::move(a));
}

doc::Value OptionalDocumentValue(std::optional<doc::Document> d) {
  if (!d) return doc::Value();
  return doc::Value(std::move(*d));
}

}  // namespace plinth::cases
