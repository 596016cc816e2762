#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "storage/options.h"
#include "storage/partial_filter.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/key_encoding.h"

namespace plinth::storage::sqlite {

// The catalog tables of the SQLite file (docs/storage.md): which
// collections exist, their table ids, and their indexes. Free functions over
// a Connection; the caller holds the transaction (a read transaction for
// Load*, the write transaction for everything that changes the catalog).

struct IndexInfo {
  std::string name;
  doc::Document key;  // as given: {field: 1 | -1, ...}
  bool unique = false;
  bool sparse = false;                           // documents missing every field are left out
  std::shared_ptr<const PartialFilter> partial;  // null: no partialFilterExpression
  std::int64_t id = 0;                           // the index table is "x<id>"
  std::vector<KeyField> fields;
  std::string table() const { return "x" + std::to_string(id); }
  // Whether `document` has entries in this index (sparse and partial
  // indexes leave some out).
  bool Holds(const doc::Document& document) const;
};

struct CollectionInfo {
  std::string database;
  std::string name;
  std::int64_t id = 0;             // the document table is "c<id>"
  std::vector<IndexInfo> indexes;  // _id_ first, then in creation order
  std::string table() const { return "c" + std::to_string(id); }
};

// Creates the catalog tables when missing (and counts the documents of
// collections a file written before plinth_counts holds). REQUIRES: write
// transaction.
base::Status InitSchema(Connection& conn);

// The collection's document count (plinth_counts), kept in step by every
// insert and remove in the same transaction. AddToCount REQUIRES the write
// transaction.
base::Status AddToCount(Connection& conn, std::int64_t collection_id, std::int64_t delta);
base::Result<std::int64_t> LoadCount(Connection& conn, std::int64_t collection_id);

base::Result<std::optional<CollectionInfo>> LoadCollection(Connection& conn,
                                                           const std::string& database,
                                                           const std::string& name);
// LoadCollection through a per-connection cache, valid while the database's
// schema_version is unchanged (every catalog change also creates or drops a
// table) and dropped on rollbacks and catalog changes.
base::Result<std::optional<CollectionInfo>> LoadCollectionCached(Connection& conn,
                                                                 const std::string& database,
                                                                 const std::string& name);
// Loads the collection, creating it (with its _id_ index) when missing.
base::Result<CollectionInfo> EnsureCollection(Connection& conn, const std::string& database,
                                              const std::string& name);

// Validates an index key pattern ({a: 1, b: -1}); kCannotCreateIndex
// otherwise.
base::Result<std::vector<KeyField>> ParseKeyPattern(const doc::Document& key);
// MongoDB's default index name: "a_1_b_-1".
std::string DefaultIndexName(const doc::Document& key);

// Adds an index (catalog row and empty table) to `info`. REQUIRES: write
// transaction; spec.name is set and free; the options were validated.
base::Result<IndexInfo> AddIndex(Connection& conn, CollectionInfo* info, const IndexSpec& spec);
base::Status RemoveIndex(Connection& conn, const CollectionInfo& info, const IndexInfo& index);
base::Status RemoveCollection(Connection& conn, const CollectionInfo& info);
// Renames the collection's catalog row; its tables (documents and indexes)
// keep their ids, so everything moves with it. REQUIRES: write transaction;
// `to` is free.
base::Status RenameCollectionRow(Connection& conn, const CollectionInfo& info,
                                 const std::string& to);

base::Result<std::vector<std::string>> ListDatabaseNames(Connection& conn);
base::Result<std::vector<std::string>> ListCollectionNames(Connection& conn,
                                                           const std::string& database);

}  // namespace plinth::storage::sqlite
