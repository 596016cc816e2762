// Storage benchmark (issue 3): the SQLite engine on a temporary file at 10
// thousand and 1 million documents of about 200 bytes with a string field
// `email` under a secondary index.
//   - lookup: findOne by email (random existing one), p50 and p99 measured
//     per call;
//   - bulk insert: insertMany of 1000 per call, with and without the email
//     index (this builds the datasets);
//   - single insert: insertOne (one transaction each) into the full
//     collection, with and without the index;
//   - scan: find with a filter on an unindexed field, documents scanned/s.
// At the end it prints lookup p50 at 1M / at 10k, and whether that ratio is
// within 2x and the 1M p50 under 20 µs (the target). Never fails on
// a number (DECISIONS 21).
//
// Environment: BENCH_STORAGE_SIZES (default "10000,1000000"), TMPDIR.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::storage {
namespace {

using Clock = std::chrono::steady_clock;

std::string Email(std::int64_t i) { return "user" + std::to_string(i) + "@example.com"; }

// About 200 bytes as BSON.
doc::Document MakeDoc(std::int64_t i) {
  return doc::Document{
      {"email", doc::Value(Email(i))},
      {"name", doc::Value("User Number " + std::to_string(i))},
      {"age", doc::Value(static_cast<std::int32_t>(18 + i % 60))},
      {"city", doc::Value(i % 2 ? std::string("Amsterdam") : std::string("Rotterdam"))},
      {"score", doc::Value(static_cast<double>(i % 1000) / 10.0)},
      {"active", doc::Value(i % 3 != 0)},
      {"bio", doc::Value(std::string(70, static_cast<char>('a' + i % 26)))}};
}

void Die(const base::Status& s, const char* what) {
  std::fprintf(stderr, "bench_storage: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// One engine on a temporary file, shared by every benchmark of the process.
class World {
 public:
  static World& Get() {
    static World world;
    return world;
  }
  Engine& engine() { return *engine_; }
  ~World() {
    engine_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  World() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "plinth-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      std::exit(1);
    }
    dir_ = tmpl;
    SqliteOptions options;
    options.file = dir_ / "bench.sqlite";
    auto e = OpenSqliteEngine(options);
    if (!e.ok()) Die(e.status(), "open");
    engine_ = std::move(e).value();
  }
  std::filesystem::path dir_;
  std::unique_ptr<Engine> engine_;
};

// A collection of n documents (ids 0..n-1), with or without the email index.
struct Dataset {
  std::shared_ptr<Collection> coll;
  std::int64_t n = 0;
  std::int64_t next = 0;  // next id for extra inserts
  double build_seconds = 0;
};

std::map<std::pair<std::int64_t, bool>, Dataset>& Datasets() {
  static std::map<std::pair<std::int64_t, bool>, Dataset> sets;
  return sets;
}

Dataset& GetDataset(std::int64_t n, bool indexed) {
  auto& sets = Datasets();
  auto it = sets.find({n, indexed});
  if (it != sets.end()) return it->second;
  Dataset d;
  auto c = World::Get().engine().GetCollection("bench",
                                               (indexed ? "idx_" : "plain_") + std::to_string(n));
  if (!c.ok()) Die(c.status(), "collection");
  d.coll = *c;
  if (indexed) {
    auto made = d.coll->CreateIndex({"email_1", doc::Document{{"email", doc::Value(1)}}, false});
    if (!made.ok()) Die(made.status(), "createIndex");
  }
  const auto start = Clock::now();
  for (std::int64_t i = 0; i < n; i += 1000) {
    std::vector<doc::Document> batch;
    for (std::int64_t j = i; j < std::min(n, i + 1000); ++j) {
      doc::Document doc = MakeDoc(j);
      doc.mutable_fields().insert(doc.mutable_fields().begin(), {"_id", doc::Value(j)});
      batch.push_back(std::move(doc));
    }
    auto r = d.coll->InsertMany(std::move(batch));
    if (!r.ok()) Die(r.status(), "insertMany");
  }
  d.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  d.n = n;
  d.next = n;
  return sets.emplace(std::make_pair(n, indexed), std::move(d)).first->second;
}

// Lookup p50 per dataset size, for the summary.
std::map<std::int64_t, std::pair<double, double>>& LookupResults() {
  static std::map<std::int64_t, std::pair<double, double>> r;
  return r;
}

double Percentile(std::vector<double>* v, double p) {
  if (v->empty()) return 0;
  std::sort(v->begin(), v->end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v->size() - 1));
  return (*v)[i];
}

// Bulk insert: builds the dataset (once); reports documents/s of the build.
void BM_BulkInsert(benchmark::State& state, std::int64_t n, bool indexed) {
  const bool built = Datasets().count({n, indexed}) != 0;
  for (auto _ : state) {
    Dataset& d = GetDataset(n, indexed);
    state.SetIterationTime(d.build_seconds);
  }
  Dataset& d = GetDataset(n, indexed);
  state.counters["docs_per_s"] = static_cast<double>(n) / d.build_seconds;
  state.counters["us_per_doc"] = d.build_seconds * 1e6 / static_cast<double>(n);
  if (built) state.SetLabel("dataset was already built");
}

void BM_Lookup(benchmark::State& state, std::int64_t n) {
  Dataset& d = GetDataset(n, true);
  std::mt19937_64 rng(n);
  std::vector<double> micros;
  micros.reserve(200000);
  for (auto _ : state) {
    const std::int64_t i = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n));
    const doc::Document filter{{"email", doc::Value(Email(i))}};
    const auto t0 = Clock::now();
    auto r = d.coll->FindOne(filter);
    const auto t1 = Clock::now();
    if (!r.ok() || !r->has_value()) {
      state.SkipWithError("lookup failed or found nothing");
      return;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  const double p50 = Percentile(&micros, 0.50);
  const double p99 = Percentile(&micros, 0.99);
  state.counters["p50_us"] = p50;
  state.counters["p99_us"] = p99;
  state.SetItemsProcessed(state.iterations());
  LookupResults()[n] = {p50, p99};
}

void BM_InsertOne(benchmark::State& state, std::int64_t n, bool indexed) {
  Dataset& d = GetDataset(n, indexed);
  for (auto _ : state) {
    doc::Document doc = MakeDoc(d.next);
    doc.mutable_fields().insert(doc.mutable_fields().begin(), {"_id", doc::Value(d.next)});
    ++d.next;
    auto r = d.coll->InsertOne(std::move(doc));
    if (!r.ok()) {
      state.SkipWithError("insert failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Scan(benchmark::State& state, std::int64_t n) {
  Dataset& d = GetDataset(n, true);
  std::int64_t scanned = 0;
  for (auto _ : state) {
    // `age` is not indexed: every document is read and matched.
    auto cursor = d.coll->Find(doc::Document{{"age", doc::Value(std::int32_t{200})}});
    if (!cursor.ok()) {
      state.SkipWithError("find failed");
      return;
    }
    auto docs = ReadAll(cursor->get());
    if (!docs.ok()) {
      state.SkipWithError("scan failed");
      return;
    }
    benchmark::DoNotOptimize(docs->size());
    scanned += d.next;
  }
  state.SetItemsProcessed(scanned);
  state.counters["docs_scanned_per_s"] =
      benchmark::Counter(static_cast<double>(scanned), benchmark::Counter::kIsRate);
}

std::vector<std::int64_t> Sizes() {
  const char* env = std::getenv("BENCH_STORAGE_SIZES");
  std::string s = env != nullptr && *env != '\0' ? env : "10000,1000000";
  std::vector<std::int64_t> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(std::stoll(s.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return out;
}

std::string Label(std::int64_t n) {
  return n % 1000000 == 0 ? std::to_string(n / 1000000) + "M"
         : n % 1000 == 0  ? std::to_string(n / 1000) + "k"
                          : std::to_string(n);
}

void Register() {
  for (std::int64_t n : Sizes()) {
    const std::string l = Label(n);
    benchmark::RegisterBenchmark(("BulkInsert/indexed/" + l).c_str(), BM_BulkInsert, n, true)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BulkInsert/no_index/" + l).c_str(), BM_BulkInsert, n, false)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Lookup/email/" + l).c_str(), BM_Lookup, n)
        ->Iterations(100000)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("InsertOne/indexed/" + l).c_str(), BM_InsertOne, n, true)
        ->Iterations(5000)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("InsertOne/no_index/" + l).c_str(), BM_InsertOne, n, false)
        ->Iterations(5000)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("Scan/unindexed/" + l).c_str(), BM_Scan, n)
        ->Iterations(n >= 1000000 ? 3 : 50)
        ->Unit(benchmark::kMillisecond);
  }
}

void PrintSummary() {
  const auto& r = LookupResults();
  std::printf("\n== storage summary (indexed lookup by email, findOne)\n");
  for (const auto& [n, p] : r) {
    std::printf("lookup@%-6s p50 %.2f us  p99 %.2f us\n", Label(n).c_str(), p.first, p.second);
  }
  auto small = r.find(10000);
  auto big = r.find(1000000);
  if (small != r.end() && big != r.end() && small->second.first > 0) {
    const double ratio = big->second.first / small->second.first;
    std::printf("ratio lookup@1M / lookup@10k (p50): %.2f -> %s 2x\n", ratio,
                ratio <= 2.0 ? "within" : "NOT within");
    std::printf("lookup@1M p50 %.2f us -> %s 20 us\n", big->second.first,
                big->second.first < 20.0 ? "under" : "NOT under");
  } else {
    std::printf("(ratio needs both the 10000 and 1000000 sizes)\n");
  }
}

}  // namespace
}  // namespace plinth::storage

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  plinth::storage::Register();
  benchmark::RunSpecifiedBenchmarks();
  plinth::storage::PrintSummary();
  benchmark::Shutdown();
  return 0;
}
