#include "storage/sqlite/catalog.h"

#include <cmath>
#include <map>
#include <memory>

#include "doc/bson_codec.h"

namespace plinth::storage::sqlite {
namespace {

base::Result<std::int64_t> NextTableId(Connection& conn) {
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn.Prepare("UPDATE plinth_meta SET value = value + 1 WHERE key = "
                                       "'next_table_id' RETURNING value - 1"));
  Statement stmt(&conn, raw);
  PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return base::Internal("catalog counter missing");
  const std::int64_t id = stmt.ColumnInt(0);
  PLINTH_ASSIGN_OR_RETURN(bool more, stmt.Step());
  (void)more;
  return id;
}

base::Result<std::optional<double>> Direction(const doc::Value& v) {
  switch (v.type()) {
    case doc::Type::kInt32:
      return std::optional<double>(v.as_int32());
    case doc::Type::kInt64:
      return std::optional<double>(static_cast<double>(v.as_int64()));
    case doc::Type::kDouble:
      return std::optional<double>(v.as_double());
    default:
      return std::optional<double>();
  }
}

}  // namespace

base::Status InitSchema(Connection& conn) {
  PLINTH_RETURN_IF_ERROR(conn.Exec(
      "CREATE TABLE IF NOT EXISTS plinth_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) "
      "WITHOUT ROWID;"
      "INSERT OR IGNORE INTO plinth_meta VALUES('format_version', 1), ('next_table_id', 1);"
      "CREATE TABLE IF NOT EXISTS plinth_collections(db TEXT NOT NULL, name TEXT NOT NULL, "
      "id INTEGER NOT NULL UNIQUE, PRIMARY KEY(db, name)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS plinth_indexes(collection_id INTEGER NOT NULL, name TEXT NOT "
      "NULL, id INTEGER NOT NULL UNIQUE, spec BLOB NOT NULL, PRIMARY KEY(collection_id, name)) "
      "WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS plinth_counts(collection_id INTEGER PRIMARY KEY, "
      "count INTEGER NOT NULL);"));
  // Files written before plinth_counts existed have collections without a
  // count: count them once, here, in the opening write transaction.
  std::vector<std::int64_t> uncounted;
  {
    PLINTH_ASSIGN_OR_RETURN(
        sqlite3_stmt * raw,
        conn.Prepare("SELECT id FROM plinth_collections WHERE id NOT IN (SELECT collection_id "
                     "FROM plinth_counts)"));
    Statement stmt(&conn, raw);
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      uncounted.push_back(stmt.ColumnInt(0));
    }
  }
  for (std::int64_t id : uncounted) {
    const std::string table = "c" + std::to_string(id);
    PLINTH_RETURN_IF_ERROR(conn.Exec("INSERT INTO plinth_counts VALUES(" + std::to_string(id) +
                                     ", (SELECT count(*) FROM " + table + "))"));
  }
  return base::Status::Ok();
}

base::Status AddToCount(Connection& conn, std::int64_t collection_id, std::int64_t delta) {
  PLINTH_ASSIGN_OR_RETURN(
      sqlite3_stmt * raw,
      conn.Prepare("UPDATE plinth_counts SET count = count + ?1 WHERE collection_id = ?2"));
  Statement stmt(&conn, raw);
  stmt.BindInt(1, delta);
  stmt.BindInt(2, collection_id);
  PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  (void)row;
  return base::Status::Ok();
}

base::Result<std::int64_t> LoadCount(Connection& conn, std::int64_t collection_id) {
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn.Prepare("SELECT count FROM plinth_counts WHERE collection_id = ?1"));
  Statement stmt(&conn, raw);
  stmt.BindInt(1, collection_id);
  PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row)
    return base::Internal("no document count for collection " + std::to_string(collection_id));
  return stmt.ColumnInt(0);
}

base::Result<std::vector<KeyField>> ParseKeyPattern(const doc::Document& key) {
  if (key.empty()) {
    return base::Status(base::ErrorCode::kCannotCreateIndex, "Index keys cannot be empty.");
  }
  if (key.size() > 32) {
    return base::Status(base::ErrorCode::kCannotCreateIndex,
                        "Index key pattern has more than 32 fields");
  }
  std::vector<KeyField> fields;
  for (const auto& [name, value] : key) {
    PLINTH_ASSIGN_OR_RETURN(std::optional<double> dir, Direction(value));
    if (!dir || (*dir != 1 && *dir != -1)) {
      return base::Status(
          base::ErrorCode::kCannotCreateIndex,
          "Values in the index key pattern can only be 1 or -1 for now: '" + name + "'");
    }
    auto path = doc::FieldPath::Parse(name);
    if (!path.ok()) {
      return base::Status(base::ErrorCode::kCannotCreateIndex,
                          "bad index key pattern field '" + name + "': " + path.status().message());
    }
    for (const auto& existing : fields) {
      if (existing.path == *path) {
        return base::Status(base::ErrorCode::kCannotCreateIndex,
                            "Index key pattern repeats field '" + name + "'");
      }
    }
    fields.push_back(KeyField{std::move(path).value(), *dir < 0});
  }
  return fields;
}

std::string DefaultIndexName(const doc::Document& key) {
  std::string name;
  for (const auto& [field, value] : key) {
    if (!name.empty()) name += "_";
    auto dir = Direction(value);
    const bool descending = dir.ok() && dir->has_value() && **dir < 0;
    name += field + (descending ? "_-1" : "_1");
  }
  return name;
}

base::Result<std::optional<CollectionInfo>> LoadCollection(Connection& conn,
                                                           const std::string& database,
                                                           const std::string& name) {
  CollectionInfo info;
  info.database = database;
  info.name = name;
  {
    PLINTH_ASSIGN_OR_RETURN(
        sqlite3_stmt * raw,
        conn.Prepare("SELECT id FROM plinth_collections WHERE db = ?1 AND name = ?2"));
    Statement stmt(&conn, raw);
    stmt.BindText(1, database);
    stmt.BindText(2, name);
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::optional<CollectionInfo>();
    info.id = stmt.ColumnInt(0);
  }
  PLINTH_ASSIGN_OR_RETURN(
      sqlite3_stmt * raw,
      conn.Prepare("SELECT name, id, spec FROM plinth_indexes WHERE collection_id = ?1 ORDER BY "
                   "name <> '_id_', id"));
  Statement stmt(&conn, raw);
  stmt.BindInt(1, info.id);
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    IndexInfo index;
    index.name = stmt.ColumnText(0);
    index.id = stmt.ColumnInt(1);
    const std::string_view blob = stmt.ColumnBlob(2);
    PLINTH_ASSIGN_OR_RETURN(
        doc::Document spec,
        doc::FromBson(reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size()));
    if (const doc::Value* key = spec.Get("key"); key != nullptr && key->is_document()) {
      index.key = key->as_document();
    }
    if (const doc::Value* unique = spec.Get("unique"); unique != nullptr && unique->is_bool()) {
      index.unique = unique->as_bool();
    }
    if (const doc::Value* sparse = spec.Get("sparse"); sparse != nullptr && sparse->is_bool()) {
      index.sparse = sparse->as_bool();
    }
    if (const doc::Value* partial = spec.Get("partialFilterExpression");
        partial != nullptr && partial->is_document()) {
      PLINTH_ASSIGN_OR_RETURN(index.partial, PartialFilter::Parse(partial->as_document()));
    }
    PLINTH_ASSIGN_OR_RETURN(index.fields, ParseKeyPattern(index.key));
    info.indexes.push_back(std::move(index));
  }
  return std::optional<CollectionInfo>(std::move(info));
}

namespace {

struct CatalogCache {
  std::int64_t schema_version = -1;
  std::map<std::pair<std::string, std::string>, std::optional<CollectionInfo>> entries;
};

}  // namespace

base::Result<std::optional<CollectionInfo>> LoadCollectionCached(Connection& conn,
                                                                 const std::string& database,
                                                                 const std::string& name) {
  std::int64_t version = 0;
  {
    PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw, conn.Prepare("PRAGMA schema_version"));
    Statement stmt(&conn, raw);
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return LoadCollection(conn, database, name);
    version = stmt.ColumnInt(0);
  }
  auto cache = std::static_pointer_cast<CatalogCache>(conn.catalog_cache());
  if (cache == nullptr || cache->schema_version != version) {
    cache = std::make_shared<CatalogCache>();
    cache->schema_version = version;
    conn.catalog_cache() = cache;
  }
  auto key = std::make_pair(database, name);
  auto it = cache->entries.find(key);
  if (it != cache->entries.end()) return it->second;
  PLINTH_ASSIGN_OR_RETURN(std::optional<CollectionInfo> info, LoadCollection(conn, database, name));
  if (cache->entries.size() > 1000) cache->entries.clear();
  cache->entries.emplace(std::move(key), info);
  return info;
}

bool IndexInfo::Holds(const doc::Document& document) const {
  if (partial != nullptr && !partial->Matches(document)) return false;
  if (!sparse) return true;
  std::vector<const doc::Value*> values;
  for (const KeyField& field : fields) {
    doc::CollectPathValues(document, field.path, &values);
    if (!values.empty()) return true;
  }
  return false;
}

base::Result<IndexInfo> AddIndex(Connection& conn, CollectionInfo* info, const IndexSpec& spec) {
  conn.InvalidateCatalog();
  const std::string& name = spec.name;
  const doc::Document& key = spec.key;
  const bool unique = spec.unique;
  IndexInfo index;
  index.name = name;
  index.key = key;
  index.unique = unique;
  index.sparse = spec.sparse;
  if (spec.partial_filter_expression) {
    PLINTH_ASSIGN_OR_RETURN(index.partial, PartialFilter::Parse(*spec.partial_filter_expression));
  }
  PLINTH_ASSIGN_OR_RETURN(index.fields, ParseKeyPattern(key));
  PLINTH_ASSIGN_OR_RETURN(index.id, NextTableId(conn));
  const std::string table = index.table();
  PLINTH_RETURN_IF_ERROR(conn.Exec(
      unique ? "CREATE TABLE " + table +
                   "(key BLOB NOT NULL PRIMARY KEY, rid INTEGER NOT NULL) WITHOUT ROWID"
             : "CREATE TABLE " + table +
                   "(key BLOB NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY(key, rid)) WITHOUT "
                   "ROWID"));
  doc::Document stored{{"key", key}, {"unique", unique}};
  if (spec.sparse) stored.Append("sparse", true);
  if (spec.partial_filter_expression) {
    stored.Append("partialFilterExpression", *spec.partial_filter_expression);
  }
  PLINTH_ASSIGN_OR_RETURN(std::string bson, doc::ToBson(stored));
  PLINTH_ASSIGN_OR_RETURN(
      sqlite3_stmt * raw,
      conn.Prepare("INSERT INTO plinth_indexes(collection_id, name, id, spec) VALUES(?1, ?2, ?3, "
                   "?4)"));
  Statement stmt(&conn, raw);
  stmt.BindInt(1, info->id);
  stmt.BindText(2, name);
  stmt.BindInt(3, index.id);
  stmt.BindBlob(4, bson);
  PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  (void)row;
  info->indexes.push_back(index);
  return index;
}

base::Result<CollectionInfo> EnsureCollection(Connection& conn, const std::string& database,
                                              const std::string& name) {
  PLINTH_ASSIGN_OR_RETURN(std::optional<CollectionInfo> existing,
                          LoadCollection(conn, database, name));
  if (existing) return std::move(*existing);
  CollectionInfo info;
  info.database = database;
  info.name = name;
  conn.InvalidateCatalog();
  PLINTH_ASSIGN_OR_RETURN(info.id, NextTableId(conn));
  PLINTH_RETURN_IF_ERROR(conn.Exec("CREATE TABLE " + info.table() +
                                   "(rid INTEGER PRIMARY KEY AUTOINCREMENT, doc BLOB NOT NULL)"));
  {
    PLINTH_ASSIGN_OR_RETURN(
        sqlite3_stmt * raw,
        conn.Prepare("INSERT INTO plinth_collections(db, name, id) VALUES(?1, ?2, ?3)"));
    Statement stmt(&conn, raw);
    stmt.BindText(1, database);
    stmt.BindText(2, name);
    stmt.BindInt(3, info.id);
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    (void)row;
  }
  PLINTH_RETURN_IF_ERROR(
      conn.Exec("INSERT INTO plinth_counts VALUES(" + std::to_string(info.id) + ", 0)"));
  IndexSpec id_spec;
  id_spec.name = "_id_";
  id_spec.key = doc::Document{{"_id", 1}};
  id_spec.unique = true;
  PLINTH_ASSIGN_OR_RETURN(IndexInfo id_index, AddIndex(conn, &info, id_spec));
  (void)id_index;
  return info;
}

base::Status RemoveIndex(Connection& conn, const CollectionInfo& info, const IndexInfo& index) {
  conn.InvalidateCatalog();
  PLINTH_RETURN_IF_ERROR(conn.Exec("DROP TABLE IF EXISTS " + index.table()));
  PLINTH_ASSIGN_OR_RETURN(
      sqlite3_stmt * raw,
      conn.Prepare("DELETE FROM plinth_indexes WHERE collection_id = ?1 AND name = ?2"));
  Statement stmt(&conn, raw);
  stmt.BindInt(1, info.id);
  stmt.BindText(2, index.name);
  PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  (void)row;
  return base::Status::Ok();
}

base::Status RemoveCollection(Connection& conn, const CollectionInfo& info) {
  conn.InvalidateCatalog();
  for (const IndexInfo& index : info.indexes)
    PLINTH_RETURN_IF_ERROR(RemoveIndex(conn, info, index));
  PLINTH_RETURN_IF_ERROR(conn.Exec("DROP TABLE IF EXISTS " + info.table()));
  PLINTH_RETURN_IF_ERROR(
      conn.Exec("DELETE FROM plinth_counts WHERE collection_id = " + std::to_string(info.id)));
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn.Prepare("DELETE FROM plinth_collections WHERE id = ?1"));
  Statement stmt(&conn, raw);
  stmt.BindInt(1, info.id);
  PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  (void)row;
  return base::Status::Ok();
}

base::Status RenameCollectionRow(Connection& conn, const CollectionInfo& info,
                                 const std::string& to) {
  conn.InvalidateCatalog();
  {
    PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                            conn.Prepare("UPDATE plinth_collections SET name = ?1 WHERE id = ?2"));
    Statement stmt(&conn, raw);
    stmt.BindText(1, to);
    stmt.BindInt(2, info.id);
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    (void)row;
  }
  // Every connection's catalog cache is keyed by schema_version, which a
  // row update does not change; a throwaway table bumps it so no other
  // connection keeps serving the old name.
  return conn.Exec("CREATE TABLE plinth_catalog_bump(x); DROP TABLE plinth_catalog_bump");
}

namespace {
// Steps `stmt` to the end, collecting its first column as text.
base::Result<std::vector<std::string>> TextColumn(Statement& stmt) {
  std::vector<std::string> out;
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(stmt.ColumnText(0));
  }
  return out;
}
}  // namespace

base::Result<std::vector<std::string>> ListDatabaseNames(Connection& conn) {
  PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * raw,
                          conn.Prepare("SELECT DISTINCT db FROM plinth_collections ORDER BY db"));
  Statement stmt(&conn, raw);
  return TextColumn(stmt);
}

base::Result<std::vector<std::string>> ListCollectionNames(Connection& conn,
                                                           const std::string& database) {
  PLINTH_ASSIGN_OR_RETURN(
      sqlite3_stmt * raw,
      conn.Prepare("SELECT name FROM plinth_collections WHERE db = ?1 ORDER BY name"));
  Statement stmt(&conn, raw);
  stmt.BindText(1, database);
  return TextColumn(stmt);
}

}  // namespace plinth::storage::sqlite
