#include "storage/sqlite/connection.h"

#include <chrono>
#include <thread>

namespace plinth::storage::sqlite {
namespace {

constexpr int kBusyTimeoutMillis = 10000;
constexpr int kBusyRetries = 50;

}  // namespace

base::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                           const Settings& settings) {
  // SQLite's memory statistics take one process-wide mutex on every
  // allocation, which the I/O threads' point reads then contend on; nothing
  // here reads the statistics. Only possible before SQLite initialises.
  static const int kNoMemoryStatistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)kNoMemoryStatistics;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return base::Status(base::ErrorCode::kIoError, "cannot open the database: " + message);
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMillis);
  sqlite3_extended_result_codes(db, 1);
  const std::string pragmas =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=" +
      std::string(settings.synchronous_full ? "FULL" : "NORMAL") + ";PRAGMA cache_size=-" +
      std::to_string(settings.cache_bytes / 1024) +
      ";PRAGMA mmap_size=" + std::to_string(settings.mmap_bytes) +
      ";PRAGMA foreign_keys=OFF;PRAGMA temp_store=MEMORY;";
  PLINTH_RETURN_IF_ERROR(conn->Exec(pragmas));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

base::Status Connection::Error(int rc, std::string_view what) {
  return base::Status(base::ErrorCode::kIoError, "storage error (" + std::string(what) +
                                                     "): " + sqlite3_errstr(rc) + ": " +
                                                     sqlite3_errmsg(db_));
}

namespace {
bool IsTransactionControl(const std::string& sql) {
  for (const char* verb : {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}) {
    if (sql.rfind(verb, 0) == 0) return sql.find(';') == std::string::npos;
  }
  return false;
}
}  // namespace

base::Status Connection::Exec(const std::string& sql) {
  if (sql.rfind("ROLLBACK", 0) == 0) InvalidateCatalog();
  // Transaction control (BEGIN, COMMIT, SAVEPOINT ... on every read and
  // write) runs from the prepared-statement cache: sqlite3_exec would compile
  // it again each time, a noticeable share of a point lookup. Other SQL (DDL
  // naming one table, scripts) is rare and would only grow the cache.
  const bool single = IsTransactionControl(sql);
  for (int attempt = 0;; ++attempt) {
    int rc;
    if (single) {
      PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      }
      sqlite3_reset(stmt);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    } else {
      char* err = nullptr;
      rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
      sqlite3_free(err);
    }
    if (rc == SQLITE_OK) return base::Status::Ok();
    if ((rc & 0xFF) == SQLITE_BUSY && attempt < kBusyRetries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    return Error(rc, sql.substr(0, 40));
  }
}

base::Result<sqlite3_stmt*> Connection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "prepare");
  statements_.emplace(sql, stmt);
  return stmt;
}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::BindInt(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::BindText(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

void Statement::BindBlob(int index, std::string_view value) {
  // A zero-length blob must still be a blob, not NULL.
  static const char kEmpty = 0;
  sqlite3_bind_blob(stmt_, index, value.empty() ? &kEmpty : value.data(),
                    static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

base::Result<bool> Statement::Step() {
  for (int attempt = 0;; ++attempt) {
    last_rc_ = sqlite3_step(stmt_);
    if (last_rc_ == SQLITE_ROW) {
      stepped_ = true;
      return true;
    }
    if (last_rc_ == SQLITE_DONE) return false;
    if ((last_rc_ & 0xFF) == SQLITE_BUSY && !stepped_ && attempt < kBusyRetries) {
      sqlite3_reset(stmt_);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    return conn_->Error(last_rc_, "step");
  }
}

std::int64_t Statement::ColumnInt(int column) { return sqlite3_column_int64(stmt_, column); }

std::string_view Statement::ColumnBlob(int column) {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), static_cast<std::size_t>(size)};
}

std::string Statement::ColumnText(int column) {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

}  // namespace plinth::storage::sqlite
