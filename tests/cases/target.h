#pragma once

// A target runs case tests: it loads a file's documents and indexes, runs one
// test's operation and reports the result in the README's shape, and shows
// its collection (natural order) and indexes afterwards.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "tests/cases/case_file.h"

namespace plinth::cases {

class Target {
 public:
  virtual ~Target() = default;

  // Why this target does not run `test` (the test is skipped with this
  // reason), or nullopt.
  virtual std::optional<std::string> SkipReason(const CaseFile& file,
                                                const CaseTest& test) const = 0;
  // Creates the file's indexes, then inserts its documents in order.
  virtual base::Status Load(const CaseFile& file) = 0;
  // Runs the test's operation. The result, by op: find/aggregate an array of
  // documents; findOne and findOneAnd* a document or null; count a number;
  // updates {matched, modified[, upsertedId]}; deletes {deleted}; inserts
  // {insertedIds}; listIndexes an array; createIndex the name; dropIndex null.
  virtual base::Result<doc::Value> Run(const CaseTest& test) = 0;
  // The default collection in natural order.
  virtual base::Result<std::vector<doc::Document>> Contents() = 0;
  // The default collection's indexes (listIndexes), or empty when the target
  // has none.
  virtual base::Result<std::vector<doc::Document>> Indexes() = 0;
};

std::unique_ptr<Target> NewReferenceTarget();
std::unique_ptr<Target> NewSqliteTarget();

// {"key": {...}, "unique": bool, "name": "..."} as a storage::IndexSpec is
// built by the engine target; shared helpers for both targets:
doc::Value UpdateResultValue(std::int64_t matched, std::int64_t modified,
                             const std::optional<doc::Value>& upserted_id);
doc::Value DeleteResultValue(std::int64_t deleted);
doc::Value InsertResultValue(const std::vector<doc::Value>& ids);
doc::Value DocumentsValue(std::vector<doc::Document> docs);
doc::Value OptionalDocumentValue(std::optional<doc::Document> d);

}  // namespace plinth::cases
