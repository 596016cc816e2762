#include "storage/sqlite/sql_record_store.h"

#include <algorithm>
#include <unordered_map>

#include "doc/bson_codec.h"
#include "doc/ejson.h"
#include "doc/field_path.h"

namespace plinth::storage::sqlite {
namespace {

base::Result<doc::Document> Decode(std::string_view blob) {
  return doc::FromBson(reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size());
}

// Whether an equality on `value` may use an index: null and undefined also
// match missing fields in ways index keys do not record, so they scan.
bool IndexableEquality(const doc::Value& value) {
  switch (value.type()) {
    case doc::Type::kNull:
    case doc::Type::kUndefined:
    case doc::Type::kRegex:
      return false;
    default:
      return true;
  }
}

// The keys `document` has in `index`: none when a sparse or partial index
// leaves it out.
base::Result<std::vector<std::string>> KeysIn(const IndexInfo& index,
                                              const doc::Document& document) {
  if (!index.Holds(document)) return std::vector<std::string>();
  return IndexKeys(document, index.fields);
}

std::string RenderValue(const doc::Value& value) {
  if (value.type() == doc::Type::kObjectId) {
    return "ObjectId('" + value.as_object_id().ToHex() + "')";
  }
  return doc::ToRelaxedJson(value);
}

}  // namespace

base::Status DuplicateKeyError(const std::string& database, const std::string& collection,
                               const IndexInfo& index, const doc::Document& document) {
  std::string key = "{ ";
  bool first = true;
  for (const KeyField& field : index.fields) {
    if (!first) key += ", ";
    first = false;
    std::vector<const doc::Value*> values;
    doc::CollectPathValues(document, field.path, &values);
    doc::Value shown;
    if (!values.empty()) shown = *values.front();
    key += field.path.ToString() + ": " + RenderValue(shown);
  }
  key += " }";
  return base::Status(base::ErrorCode::kDuplicateKey,
                      "E11000 duplicate key error collection: " + database + "." + collection +
                          " index: " + index.name + " dup key: " + key);
}

base::Result<const CollectionInfo*> SqlRecordStore::Info() {
  if (!loaded_) {
    PLINTH_ASSIGN_OR_RETURN(info_, LoadCollectionCached(*conn_, database_, name_));
    loaded_ = true;
  }
  return info_ ? &*info_ : nullptr;
}

base::Result<CollectionInfo*> SqlRecordStore::EnsureInfo() {
  PLINTH_ASSIGN_OR_RETURN(const CollectionInfo* info, Info());
  if (info == nullptr) {
    PLINTH_ASSIGN_OR_RETURN(CollectionInfo created, EnsureCollection(*conn_, database_, name_));
    info_ = std::move(created);
  }
  return &*info_;
}

base::Result<std::vector<Row>> SqlRecordStore::Matching(const matcher::Matcher& matcher) {
  std::vector<Row> rows;
  PLINTH_ASSIGN_OR_RETURN(const CollectionInfo* info, Info());
  if (info == nullptr) return rows;

  // The index with the longest prefix of equality-constrained fields.
  const IndexInfo* best = nullptr;
  std::string best_prefix;
  std::size_t best_length = 0;
  const auto& equalities = matcher.EqualityFields();
  for (const IndexInfo& index : info->indexes) {
    // A partial index holds only some documents: it may answer the query
    // only when every document the query matches is among them. (A sparse
    // index needs no such check: the prefix below only uses equalities on
    // non-null values, which a document missing the field never matches.)
    if (index.partial != nullptr && !index.partial->ImpliedBy(matcher)) continue;
    std::string prefix;
    std::size_t length = 0;
    for (const KeyField& field : index.fields) {
      auto it = std::find_if(equalities.begin(), equalities.end(),
                             [&](const auto& eq) { return eq.first == field.path; });
      if (it == equalities.end() || !IndexableEquality(it->second)) break;
      AppendKeyComponent(&prefix, it->second, field.descending);
      ++length;
    }
    const bool better = length > best_length ||
                        (length == best_length && length > 0 && index.unique && !best->unique);
    if (better) {
      best = &index;
      best_prefix = std::move(prefix);
      best_length = length;
    }
  }

  // The key prefixes to read: the equality prefix, or, without one, one
  // prefix per value of an $in on an index's first field ({a: {$in: [...]}},
  // which $lookup sends by batches of keys).
  std::vector<std::string> prefixes;
  if (best != nullptr) prefixes.push_back(std::move(best_prefix));
  for (const matcher::InField& in : matcher.InFields()) {
    if (best != nullptr) break;
    const bool indexable = std::all_of(in.values.begin(), in.values.end(),
                                       [](const doc::Value& v) { return IndexableEquality(v); });
    if (!indexable) continue;
    for (const IndexInfo& index : info->indexes) {
      if (index.partial != nullptr && !index.partial->ImpliedBy(matcher)) continue;
      if (index.fields.empty() || !(index.fields.front().path == in.path)) continue;
      best = &index;
      for (const doc::Value& v : in.values) {
        std::string prefix;
        AppendKeyComponent(&prefix, v, index.fields.front().descending);
        prefixes.push_back(std::move(prefix));
      }
      break;
    }
  }

  last_plan_ = best == nullptr ? "COLLSCAN" : "IXSCAN " + best->name;
  if (best == nullptr) {
    PLINTH_RETURN_IF_ERROR(
        ScanAll(*info, [&](std::int64_t rid, doc::Document document) -> base::Status {
          if (matcher.Matches(document)) rows.push_back(Row{rid, std::move(document)});
          return base::Status::Ok();
        }));
    return rows;
  }

  std::vector<std::int64_t> rids;
  for (const std::string& prefix : prefixes) {
    const std::string upper = PrefixSuccessor(prefix);
    PLINTH_ASSIGN_OR_RETURN(
        sqlite3_stmt * raw,
        conn_->Prepare(upper.empty()
                           ? "SELECT rid FROM " + best->table() + " WHERE key >= ?1"
                           : "SELECT rid FROM " + best->table() + " WHERE key >= ?1 AND key < ?2"));
    Statement stmt(conn_, raw);
    stmt.BindBlob(1, prefix);
    if (!upper.empty()) stmt.BindBlob(2, upper);
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, stmt.Step());
      if (!more) break;
      rids.push_back(stmt.ColumnInt(0));
    }
  }
  std::sort(rids.begin(), rids.end());
  rids.erase(std::unique(rids.begin(), rids.end()), rids.end());
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn_->Prepare("SELECT doc FROM " + info->table() + " WHERE rid = ?1"));
  for (std::int64_t rid : rids) {
    Statement stmt(conn_, raw);
    stmt.BindInt(1, rid);
    PLINTH_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) continue;
    PLINTH_ASSIGN_OR_RETURN(doc::Document document, Decode(stmt.ColumnBlob(0)));
    if (matcher.Matches(document)) rows.push_back(Row{rid, std::move(document)});
  }
  return rows;
}

base::Status SqlRecordStore::InsertKeys(const IndexInfo& index, const doc::Document& document,
                                        std::int64_t rid, const std::vector<std::string>& keys) {
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw, conn_->Prepare("INSERT INTO " + index.table() +
                                                             "(key, rid) VALUES(?1, ?2)"));
  for (const std::string& key : keys) {
    Statement stmt(conn_, raw);
    stmt.BindBlob(1, key);
    stmt.BindInt(2, rid);
    auto step = stmt.Step();
    if (!step.ok()) {
      if ((stmt.last_rc() & 0xFF) == SQLITE_CONSTRAINT) {
        return DuplicateKeyError(database_, name_, index, document);
      }
      return step.status();
    }
  }
  return base::Status::Ok();
}

base::Status SqlRecordStore::DeleteKeys(const IndexInfo& index, std::int64_t rid,
                                        const std::vector<std::string>& keys) {
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw, conn_->Prepare("DELETE FROM " + index.table() +
                                                             " WHERE key = ?1 AND rid = ?2"));
  for (const std::string& key : keys) {
    Statement stmt(conn_, raw);
    stmt.BindBlob(1, key);
    stmt.BindInt(2, rid);
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    (void)row;
  }
  return base::Status::Ok();
}

base::Status SqlRecordStore::Insert(const doc::Document& document) {
  PLINTH_ASSIGN_OR_RETURN(CollectionInfo * info, EnsureInfo());
  PLINTH_ASSIGN_OR_RETURN(std::string bson, doc::ToBson(document));
  std::int64_t rid = 0;
  {
    PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw, conn_->Prepare("INSERT INTO " + info->table() +
                                                               "(doc) VALUES(?1) RETURNING rid"));
    Statement stmt(conn_, raw);
    stmt.BindBlob(1, bson);
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return base::Internal("insert returned no record id");
    rid = stmt.ColumnInt(0);
    PLINTH_ASSIGN_OR_RETURN(bool more, stmt.Step());
    (void)more;
  }
  for (const IndexInfo& index : info->indexes) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> keys, KeysIn(index, document));
    PLINTH_RETURN_IF_ERROR(InsertKeys(index, document, rid, keys));
  }
  return AddToCount(*conn_, info->id, 1);
}

base::Status SqlRecordStore::Replace(const Row& row, const doc::Document& document) {
  PLINTH_ASSIGN_OR_RETURN(CollectionInfo * info, EnsureInfo());
  PLINTH_ASSIGN_OR_RETURN(std::string bson, doc::ToBson(document));
  for (const IndexInfo& index : info->indexes) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> old_keys, KeysIn(index, row.doc));
    PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> new_keys, KeysIn(index, document));
    std::vector<std::string> removed, added;
    std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(), new_keys.end(),
                        std::back_inserter(removed));
    std::set_difference(new_keys.begin(), new_keys.end(), old_keys.begin(), old_keys.end(),
                        std::back_inserter(added));
    PLINTH_RETURN_IF_ERROR(DeleteKeys(index, row.rid, removed));
    PLINTH_RETURN_IF_ERROR(InsertKeys(index, document, row.rid, added));
  }
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw, conn_->Prepare("UPDATE " + info->table() +
                                                             " SET doc = ?1 WHERE rid = ?2"));
  Statement stmt(conn_, raw);
  stmt.BindBlob(1, bson);
  stmt.BindInt(2, row.rid);
  PLINTH_ASSIGN_OR_RETURN(bool more, stmt.Step());
  (void)more;
  return base::Status::Ok();
}

base::Status SqlRecordStore::Remove(const Row& row) {
  PLINTH_ASSIGN_OR_RETURN(CollectionInfo * info, EnsureInfo());
  for (const IndexInfo& index : info->indexes) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> keys, KeysIn(index, row.doc));
    PLINTH_RETURN_IF_ERROR(DeleteKeys(index, row.rid, keys));
  }
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn_->Prepare("DELETE FROM " + info->table() + " WHERE rid = ?1"));
  Statement stmt(conn_, raw);
  stmt.BindInt(1, row.rid);
  PLINTH_ASSIGN_OR_RETURN(bool more, stmt.Step());
  (void)more;
  return AddToCount(*conn_, info->id, -1);
}

base::Result<std::int64_t> SqlRecordStore::Count() {
  PLINTH_ASSIGN_OR_RETURN(const CollectionInfo* info, Info());
  if (info == nullptr) return std::int64_t{0};
  // One row lookup: the count is kept by Insert and Remove in the same
  // transaction, so it is exact for this snapshot.
  return LoadCount(*conn_, info->id);
}

base::Result<std::optional<std::string>> SqlRecordStore::RawDocument(std::int64_t rid) {
  PLINTH_ASSIGN_OR_RETURN(const CollectionInfo* info, Info());
  if (info == nullptr) return std::optional<std::string>();
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn_->Prepare("SELECT doc FROM " + info->table() + " WHERE rid = ?1"));
  Statement stmt(conn_, raw);
  stmt.BindInt(1, rid);
  PLINTH_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(std::string(stmt.ColumnBlob(0)));
}

base::Status SqlRecordStore::BuildIndex(const IndexInfo& index) {
  PLINTH_ASSIGN_OR_RETURN(CollectionInfo * info, EnsureInfo());
  return ScanAll(*info, [&](std::int64_t rid, doc::Document document) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> keys, KeysIn(index, document));
    return InsertKeys(index, document, rid, keys);
  });
}

base::Status SqlRecordStore::ScanAll(
    const CollectionInfo& info,
    const std::function<base::Status(std::int64_t rid, doc::Document document)>& visit) {
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn_->Prepare("SELECT rid, doc FROM " + info.table() + " ORDER BY rid"));
  Statement stmt(conn_, raw);
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    PLINTH_ASSIGN_OR_RETURN(doc::Document document, Decode(stmt.ColumnBlob(1)));
    PLINTH_RETURN_IF_ERROR(visit(stmt.ColumnInt(0), std::move(document)));
  }
  return base::Status::Ok();
}

}  // namespace plinth::storage::sqlite
