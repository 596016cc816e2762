#include "tests/cases/case_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "doc/ejson.h"

namespace plinth::cases {
namespace {

using base::Result;
using base::Status;

const std::set<std::string>& KnownOps() {
  static const std::set<std::string> ops = {"find",
                                            "findOne",
                                            "count",
                                            "insertOne",
                                            "insertMany",
                                            "updateOne",
                                            "updateMany",
                                            "replaceOne",
                                            "deleteOne",
                                            "deleteMany",
                                            "findOneAndUpdate",
                                            "findOneAndReplace",
                                            "findOneAndDelete",
                                            "aggregate",
                                            "createIndex",
                                            "dropIndex",
                                            "listIndexes",
                                            "distinct",
                                            "estimatedDocumentCount",
                                            "renameCollection"};
  return ops;
}

Status Bad(const std::string& where, const std::string& what) {
  return base::BadValue(where + ": " + what);
}

Result<doc::Document> AsDocument(const doc::Value& v, const std::string& where) {
  if (!v.is_document()) return Bad(where, "must be a document");
  return v.as_document();
}

Result<std::vector<doc::Document>> AsDocuments(const doc::Value& v, const std::string& where) {
  if (!v.is_array()) return Bad(where, "must be an array of documents");
  std::vector<doc::Document> out;
  for (const doc::Value& e : v.as_array()) {
    if (!e.is_document()) return Bad(where, "must be an array of documents");
    out.push_back(e.as_document());
  }
  return out;
}

Result<bool> AsBool(const doc::Value& v, const std::string& where) {
  if (!v.is_bool()) return Bad(where, "must be true or false");
  return v.as_bool();
}

Result<std::string> AsString(const doc::Value& v, const std::string& where) {
  if (!v.is_string()) return Bad(where, "must be a string");
  return v.as_string();
}

Result<std::int64_t> AsInteger(const doc::Value& v, const std::string& where) {
  if (const auto* i = v.get_if<std::int32_t>()) return static_cast<std::int64_t>(*i);
  if (const auto* l = v.get_if<std::int64_t>()) return *l;
  if (const auto* d = v.get_if<double>()) {
    if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.0e15) {
      return static_cast<std::int64_t>(*d);
    }
  }
  return Bad(where, "must be an integer");
}

Result<CaseTest> ParseTest(const doc::Document& t, const std::string& where_file) {
  CaseTest test;
  const doc::Value* name = t.Get("name");
  if (name == nullptr || !name->is_string() || name->as_string().empty()) {
    return Bad(where_file, "a test without a \"name\" string");
  }
  test.name = name->as_string();
  const std::string where = where_file + ", test \"" + test.name + "\"";
  const doc::Value* op = t.Get("op");
  if (op == nullptr || !op->is_string()) return Bad(where, "no \"op\" string");
  test.op = op->as_string();
  if (KnownOps().count(test.op) == 0) return Bad(where, "unknown op \"" + test.op + "\"");

  std::set<std::string> seen;
  for (const auto& [key, value] : t) {
    const std::string at = where + ", \"" + key + "\"";
    seen.insert(key);
    if (key == "name" || key == "op") continue;
    if (key == "filter") {
      PLINTH_ASSIGN_OR_RETURN(test.filter, AsDocument(value, at));
    } else if (key == "projection") {
      PLINTH_ASSIGN_OR_RETURN(test.projection, AsDocument(value, at));
    } else if (key == "sort") {
      PLINTH_ASSIGN_OR_RETURN(test.sort, AsDocument(value, at));
    } else if (key == "skip") {
      PLINTH_ASSIGN_OR_RETURN(test.skip, AsInteger(value, at));
    } else if (key == "limit") {
      PLINTH_ASSIGN_OR_RETURN(test.limit, AsInteger(value, at));
    } else if (key == "update" && value.is_array()) {
      PLINTH_ASSIGN_OR_RETURN(test.update_pipeline, AsDocuments(value, at));
    } else if (key == "update") {
      PLINTH_ASSIGN_OR_RETURN(test.update, AsDocument(value, at));
    } else if (key == "upsert") {
      PLINTH_ASSIGN_OR_RETURN(test.upsert, AsBool(value, at));
    } else if (key == "arrayFilters") {
      PLINTH_ASSIGN_OR_RETURN(test.array_filters, AsDocuments(value, at));
    } else if (key == "returnNew") {
      PLINTH_ASSIGN_OR_RETURN(test.return_new, AsBool(value, at));
    } else if (key == "document") {
      PLINTH_ASSIGN_OR_RETURN(test.document, AsDocument(value, at));
    } else if (key == "documents") {
      PLINTH_ASSIGN_OR_RETURN(test.documents, AsDocuments(value, at));
    } else if (key == "pipeline") {
      PLINTH_ASSIGN_OR_RETURN(test.pipeline, AsDocuments(value, at));
    } else if (key == "index") {
      test.index = value;
    } else if (key == "field") {
      PLINTH_ASSIGN_OR_RETURN(test.field, AsString(value, at));
    } else if (key == "to") {
      PLINTH_ASSIGN_OR_RETURN(test.to, AsString(value, at));
    } else if (key == "dropTarget") {
      PLINTH_ASSIGN_OR_RETURN(test.drop_target, AsBool(value, at));
    } else if (key == "expect") {
      test.expect = value;
    } else if (key == "unordered") {
      PLINTH_ASSIGN_OR_RETURN(test.unordered, AsBool(value, at));
    } else if (key == "expect_collection") {
      PLINTH_ASSIGN_OR_RETURN(test.expect_collection, AsDocuments(value, at));
    } else if (key == "error") {
      PLINTH_ASSIGN_OR_RETURN(test.error, AsString(value, at));
    } else if (key == "error_contains") {
      PLINTH_ASSIGN_OR_RETURN(test.error_contains, AsString(value, at));
    } else if (key == "engine_only") {
      PLINTH_ASSIGN_OR_RETURN(test.engine_only, AsBool(value, at));
    } else if (key == "ignore_ids") {
      PLINTH_ASSIGN_OR_RETURN(test.ignore_ids, AsBool(value, at));
    } else if (key == "exact_types") {
      PLINTH_ASSIGN_OR_RETURN(test.exact_types, AsBool(value, at));
    } else if (key == "database") {
      PLINTH_ASSIGN_OR_RETURN(test.database, AsString(value, at));
    } else if (key == "collection") {
      PLINTH_ASSIGN_OR_RETURN(test.collection, AsString(value, at));
    } else if (key == "comment") {
      // free text for readers
    } else {
      return Bad(where, "unknown key \"" + key + "\"");
    }
  }

  // What each op needs.
  auto need = [&](const char* key) -> Status {
    if (seen.count(key) == 0)
      return Bad(where, std::string("op ") + test.op + " needs \"" + key + "\"");
    return Status::Ok();
  };
  const std::string& o = test.op;
  if (o == "updateOne" || o == "updateMany" || o == "replaceOne" || o == "findOneAndUpdate" ||
      o == "findOneAndReplace") {
    PLINTH_RETURN_IF_ERROR(need("update"));
  }
  if (o == "insertOne") PLINTH_RETURN_IF_ERROR(need("document"));
  if (o == "insertMany") PLINTH_RETURN_IF_ERROR(need("documents"));
  if (o == "aggregate") PLINTH_RETURN_IF_ERROR(need("pipeline"));
  if (o == "distinct") PLINTH_RETURN_IF_ERROR(need("field"));
  if (o == "renameCollection") PLINTH_RETURN_IF_ERROR(need("to"));
  if (o == "createIndex") {
    PLINTH_RETURN_IF_ERROR(need("index"));
    if (!test.index.is_document()) return Bad(where, "createIndex's \"index\" must be a document");
  }
  if (o == "dropIndex") {
    PLINTH_RETURN_IF_ERROR(need("index"));
    if (!test.index.is_string()) return Bad(where, "dropIndex's \"index\" must be the name");
  }
  if (test.unordered && o != "find" && o != "aggregate") {
    return Bad(where, "\"unordered\" applies to find and aggregate only");
  }
  if (!test.error && !test.expect && !test.expect_collection) {
    return Bad(where, "checks nothing: give \"expect\", \"expect_collection\" or \"error\"");
  }
  if (test.error && (test.expect || test.expect_collection)) {
    return Bad(where, "\"error\" excludes \"expect\" and \"expect_collection\"");
  }
  if (test.error_contains && !test.error) {
    return Bad(where, "\"error_contains\" without \"error\"");
  }
  return test;
}

}  // namespace

std::vector<std::filesystem::path> FindCaseFiles(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    // tests/cases/rules/ is the rule-expression corpus, run by
    // src/rules/rules_cases_test.cc, not a storage case corpus.
    if (it.depth() == 0 && it->is_directory() && it->path().filename() == "rules") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<CaseFile> LoadCaseFile(const std::filesystem::path& path,
                              const std::filesystem::path& root) {
  CaseFile file;
  file.relative_path = std::filesystem::relative(path, root).generic_string();
  const std::string& where = file.relative_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(where, "cannot read the file");
  std::stringstream text;
  text << in.rdbuf();

  // The file wraps its documents in a few levels ({tests: [{document: ...}]}),
  // and tests of the depth limit hold documents deeper than 100 levels, so the
  // file itself is read with room to spare; the engine applies the real limits.
  doc::Limits limits;
  limits.max_depth = 400;
  limits.max_bson_bytes = 256 * 1024 * 1024;
  limits.max_json_bytes = 256 * 1024 * 1024;
  Result<doc::Document> parsed = doc::ParseJsonDocument(text.str(), limits);
  if (!parsed.ok()) return Bad(where, parsed.status().ToString());
  const doc::Document& top = *parsed;

  bool has_tests = false;
  for (const auto& [key, value] : top) {
    const std::string at = where + ", \"" + key + "\"";
    if (key == "description") {
      PLINTH_ASSIGN_OR_RETURN(file.description, AsString(value, at));
    } else if (key == "documents") {
      PLINTH_ASSIGN_OR_RETURN(file.documents, AsDocuments(value, at));
    } else if (key == "indexes") {
      PLINTH_ASSIGN_OR_RETURN(file.indexes, AsDocuments(value, at));
    } else if (key == "collections") {
      if (!value.is_document()) return Bad(at, "must be a document of collection names");
      for (const auto& [name, docs] : value.as_document()) {
        PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> list,
                                AsDocuments(docs, at + ", \"" + name + "\""));
        for (const doc::Document& d : list) {
          if (!d.Has("_id")) return Bad(at, "every document needs an explicit _id");
        }
        file.collections.emplace_back(name, std::move(list));
      }
    } else if (key == "tests") {
      has_tests = true;
      if (!value.is_array() || value.as_array().empty()) {
        return Bad(at, "must be a non-empty array of tests");
      }
      std::set<std::string> names;
      for (const doc::Value& t : value.as_array()) {
        if (!t.is_document()) return Bad(at, "every test must be a document");
        PLINTH_ASSIGN_OR_RETURN(CaseTest test, ParseTest(t.as_document(), where));
        if (!names.insert(test.name).second) {
          return Bad(where, "two tests are named \"" + test.name + "\"");
        }
        file.tests.push_back(std::move(test));
      }
    } else {
      return Bad(where, "unknown top-level key \"" + key + "\"");
    }
  }
  if (!has_tests) return Bad(where, "no \"tests\"");
  for (const doc::Document& d : file.documents) {
    if (!d.Has("_id")) return Bad(where, "every document in \"documents\" needs an explicit _id");
  }
  for (const doc::Document& ix : file.indexes) {
    const doc::Value* key = ix.Get("key");
    if (key == nullptr || !key->is_document()) {
      return Bad(where, "every entry of \"indexes\" needs a \"key\" document");
    }
  }
  return file;
}

}  // namespace plinth::cases
