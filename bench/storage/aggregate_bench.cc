// Aggregation benchmark (issue 6): a $group over N documents (default 1
// million) {_id: i, k: i % 1000, v: i} in the SQLite engine on a temporary
// file, grouped by k with $sum and $avg of v, through Collection::Aggregate.
// Three baselines measured in the same process over the same collection:
//   - empty pipeline: Aggregate([]), the same read of every document through
//     the same path without any stage, so the ratio is what $group adds;
//   - find: a plain full-collection Find read to the end through its cursor;
//   - hand group: the documents Find returned, grouped by a hand-written C++
//     hash map (sum and count per k), the floor for the grouping itself.
// Each is run BENCH_AGGREGATE_RUNS times (default 3); the median is printed.
// Checks the result (1000 groups, the right sums) and never fails on a number
// (DECISIONS 21).
//
// Environment: BENCH_AGGREGATE_DOCS (default 1000000), BENCH_AGGREGATE_RUNS,
// TMPDIR.

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::storage {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t kGroups = 1000;

void Die(const base::Status& s, const char* what) {
  std::fprintf(stderr, "bench_aggregate: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

std::int64_t EnvInt(const char* name, std::int64_t fallback) {
  const char* env = std::getenv(name);
  return env != nullptr && *env != '\0' ? std::stoll(env) : fallback;
}

// The median wall time of `runs` calls of `fn`, in seconds.
double MedianSeconds(int runs, const std::function<void()>& fn) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    fn();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

std::int64_t AsInt64(const doc::Value& v) {
  return v.type() == doc::Type::kInt32 ? v.as_int32() : v.as_int64();
}

int Main() {
  const std::int64_t n = EnvInt("BENCH_AGGREGATE_DOCS", 1000000);
  const int runs = static_cast<int>(EnvInt("BENCH_AGGREGATE_RUNS", 3));
  std::string tmpl = (std::filesystem::temp_directory_path() / "plinth-agg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = tmpl;
  {
    SqliteOptions options;
    options.file = dir / "bench.sqlite";
    auto engine = OpenSqliteEngine(options);
    if (!engine.ok()) Die(engine.status(), "open");
    auto coll = (*engine)->GetCollection("bench", "group");
    if (!coll.ok()) Die(coll.status(), "collection");

    const auto seed_start = Clock::now();
    for (std::int64_t i = 0; i < n; i += 10000) {
      std::vector<doc::Document> batch;
      for (std::int64_t j = i; j < std::min(n, i + 10000); ++j) {
        batch.push_back(doc::Document{{"_id", doc::Value(j)},
                                      {"k", doc::Value(static_cast<std::int32_t>(j % kGroups))},
                                      {"v", doc::Value(static_cast<std::int32_t>(j))}});
      }
      auto r = (*coll)->InsertMany(std::move(batch));
      if (!r.ok()) Die(r.status(), "insertMany");
    }
    const double seed_s = std::chrono::duration<double>(Clock::now() - seed_start).count();

    const std::vector<doc::Document> pipeline = {doc::Document{
        {"$group", doc::Document{{"_id", doc::Value("$k")},
                                 {"total", doc::Document{{"$sum", doc::Value("$v")}}},
                                 {"mean", doc::Document{{"$avg", doc::Value("$v")}}}}}}};
    std::vector<doc::Document> grouped;
    const double aggregate_s = MedianSeconds(runs, [&] {
      auto cursor = (*coll)->Aggregate(pipeline);
      if (!cursor.ok()) Die(cursor.status(), "aggregate");
      auto docs = ReadAll(cursor->get());
      if (!docs.ok()) Die(docs.status(), "aggregate read");
      grouped = std::move(*docs);
    });
    const double read_s = MedianSeconds(runs, [&] {
      auto cursor = (*coll)->Aggregate({});
      if (!cursor.ok()) Die(cursor.status(), "aggregate []");
      auto docs = ReadAll(cursor->get());
      if (!docs.ok() || static_cast<std::int64_t>(docs->size()) != n) {
        Die(docs.status(), "aggregate [] read");
      }
    });
    std::vector<doc::Document> all;
    const double find_s = MedianSeconds(runs, [&] {
      auto cursor = (*coll)->Find(doc::Document{});
      if (!cursor.ok()) Die(cursor.status(), "find");
      auto docs = ReadAll(cursor->get());
      if (!docs.ok()) Die(docs.status(), "find read");
      all = std::move(*docs);
    });
    std::unordered_map<std::int64_t, std::pair<std::int64_t, std::int64_t>> hand;
    const double hand_s = MedianSeconds(runs, [&] {
      hand.clear();
      for (const doc::Document& d : all) {
        auto& [sum, count] = hand[AsInt64(*d.Get("k"))];
        sum += AsInt64(*d.Get("v"));
        ++count;
      }
    });

    // The result must be right before its speed means anything.
    if (static_cast<std::int64_t>(grouped.size()) != std::min(n, kGroups)) {
      std::fprintf(stderr, "bench_aggregate: %zu groups, expected %lld\n", grouped.size(),
                   static_cast<long long>(std::min(n, kGroups)));
      return 1;
    }
    for (const doc::Document& g : grouped) {
      const auto& want = hand[AsInt64(*g.Get("_id"))];
      if (AsInt64(*g.Get("total")) != want.first) {
        std::fprintf(stderr, "bench_aggregate: wrong $sum\n");
        return 1;
      }
    }

    const double docs = static_cast<double>(n);
    std::printf("== aggregate: $group by k (%lld groups) with $sum and $avg over %lld documents\n",
                static_cast<long long>(kGroups), static_cast<long long>(n));
    std::printf("seed (InsertMany, batches of 10000)  %8.2f s  %12.0f docs/s\n", seed_s,
                docs / seed_s);
    std::printf("aggregate $group                     %8.3f s  %12.0f docs/s\n", aggregate_s,
                docs / aggregate_s);
    std::printf("baseline empty pipeline (same read)  %8.3f s  %12.0f docs/s\n", read_s,
                docs / read_s);
    std::printf("baseline find (full collection)      %8.3f s  %12.0f docs/s\n", find_s,
                docs / find_s);
    std::printf("baseline hand group (C++ hash map)   %8.3f s  %12.0f docs/s\n", hand_s,
                docs / hand_s);
    std::printf("ratio $group / empty pipeline (docs/s): %.2f\n", read_s / aggregate_s);
    std::printf("ratio $group / find (docs/s): %.2f\n", find_s / aggregate_s);
    std::printf("$group's own cost: %.3f s (hand group: %.3f s, %.1fx)\n", aggregate_s - read_s,
                hand_s, (aggregate_s - read_s) / hand_s);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}

}  // namespace
}  // namespace plinth::storage

int main() { return plinth::storage::Main(); }
