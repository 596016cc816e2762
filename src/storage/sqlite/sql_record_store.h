#pragma once

#include <functional>
#include <optional>
#include <string>

#include "storage/record_store.h"
#include "storage/sqlite/catalog.h"
#include "storage/sqlite/connection.h"

namespace plinth::storage::sqlite {

// RecordStore over one collection's tables on a connection inside a
// transaction the caller holds (a read transaction for Matching only, the
// write transaction otherwise). Keeps every index in step with the document
// table. Borrows the connection. Not thread-safe.
class SqlRecordStore final : public RecordStore {
 public:
  SqlRecordStore(Connection* conn, std::string database, std::string name)
      : conn_(conn), database_(std::move(database)), name_(std::move(name)) {}

  base::Result<std::vector<Row>> Matching(const matcher::Matcher& matcher) override;
  base::Status Insert(const doc::Document& document) override;
  base::Status Replace(const Row& row, const doc::Document& document) override;
  base::Status Remove(const Row& row) override;
  base::Result<std::int64_t> Count() override;

  // The collection, or nullopt when it does not exist.
  base::Result<const CollectionInfo*> Info();
  // The collection, created when missing.
  base::Result<CollectionInfo*> EnsureInfo();
  // The stored BSON of `rid` (nullopt when gone).
  base::Result<std::optional<std::string>> RawDocument(std::int64_t rid);
  // Fills a new index from every stored document; kDuplicateKey when a
  // unique index meets duplicates.
  base::Status BuildIndex(const IndexInfo& index);
  // Forgets the cached catalog entry (after DDL).
  void Reload() { loaded_ = false; }
  // How the last Matching found its candidates: "COLLSCAN" or
  // "IXSCAN <index name>" (for tests and explain-like diagnostics); empty
  // before any Matching or when the collection does not exist.
  const std::string& last_plan() const { return last_plan_; }

 private:
  // Calls `visit` for every row in record-id (natural) order; stops at the
  // first error and returns it.
  base::Status ScanAll(
      const CollectionInfo& info,
      const std::function<base::Status(std::int64_t rid, doc::Document document)>& visit);
  base::Status InsertKeys(const IndexInfo& index, const doc::Document& document, std::int64_t rid,
                          const std::vector<std::string>& keys);
  base::Status DeleteKeys(const IndexInfo& index, std::int64_t rid,
                          const std::vector<std::string>& keys);

  Connection* conn_;
  std::string database_;
  std::string name_;
  bool loaded_ = false;
  std::optional<CollectionInfo> info_;
  std::string last_plan_;
};

// MongoDB's duplicate key message: E11000 duplicate key error collection:
// db.coll index: a_1 dup key: { a: "x" }.
base::Status DuplicateKeyError(const std::string& database, const std::string& collection,
                               const IndexInfo& index, const doc::Document& document);

}  // namespace plinth::storage::sqlite
