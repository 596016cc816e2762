#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace plinth::storage::sqlite {

// One SQLite connection (opened with SQLITE_OPEN_NOMUTEX) and its cache of
// prepared statements. Owns the sqlite3 handle and the statements.
// Not thread-safe: one thread at a time (the engine hands each connection to
// one operation at a time: the writer under its mutex, readers from a pool).
class Connection {
 public:
  struct Settings {
    bool synchronous_full = false;
    std::size_t cache_bytes = 64 << 20;
    std::size_t mmap_bytes = 256 << 20;
  };
  static base::Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                        const Settings& settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() { return db_; }
  // Runs SQL without results (may hold several statements).
  base::Status Exec(const std::string& sql);
  // A cached prepared statement, reset and with cleared bindings.
  base::Result<sqlite3_stmt*> Prepare(const std::string& sql);
  // The engine's error for a failed SQLite call (kIoError; kDuplicateKey is
  // decided by callers).
  base::Status Error(int rc, std::string_view what);

  // A slot for catalog.cc's cache of catalog entries (type-erased so this
  // file need not know it). Dropped by InvalidateCatalog(), which runs on
  // every ROLLBACK and every catalog change.
  std::shared_ptr<void>& catalog_cache() { return catalog_cache_; }
  void InvalidateCatalog() { catalog_cache_.reset(); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
  std::shared_ptr<void> catalog_cache_;
};

// Scoped use of a prepared statement: binds, steps (retrying SQLITE_BUSY),
// reads columns, and resets the statement when destroyed. Not thread-safe.
class Statement {
 public:
  Statement(Connection* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void BindInt(int index, std::int64_t value);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  // true: a row is available; false: done. Errors carry SQLite's code in
  // last_rc().
  base::Result<bool> Step();
  int last_rc() const { return last_rc_; }
  std::int64_t ColumnInt(int column);
  std::string_view ColumnBlob(int column);
  std::string ColumnText(int column);

 private:
  Connection* conn_;
  sqlite3_stmt* stmt_;
  int last_rc_ = SQLITE_OK;
  bool stepped_ = false;  // a row was returned: a retry would repeat rows
};

}  // namespace plinth::storage::sqlite
