// Custom user data benchmark (issue 8): the lookup made at every login and
// token refresh (auth::CustomDataLookup, cache ttl 0 so every call reads the
// store) at 1 thousand to 1 million documents of ~1 KB, on the SQLite engine
// (a temporary file). With the user id field indexed (as the server does at
// start, CustomDataLookup::EnsureIndex) a lookup is a point read: its time
// should stay flat from 1k to 1M. Prints µs per lookup at each size, the
// ratio 1M/1k (second pass over the same users), and the same lookup without the index at one size
// as a contrast. Never fails on a number (DECISIONS 21).
//
//   bench_custom_data [lookup]
//     Environment: BENCH_CUSTOM_DATA_SIZES (default 1000,10000,100000,1000000),
//     BENCH_CUSTOM_DATA_LOOKUPS per size (default 20000), BENCH_CUSTOM_DATA_SCAN
//     the size of the unindexed contrast (default 100000; 0 skips it), TMPDIR.
//
//   bench_custom_data seed STORE_FILE APP_ID DATABASE COLLECTION FIELD N USER_ID
//     For bench/run.sh's HTTP part: inserts N ~1 KB documents {FIELD: <24-hex
//     id>, pad} into the app's collection of the store file (the server
//     stopped), with USER_ID's own document in the middle, and indexes FIELD
//     as the server would ("<FIELD>_1"). Prints the seeding time.

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "auth/custom_data_lookup.h"
#include "base/clock.h"
#include "base/logger.h"
#include "storage/app_namespace.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::int64_t kBatch = 10000;
constexpr std::size_t kPadBytes = 1000;

void Die(const base::Status& s, const char* what) {
  std::fprintf(stderr, "bench_custom_data: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

std::int64_t EnvInt(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::max<std::int64_t>(0, std::atoll(v));
}

std::vector<std::int64_t> EnvSizes(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  std::stringstream in((v == nullptr || *v == '\0') ? fallback : v);
  std::vector<std::int64_t> sizes;
  std::string part;
  while (std::getline(in, part, ',')) {
    if (std::atoll(part.c_str()) > 0) sizes.push_back(std::atoll(part.c_str()));
  }
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

// The i-th seeded user id: 24 hex digits, spread so that consecutive users
// are not neighbours in the index.
std::string UserId(std::int64_t i) {
  const std::uint64_t x = static_cast<std::uint64_t>(i) * std::uint64_t{0x9E3779B97F4A7C15};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08" PRIx32 "%016" PRIx64,
                static_cast<std::uint32_t>(i & 0xffffffff), x);
  return buf;
}

doc::Document UserDocument(const std::string& field, const std::string& user_id) {
  return doc::Document{{field, doc::Value(user_id)},
                       {"name", doc::Value("user " + user_id)},
                       {"pad", doc::Value(std::string(kPadBytes, 'x'))}};
}

// Inserts users [from, to) in batches of kBatch.
void Insert(storage::Collection& coll, const std::string& field, std::int64_t from,
            std::int64_t to) {
  for (std::int64_t i = from; i < to; i += kBatch) {
    std::vector<doc::Document> batch;
    for (std::int64_t j = i; j < std::min(to, i + kBatch); ++j) {
      batch.push_back(UserDocument(field, UserId(j)));
    }
    auto r = coll.InsertMany(std::move(batch));
    if (!r.ok()) Die(r.status(), "insertMany");
  }
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int Seed(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr,
                 "usage: bench_custom_data seed STORE_FILE APP_ID DATABASE COLLECTION FIELD N "
                 "USER_ID\n");
    return 2;
  }
  const std::string field = argv[6];
  const std::int64_t n = std::max<std::int64_t>(1, std::atoll(argv[7]));
  const std::string user_id = argv[8];
  storage::SqliteOptions options;
  options.file = argv[2];
  auto engine = storage::OpenSqliteEngine(options);
  if (!engine.ok()) Die(engine.status(), "open");
  const storage::StoreNamespace ns = storage::AppNamespace(argv[3], argv[4], argv[5]);
  auto coll = (*engine)->GetCollection(ns.database, ns.collection);
  if (!coll.ok()) Die(coll.status(), "collection");
  const auto t0 = Clock::now();
  Insert(**coll, field, 0, n / 2);
  auto one = (*coll)->InsertOne(UserDocument(field, user_id));
  if (!one.ok()) Die(one.status(), "insertOne");
  Insert(**coll, field, n / 2, n);
  const double insert_s = Seconds(t0);
  const auto t1 = Clock::now();
  storage::IndexSpec spec;
  spec.key = doc::Document{{field, doc::Value(1)}};
  auto made = (*coll)->CreateIndex(spec);
  if (!made.ok()) Die(made.status(), "createIndex");
  const double index_s = Seconds(t1);
  std::printf("SEED docs=%" PRId64 " pad_bytes=%zu insert_s=%.1f index_s=%.1f\n", n + 1, kPadBytes,
              insert_s, index_s);
  return 0;
}

// µs per CustomDataLookup::Find of `lookups` users among the first `n`, in a
// scattered order; every one must be found.
double TimeLookups(const auth::CustomDataLookup& lookup, std::int64_t n, std::int64_t lookups) {
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(lookups));
  for (std::int64_t k = 0; k < lookups; ++k) ids.push_back(UserId((k * 7919 + 13) % n));
  const auto t0 = Clock::now();
  for (const std::string& id : ids) {
    auto found = lookup.Find(id);
    if (!found.ok()) Die(found.status(), "lookup");
    if (!found->has_value()) Die(base::BadValue("user " + id + " not found"), "lookup");
  }
  return Seconds(t0) * 1e6 / static_cast<double>(lookups);
}

int Lookup() {
  const std::vector<std::int64_t> sizes =
      EnvSizes("BENCH_CUSTOM_DATA_SIZES", "1000,10000,100000,1000000");
  const std::int64_t lookups =
      std::max<std::int64_t>(1, EnvInt("BENCH_CUSTOM_DATA_LOOKUPS", 20000));
  const std::int64_t scan_size = EnvInt("BENCH_CUSTOM_DATA_SCAN", 100000);
  if (sizes.empty()) Die(base::BadValue("no sizes"), "BENCH_CUSTOM_DATA_SIZES");
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "plinth-custom-data-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = tmpl;
  std::vector<std::pair<std::int64_t, double>> results;
  {
    storage::SqliteOptions options;
    options.file = dir / "custom-data.sqlite";
    auto engine = storage::OpenSqliteEngine(options);
    if (!engine.ok()) Die(engine.status(), "open");
    config::CustomUserDataConfig config;
    config.enabled = true;
    config.mongo_service_name = "mongodb-atlas";
    config.database_name = "app";
    config.collection_name = "users";
    config.user_id_field = "user_account_id";
    const std::string app_id = "bench-custom-data";
    // A ttl of 0: every Find reads the store, as after any write.
    auth::CustomDataLookup lookup(engine->get(), app_id, config, config::CustomUserDataSettings{},
                                  base::NullLogger(), base::SystemClock::Default(),
                                  std::chrono::milliseconds(0));
    if (auto s = lookup.EnsureIndex(); !s.ok()) Die(s, "ensureIndex");
    const storage::StoreNamespace ns =
        storage::AppNamespace(app_id, config.database_name, config.collection_name);
    auto coll = (*engine)->GetCollection(ns.database, ns.collection);
    if (!coll.ok()) Die(coll.status(), "collection");

    std::printf(
        "== custom data lookup (CustomDataLookup::Find, cache ttl 0), ~%zu B documents, "
        "%" PRId64 " lookups per size\n",
        kPadBytes, lookups);
    std::int64_t have = 0;
    for (std::int64_t n : sizes) {
      const auto t0 = Clock::now();
      Insert(**coll, config.user_id_field, have, n);
      const double fill_s = Seconds(t0);
      have = n;
      // First pass right after the fill; second pass over the same users,
      // their pages now in SQLite's cache (the server's steady state for
      // users who refresh).
      const double first_us = TimeLookups(lookup, n, lookups);
      const double us = TimeLookups(lookup, n, lookups);
      results.emplace_back(n, us);
      std::printf("LOOKUP docs=%" PRId64
                  " us_per_lookup=%.2f first_pass_us=%.2f (filled +%.1f s)\n",
                  n, us, first_us, fill_s);
      std::fflush(stdout);

      if (n == scan_size) {
        // The same lookups without the index: a scan of n documents each.
        auto indexes = (*coll)->ListIndexes();
        if (!indexes.ok()) Die(indexes.status(), "listIndexes");
        const std::string index_name = config.user_id_field + "_1";
        if (auto s = (*coll)->DropIndex(index_name); !s.ok()) Die(s, "dropIndex");
        const std::int64_t scans = std::min<std::int64_t>(lookups, 20);
        const double scan_us = TimeLookups(lookup, n, scans);
        std::printf("LOOKUP_NOINDEX docs=%" PRId64 " us_per_lookup=%.0f (%" PRId64
                    " lookups) ratio_to_indexed=%.0f\n",
                    n, scan_us, scans, scan_us / us);
        std::fflush(stdout);
        if (auto s = lookup.EnsureIndex(); !s.ok()) Die(s, "ensureIndex");
      }
    }
  }
  std::filesystem::remove_all(dir);
  if (results.size() >= 2) {
    const auto& [n0, us0] = results.front();
    const auto& [n1, us1] = results.back();
    std::printf("== custom data lookup time %" PRId64 "/%" PRId64
                ": %.2f us / %.2f us = ratio %.2f "
                "(flat: about 1)\n",
                n1, n0, us1, us0, us1 / us0);
  }
  return 0;
}

}  // namespace
}  // namespace plinth

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "seed") == 0) return plinth::Seed(argc, argv);
  if (argc == 1 || (argc == 2 && std::strcmp(argv[1], "lookup") == 0)) return plinth::Lookup();
  std::fprintf(stderr, "usage: bench_custom_data [lookup] | seed ...\n");
  return 2;
}
