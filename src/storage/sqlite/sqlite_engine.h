#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "storage/engine.h"

namespace plinth::storage {

// Options of the SQLite engine (ARCHITECTURE.md "Storage format",
// docs/storage.md). Plain value.
struct SqliteOptions {
  // The database file. Empty: a private temporary file that is deleted when
  // the engine closes (the "in-memory" mode for tests; same reader/writer
  // structure as a real file, and any number may run in parallel).
  std::filesystem::path file;
  bool synchronous_full = false;  // PRAGMA synchronous=FULL instead of NORMAL
  std::size_t cache_bytes = 64 << 20;
  std::size_t mmap_bytes = 256 << 20;
  int reader_connections = 4;          // idle reader connections kept in the pool
  const base::Clock* clock = nullptr;  // nullptr: SystemClock::Default()
  base::Random* random = nullptr;      // nullptr: SystemRandom::Default()
};

// Opens (creating when missing) the SQLite engine. The clock and random
// source, when given, must outlive the engine. The engine is thread-safe;
// see engine.h. kIoError when the file cannot be opened.
base::Result<std::unique_ptr<Engine>> OpenSqliteEngine(const SqliteOptions& options);

// For tests and diagnostics, like a minimal explain: how a find with
// `filter` would find its candidates in `engine` (one returned by
// OpenSqliteEngine): "COLLSCAN", or "IXSCAN <index name>" for the index
// used. Runs the query in a read snapshot and discards the rows. BadValue
// for another engine or a bad filter.
base::Result<std::string> SqliteQueryPlan(Engine& engine, const std::string& database,
                                          const std::string& collection,
                                          const doc::Document& filter);

}  // namespace plinth::storage
