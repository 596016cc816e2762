// Runs the update part of the case corpus (tests/cases/update/*.json, format in
// tests/cases/README.md) over a plain vector of documents with matcher/ and
// update/, so this layer checks its own case files without the storage
// engine. Runs updateOne/updateMany/replaceOne and findOneAndUpdate/
// findOneAndReplace without sort or projection; skips other ops and
// engine_only tests. tests/cases/case_test runs the same files on every target.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/error_code.h"
#include "doc/compare.h"
#include "doc/ejson.h"
#include "matcher/matcher.h"
#include "update/update.h"

namespace plinth::update {
namespace {

namespace fs = std::filesystem;
using doc::Array;
using doc::Document;
using doc::Value;

// Documents compare field order and values exactly; numbers by value, and
// with `exact` also by type (README's rule, as case_test applies it).
bool Same(const Value& a, const Value& b, bool exact);

bool SameDocument(const Document& a, const Document& b, bool exact, bool ignore_id) {
  std::vector<const Document::Field*> fa, fb;
  for (const auto& f : a) {
    if (!(ignore_id && f.first == "_id")) fa.push_back(&f);
  }
  for (const auto& f : b) {
    if (!(ignore_id && f.first == "_id")) fb.push_back(&f);
  }
  if (fa.size() != fb.size()) return false;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    if (fa[i]->first != fb[i]->first || !Same(fa[i]->second, fb[i]->second, exact)) return false;
  }
  return true;
}

bool Same(const Value& a, const Value& b, bool exact) {
  if (a.is_number() && b.is_number()) {
    return (!exact || a.type() == b.type()) && doc::ValuesEqual(a, b);
  }
  if (a.is_document() && b.is_document()) {
    return SameDocument(a.as_document(), b.as_document(), exact, false);
  }
  if (a.is_array() && b.is_array()) {
    const auto& x = a.as_array().values();
    const auto& y = b.as_array().values();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!Same(x[i], y[i], exact)) return false;
    }
    return true;
  }
  return a == b;
}

bool Flag(const Document& t, std::string_view name) {
  const Value* v = t.Get(name);
  return v != nullptr && v->is_bool() && v->as_bool();
}

Document DocOr(const Document& t, std::string_view name) {
  const Value* v = t.Get(name);
  return v != nullptr && v->is_document() ? v->as_document() : Document{};
}

// Runs one test over *docs; returns the operation's result.
base::Result<Value> RunOne(const Document& t, std::vector<Document>* docs) {
  const std::string op = t.Get("op")->as_string();
  const bool replace = op == "replaceOne" || op == "findOneAndReplace";
  const Document update_doc = DocOr(t, "update");
  base::Result<std::shared_ptr<const Update>> u =
      replace ? Update::ParseReplacement(update_doc) : Update::Parse(update_doc);
  if (!u.ok()) return u.status();
  PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(DocOr(t, "filter")));
  ApplyContext context;
  context.now_millis = 1700000000000;
  std::vector<Document> next = *docs;
  std::int64_t matched = 0;
  std::int64_t modified = 0;
  const bool find_and_modify = op.rfind("findOneAnd", 0) == 0;
  Value returned;
  for (Document& d : next) {
    if (!m->Matches(d)) continue;
    ++matched;
    Document before = d;
    PLINTH_ASSIGN_OR_RETURN(bool changed, (*u)->Apply(&d, context));
    if (changed) ++modified;
    returned = Flag(t, "returnNew") ? Value(d) : Value(before);
    if (op != "updateMany") break;
  }
  std::optional<Value> upserted_id;
  if (matched == 0 && Flag(t, "upsert")) {
    PLINTH_ASSIGN_OR_RETURN(Document d, BuildUpsertDocument(*m, **u, context));
    if (!d.Has("_id")) {
      d.mutable_fields().insert(d.mutable_fields().begin(),
                                {"_id", Value(doc::ObjectId(std::array<std::uint8_t, 12>{1}))});
    }
    for (const Document& other : next) {
      if (other.Get("_id") && doc::ValuesEqual(*other.Get("_id"), *d.Get("_id"))) {
        return base::Status(base::ErrorCode::kDuplicateKey, "E11000 duplicate key error");
      }
    }
    upserted_id = *d.Get("_id");
    if (Flag(t, "returnNew")) returned = Value(d);
    next.push_back(std::move(d));
  }
  *docs = std::move(next);
  if (find_and_modify) return returned;
  Document result{{"matched", matched}, {"modified", modified}};
  if (upserted_id) result.Append("upsertedId", *upserted_id);
  return Value(std::move(result));
}

std::vector<Document> DocsOf(const Value* v) {
  std::vector<Document> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const Value& e : v->as_array()) out.push_back(e.as_document());
  return out;
}

TEST(UpdateCorpus, RunsEveryUpdateCaseFile) {
  const fs::path dir = fs::path(PLINTH_SOURCE_DIR) / "tests" / "cases" / "update";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int ran = 0;
  int skipped = 0;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    base::Result<Document> parsed = doc::ParseJsonDocument(text.str());
    ASSERT_TRUE(parsed.ok()) << file << ": " << parsed.status().ToString();
    const std::vector<Document> initial = DocsOf(parsed->Get("documents"));
    for (const Document& t : DocsOf(parsed->Get("tests"))) {
      const std::string name = file.filename().string() + " / " + t.Get("name")->as_string();
      SCOPED_TRACE(name);
      const std::string op = t.Get("op")->as_string();
      const bool supported = op == "updateOne" || op == "updateMany" || op == "replaceOne" ||
                             ((op == "findOneAndUpdate" || op == "findOneAndReplace") &&
                              DocOr(t, "sort").empty() && DocOr(t, "projection").empty());
      if (!supported || Flag(t, "engine_only")) {
        ++skipped;
        continue;
      }
      ++ran;
      const bool exact = Flag(t, "exact_types");
      const bool ignore_ids = Flag(t, "ignore_ids");
      std::vector<Document> docs = initial;
      base::Result<Value> r = RunOne(t, &docs);
      if (const Value* error = t.Get("error")) {
        ASSERT_FALSE(r.ok()) << "expected " << error->as_string();
        EXPECT_EQ(base::ErrorCodeSymbol(r.status().code()), error->as_string())
            << r.status().ToString();
        if (const Value* contains = t.Get("error_contains")) {
          EXPECT_NE(r.status().message().find(contains->as_string()), std::string::npos)
              << r.status().ToString();
        }
        EXPECT_EQ(docs.size(), initial.size());
        for (std::size_t i = 0; i < docs.size() && i < initial.size(); ++i) {
          EXPECT_TRUE(SameDocument(docs[i], initial[i], true, false)) << "collection changed";
        }
        continue;
      }
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (const Value* expect = t.Get("expect")) {
        bool same = Same(*r, *expect, exact);
        if (!same && ignore_ids && r->is_document() && expect->is_document()) {
          Document a = r->as_document();
          Document b = expect->as_document();
          a.Remove("upsertedId");
          b.Remove("upsertedId");
          same = SameDocument(a, b, exact, true);
        }
        EXPECT_TRUE(same) << "got " << doc::ToCanonicalJson(*r) << "\nwant "
                          << doc::ToCanonicalJson(*expect);
      }
      if (const Value* want = t.Get("expect_collection")) {
        const std::vector<Document> expected = DocsOf(want);
        bool same = expected.size() == docs.size();
        for (std::size_t i = 0; same && i < docs.size(); ++i) {
          same = SameDocument(docs[i], expected[i], exact, ignore_ids);
        }
        Array got;
        for (const Document& d : docs) got.Append(d);
        EXPECT_TRUE(same) << "got " << doc::ToCanonicalJson(Value(got)) << "\nwant "
                          << doc::ToCanonicalJson(*want);
      }
    }
  }
  std::cout << "update corpus: " << ran << " tests run, " << skipped
            << " skipped (other ops, sort/projection or engine_only)\n";
  EXPECT_GT(ran, 0);
}

}  // namespace
}  // namespace plinth::update
