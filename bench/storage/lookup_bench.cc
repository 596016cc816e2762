// $lookup benchmark (issue 6): an equality $lookup of N orders by N
// customers (default 100,000 each) on an indexed foreignField, through
// Collection::Aggregate on the SQLite engine (a temporary file), against a
// baseline in the same process: reading both collections in full with
// find. The join reads the foreign collection once per batch of distinct
// local keys ({customer_id: {$in: [...]}}, answered from the index) and
// joins in memory, so it should cost a small multiple of the two full reads;
// a read per input document would be orders of magnitude more.
//
// Prints the median of BENCH_LOOKUP_RUNS runs (default 3) of each, and the
// ratio. Never fails on a number (DECISIONS 21).
//
// Environment: BENCH_LOOKUP_DOCS (default 100000), BENCH_LOOKUP_RUNS, TMPDIR.

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::storage {
namespace {

using Clock = std::chrono::steady_clock;

void Die(const base::Status& s, const char* what) {
  std::fprintf(stderr, "bench_lookup: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

std::int64_t EnvInt(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::max<std::int64_t>(1, std::atoll(v));
}

std::shared_ptr<Collection> Fill(Engine& engine, const std::string& name, std::int64_t n,
                                 bool orders) {
  auto c = engine.GetCollection("bench", name);
  if (!c.ok()) Die(c.status(), "collection");
  for (std::int64_t i = 0; i < n; i += 1000) {
    std::vector<doc::Document> batch;
    for (std::int64_t j = i; j < std::min(n, i + 1000); ++j) {
      if (orders) {
        // Customers in a shuffled-looking order, so the join is not a merge.
        const std::int64_t customer = (j * 7919) % n;
        batch.push_back(doc::Document{{"_id", doc::Value(j)},
                                      {"customer_id", doc::Value(customer)},
                                      {"total", doc::Value(static_cast<double>(j % 500))},
                                      {"item", doc::Value("item " + std::to_string(j % 97))}});
      } else {
        batch.push_back(doc::Document{{"_id", doc::Value(j)},
                                      {"customer_id", doc::Value(j)},
                                      {"name", doc::Value("Customer " + std::to_string(j))},
                                      {"city", doc::Value(j % 2 ? "Amsterdam" : "Rotterdam")}});
      }
    }
    auto r = (*c)->InsertMany(std::move(batch));
    if (!r.ok()) Die(r.status(), "insertMany");
  }
  return *c;
}

std::size_t ReadAllOf(Collection& c) {
  auto cursor = c.Find(doc::Document{});
  if (!cursor.ok()) Die(cursor.status(), "find");
  auto docs = ReadAll(cursor->get());
  if (!docs.ok()) Die(docs.status(), "read");
  return docs->size();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Main() {
  const std::int64_t n = EnvInt("BENCH_LOOKUP_DOCS", 100000);
  const std::int64_t runs = EnvInt("BENCH_LOOKUP_RUNS", 3);
  std::string tmpl = (std::filesystem::temp_directory_path() / "plinth-lookup-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = tmpl;
  double baseline_s = 0;
  double lookup_s = 0;
  std::size_t joined = 0;
  {
    SqliteOptions options;
    options.file = dir / "lookup.sqlite";
    auto engine = OpenSqliteEngine(options);
    if (!engine.ok()) Die(engine.status(), "open");
    auto orders = Fill(**engine, "orders", n, true);
    auto customers = Fill(**engine, "customers", n, false);
    auto made = customers->CreateIndex(
        {"customer_id_1", doc::Document{{"customer_id", doc::Value(1)}}, false});
    if (!made.ok()) Die(made.status(), "createIndex");

    const std::vector<doc::Document> pipeline = {doc::Document{
        {"$lookup", doc::Value(doc::Document{{"from", doc::Value("customers")},
                                             {"localField", doc::Value("customer_id")},
                                             {"foreignField", doc::Value("customer_id")},
                                             {"as", doc::Value("customer")}})}}};
    std::vector<double> base_times;
    std::vector<double> lookup_times;
    for (std::int64_t r = 0; r < runs; ++r) {
      auto t0 = Clock::now();
      const std::size_t read = ReadAllOf(*orders) + ReadAllOf(*customers);
      base_times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      if (read != static_cast<std::size_t>(2 * n)) Die(base::BadValue("short read"), "baseline");

      t0 = Clock::now();
      auto cursor = orders->Aggregate(pipeline);
      if (!cursor.ok()) Die(cursor.status(), "aggregate");
      auto out = ReadAll(cursor->get());
      if (!out.ok()) Die(out.status(), "aggregate read");
      lookup_times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      joined = 0;
      for (const doc::Document& d : *out) {
        const doc::Value* c = d.Get("customer");
        if (c != nullptr && c->is_array() && c->as_array().size() == 1) ++joined;
      }
    }
    baseline_s = Median(base_times);
    lookup_s = Median(lookup_times);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::printf("lookup_bench: %lld orders x %lld customers, indexed foreignField, median of %lld\n",
              static_cast<long long>(n), static_cast<long long>(n), static_cast<long long>(runs));
  std::printf("  baseline (find both collections in full): %8.3f s\n", baseline_s);
  std::printf("  $lookup through Collection::Aggregate:    %8.3f s  (%zu of %lld joined to one)\n",
              lookup_s, joined, static_cast<long long>(n));
  std::printf("  ratio $lookup / baseline: %.2f\n", lookup_s / baseline_s);
  return 0;
}

}  // namespace
}  // namespace plinth::storage

int main() { return plinth::storage::Main(); }
