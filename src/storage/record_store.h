#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "matcher/matcher.h"

namespace plinth::storage {

// One stored document and its record id (its place in natural order).
struct Row {
  std::int64_t rid = 0;
  doc::Document doc;
};

// The primitive record operations of one collection, bound to whatever
// read or write state the engine set up for one operation (a SQLite
// transaction, a stage's overlay). operations.h builds MongoDB's CRUD on top,
// so every engine and view shares the same semantics.
// Not thread-safe: used by one operation on one thread.
class RecordStore {
 public:
  virtual ~RecordStore() = default;
  // The documents `matcher` matches, in natural order. An engine may use
  // indexes to find candidates but must check each with matcher.Matches().
  virtual base::Result<std::vector<Row>> Matching(const matcher::Matcher& matcher) = 0;
  // How many documents the collection holds, from metadata where the
  // engine keeps it (no document is read or matched).
  virtual base::Result<std::int64_t> Count() = 0;
  // Inserts a prepared document (it has a valid _id and is within limits).
  // Creates the collection on first write. kDuplicateKey on unique conflicts.
  virtual base::Status Insert(const doc::Document& document) = 0;
  // Replaces the document of `row` (same rid) with `document`.
  virtual base::Status Replace(const Row& row, const doc::Document& document) = 0;
  virtual base::Status Remove(const Row& row) = 0;
};

}  // namespace plinth::storage
