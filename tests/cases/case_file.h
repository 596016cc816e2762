#pragma once

// The case corpus format (tests/cases/README.md): one file of documents,
// indexes and tests, parsed and checked for shape before anything runs, so a
// malformed file is one failing test naming the file and the problem.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::cases {

// One test of a case file, with every key of the README's table read into a
// typed field (absent keys keep the defaults below).
struct CaseTest {
  std::string name;
  std::string op;
  doc::Document filter;
  doc::Document projection;
  doc::Document sort;
  std::int64_t skip = 0;
  std::int64_t limit = 0;
  doc::Document update;
  // `update` given as an array: a pipeline-style update (updateOne,
  // updateMany, findOneAndUpdate); `update` is then empty.
  std::optional<std::vector<doc::Document>> update_pipeline;
  bool upsert = false;
  bool return_new = false;
  // The arrayFilters option of updates and findOneAnd*.
  std::vector<doc::Document> array_filters;
  doc::Document document;                // insertOne
  std::vector<doc::Document> documents;  // insertMany
  std::vector<doc::Document> pipeline;   // aggregate
  doc::Value index;                      // createIndex: document; dropIndex: string
  std::string field;                     // distinct
  std::string to;                        // renameCollection: the new name
  bool drop_target = false;              // renameCollection
  std::optional<doc::Value> expect;
  bool unordered = false;
  std::optional<std::vector<doc::Document>> expect_collection;
  std::optional<std::string> error;
  std::optional<std::string> error_contains;
  bool engine_only = false;
  bool ignore_ids = false;
  bool exact_types = false;
  // Optional namespace of the operation (engine only); the file's documents
  // always live in the default namespace.
  std::optional<std::string> database;
  std::optional<std::string> collection;
};

struct CaseFile {
  std::string relative_path;  // below tests/cases/, for names and messages
  std::string description;
  std::vector<doc::Document> documents;
  std::vector<doc::Document> indexes;  // {"key": {...}, "unique": bool, "name": "..."}
  // More collections of the default database and their documents (engine
  // only: for tests of operations across collections, such as rename).
  std::vector<std::pair<std::string, std::vector<doc::Document>>> collections;
  std::vector<CaseTest> tests;
};

// The namespace every file's documents live in.
inline constexpr const char* kDefaultDatabase = "cases";
inline constexpr const char* kDefaultCollection = "c";

// Reads and checks one file. Errors (BadValue) name the file and the test.
base::Result<CaseFile> LoadCaseFile(const std::filesystem::path& path,
                                    const std::filesystem::path& root);

// Every *.json below `root`, sorted.
std::vector<std::filesystem::path> FindCaseFiles(const std::filesystem::path& root);

}  // namespace plinth::cases
