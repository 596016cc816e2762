// Concurrency test (issue 3, "Done means"): reader threads and writer threads
// hammer one file-backed SQLite engine for a few seconds. The writers keep
// invariants that only a torn read could break; the readers check them on
// every read, and no call may return an error (in particular no SQLITE_BUSY
// reaching a caller).
//
// Invariants:
// - pair: one document {_id: "pair", x: n, y: -n}, updated by one $set of
//   both fields: every read sees x + y == 0.
// - accounts: documents "a" and "b" whose balances sum to 1000; a transaction
//   (RunTransaction) moves an amount from one to the other: every read of
//   both (one find) sees the sum 1000.
// - batches: insertMany of kBatch documents with the same "g"; every count of
//   one g is 0 or kBatch, and deleteMany removes a whole batch.
// - generations: kGen documents all carrying the same "gen", advanced by one
//   updateMany: a cursor read in small batches sees one gen throughout.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "doc/ejson.h"
#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::storage {
namespace {

constexpr int kReaders = 4;
constexpr auto kDuration = std::chrono::seconds(3);
constexpr std::int64_t kBatch = 10;
constexpr std::int64_t kGen = 50;

doc::Document D(std::initializer_list<doc::Document::Field> fields) {
  return doc::Document(fields);
}

std::int64_t Int(const doc::Document& d, const char* field) {
  const doc::Value* v = d.Get(field);
  if (v == nullptr) return INT64_MIN;
  if (const auto* l = v->get_if<std::int64_t>()) return *l;
  if (const auto* i = v->get_if<std::int32_t>()) return *i;
  return INT64_MIN;
}

// Failures from any thread, reported by the main thread.
class Problems {
 public:
  void Add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (list_.size() < 20) list_.push_back(what);
    ++count_;
  }
  void Check(const base::Status& s, const char* what) {
    if (!s.ok()) Add(std::string(what) + ": " + s.ToString());
  }
  std::vector<std::string> list() {
    std::lock_guard<std::mutex> lock(mu_);
    return list_;
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> list_;
  int count_ = 0;
};

TEST(ConcurrencyTest, ReadersNeverSeeTornStatesAndNoCallFails) {
  char tmpl[] = "/tmp/plinth-concurrency-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir(tmpl);
  SqliteOptions options;
  options.file = dir / "data.sqlite";
  auto opened = OpenSqliteEngine(options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Engine> engine = std::move(opened).value();
  auto got = engine->GetCollection("conc", "c");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::shared_ptr<Collection> coll = *got;

  ASSERT_TRUE(coll->CreateIndex({"g_1", D({{"g", doc::Value(1)}}), false}).ok());
  ASSERT_TRUE(coll->CreateIndex({"gen_1", D({{"gen", doc::Value(1)}}), false}).ok());
  ASSERT_TRUE(coll->InsertOne(D({{"_id", doc::Value("pair")},
                                 {"x", doc::Value(std::int64_t{0})},
                                 {"y", doc::Value(std::int64_t{0})}}))
                  .ok());
  ASSERT_TRUE(
      coll->InsertMany({D({{"_id", doc::Value("a")}, {"bal", doc::Value(std::int64_t{500})}}),
                        D({{"_id", doc::Value("b")}, {"bal", doc::Value(std::int64_t{500})}})})
          .ok());
  std::vector<doc::Document> gens;
  for (std::int64_t i = 0; i < kGen; ++i) {
    gens.push_back(D({{"_id", doc::Value(1000 + i)}, {"gen", doc::Value(std::int64_t{0})}}));
  }
  ASSERT_TRUE(coll->InsertMany(gens).ok());

  Problems problems;
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> reads{0};
  std::atomic<std::int64_t> writes{0};
  std::atomic<std::int64_t> batches_started{0};

  // Writer 1: the pair and the account transfers (transactions).
  auto writer1 = [&] {
    std::int64_t n = 0;
    while (!stop.load()) {
      ++n;
      auto r = coll->UpdateOne(
          D({{"_id", doc::Value("pair")}}),
          D({{"$set", doc::Value(D({{"x", doc::Value(n)}, {"y", doc::Value(-n)}}))}}));
      problems.Check(r.status(), "update pair");
      const std::int64_t amount = (n % 7) - 3;
      base::Status t = engine->RunTransaction([&](Engine& txn) -> base::Status {
        PLINTH_ASSIGN_OR_RETURN(auto c, txn.GetCollection("conc", "c"));
        PLINTH_ASSIGN_OR_RETURN(
            auto r1, c->UpdateOne(D({{"_id", doc::Value("a")}}),
                                  D({{"$inc", doc::Value(D({{"bal", doc::Value(-amount)}}))}})));
        PLINTH_ASSIGN_OR_RETURN(
            auto r2, c->UpdateOne(D({{"_id", doc::Value("b")}}),
                                  D({{"$inc", doc::Value(D({{"bal", doc::Value(amount)}}))}})));
        if (r1.matched != 1 || r2.matched != 1) return base::Internal("account missing");
        return base::Status::Ok();
      });
      problems.Check(t, "transfer transaction");
      writes += 2;
    }
  };

  // Writer 2: batches in and out, and generations.
  auto writer2 = [&] {
    std::int64_t g = 0;
    std::int64_t gen = 0;
    while (!stop.load()) {
      ++g;
      std::vector<doc::Document> batch;
      for (std::int64_t i = 0; i < kBatch; ++i) {
        batch.push_back(D({{"g", doc::Value(g)}, {"i", doc::Value(i)}}));
      }
      batches_started = g;
      problems.Check(coll->InsertMany(std::move(batch)).status(), "insertMany batch");
      if (g > 3) {
        auto d = coll->DeleteMany(D({{"g", doc::Value(g - 3)}}));
        problems.Check(d.status(), "deleteMany batch");
        if (d.ok() && d->deleted != kBatch) problems.Add("deleteMany removed a partial batch");
      }
      ++gen;
      auto u = coll->UpdateMany(D({{"gen", doc::Value(D({{"$exists", doc::Value(true)}}))}}),
                                D({{"$set", doc::Value(D({{"gen", doc::Value(gen)}}))}}));
      problems.Check(u.status(), "updateMany gen");
      if (u.ok() && u->modified != kGen) problems.Add("updateMany modified a partial set");
      writes += 3;
    }
  };

  auto reader = [&](int which) {
    std::int64_t k = which;
    while (!stop.load()) {
      ++k;
      auto pair = coll->FindOne(D({{"_id", doc::Value("pair")}}));
      problems.Check(pair.status(), "find pair");
      if (pair.ok()) {
        if (!pair->has_value() || Int(**pair, "x") + Int(**pair, "y") != 0) {
          problems.Add("torn pair: " +
                       (pair->has_value() ? doc::ToCanonicalJson(**pair) : std::string("none")));
        }
      }
      auto accounts = coll->Find(D({{"bal", doc::Value(D({{"$exists", doc::Value(true)}}))}}));
      problems.Check(accounts.status(), "find accounts");
      if (accounts.ok()) {
        auto docs = ReadAll(accounts->get());
        problems.Check(docs.status(), "read accounts");
        if (docs.ok()) {
          std::int64_t sum = 0;
          for (const auto& d : *docs) sum += Int(d, "bal");
          if (docs->size() != 2 || sum != 1000) {
            problems.Add("torn transfer: sum " + std::to_string(sum));
          }
        }
      }
      const std::int64_t g = batches_started.load() - (k % 4);
      if (g > 0) {
        auto n = coll->CountDocuments(D({{"g", doc::Value(g)}}));
        problems.Check(n.status(), "count batch");
        if (n.ok() && *n != 0 && *n != kBatch) {
          problems.Add("partial batch visible: " + std::to_string(*n));
        }
      }
      FindOptions small;
      small.batch_size = 7;
      small.sort = D({{"_id", doc::Value(1)}});
      auto cursor = coll->Find(D({{"gen", doc::Value(D({{"$exists", doc::Value(true)}}))}}), small);
      problems.Check(cursor.status(), "find gens");
      if (cursor.ok()) {
        std::vector<doc::Document> docs;
        bool more = true;
        while (more) {
          auto r = (*cursor)->NextBatch(&docs);
          problems.Check(r.status(), "next batch");
          more = r.ok() && *r;
          if (more) std::this_thread::yield();  // let the writer commit mid-cursor
        }
        if (docs.size() != static_cast<std::size_t>(kGen)) {
          problems.Add("gens: " + std::to_string(docs.size()) + " documents");
        }
        for (const auto& d : docs) {
          if (Int(d, "gen") != Int(docs.front(), "gen")) {
            problems.Add("cursor saw two generations");
            break;
          }
        }
      }
      reads += 4;
    }
  };

  std::vector<std::thread> threads;
  threads.emplace_back(writer1);
  threads.emplace_back(writer2);
  for (int i = 0; i < kReaders; ++i) threads.emplace_back(reader, i);
  std::this_thread::sleep_for(kDuration);
  stop = true;
  for (auto& t : threads) t.join();

  for (const std::string& p : problems.list()) ADD_FAILURE() << p;
  EXPECT_EQ(problems.count(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_GT(writes.load(), 0);
  std::printf("concurrency test: %d readers, 2 writers, %lld reads, %lld writes in %lld s\n",
              kReaders, static_cast<long long>(reads.load()), static_cast<long long>(writes.load()),
              static_cast<long long>(kDuration.count()));
  engine.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace plinth::storage
