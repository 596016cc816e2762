// Crash test (issue 3, "Done means"): a child process inserts, updates and
// deletes in a loop on a file-backed SQLite engine with secondary indexes and
// is killed with SIGKILL at random moments, many times. After each kill the
// parent reopens the database and checks that every acknowledged write is
// there with its latest acknowledged value, that nothing else is (at most the
// one write in flight at the kill), and that every index agrees with its
// collection.
//
// Protocol: before each engine call the child writes an INTENT record to a
// pipe, and after the call returns OK an ACK record. The parent replays ACKs
// into its model; the one INTENT without an ACK at the kill may or may not
// have committed, so the database must equal the model either without it or
// with it applied. Records are smaller than PIPE_BUF, so each write is atomic.
//
// The engine is opened only in the child after fork() and in the parent
// between rounds (and closed before the next fork), so no engine thread is
// ever alive across a fork.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "../common/record_pipe.h"
#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::storage {
namespace {

constexpr int kRounds = 20;
constexpr int kMinRunMillis = 20;
constexpr int kMaxRunMillis = 200;
constexpr std::int64_t kBatch = 5;  // documents per insertMany

enum class Op : std::int32_t { kInsertOne = 1, kInsertMany = 2, kUpdate = 3, kDelete = 4 };
enum class Kind : std::int32_t { kIntent = 1, kAck = 2, kReady = 3 };

struct Record {
  Kind kind;
  Op op;
  std::int64_t id;   // first id of the operation
  std::int64_t seq;  // the value the operation writes (unique per operation)
};
static_assert(sizeof(Record) <= PIPE_BUF);

// What the collection should hold: id -> seq of its latest write. A document
// with id i and seq s is {_id: i, k: "k<i>-<s>", v: s*8 + (i % 8), pad: ...}:
// k is unique (unique index), v is indexed (non-unique index, unique values).
using Model = std::map<std::int64_t, std::int64_t>;

std::string KeyOf(std::int64_t id, std::int64_t seq) {
  return "k" + std::to_string(id) + "-" + std::to_string(seq);
}
std::int64_t ValueOf(std::int64_t id, std::int64_t seq) { return seq * 8 + id % 8; }

doc::Document MakeDoc(std::int64_t id, std::int64_t seq) {
  return doc::Document{
      {"_id", doc::Value(id)},
      {"k", doc::Value(KeyOf(id, seq))},
      {"v", doc::Value(ValueOf(id, seq))},
      {"pad", doc::Value(std::string(static_cast<std::size_t>(40 + id % 60), 'x'))}};
}

void Apply(Model* m, const Record& r) {
  switch (r.op) {
    case Op::kInsertOne:
    case Op::kUpdate:
      (*m)[r.id] = r.seq;
      break;
    case Op::kInsertMany:
      for (std::int64_t i = 0; i < kBatch; ++i) (*m)[r.id + i] = r.seq;
      break;
    case Op::kDelete:
      m->erase(r.id);
      break;
  }
}

base::Result<std::unique_ptr<Engine>> Open(const std::filesystem::path& file) {
  SqliteOptions options;
  options.file = file;
  return OpenSqliteEngine(options);
}

bool WriteAll(int fd, const Record& r) {
  return write(fd, &r, sizeof r) == static_cast<ssize_t>(sizeof r);
}

// The child: never returns. `model` is the parent's model at fork time;
// `next_id` and `next_seq` are fresh values no earlier round used.
[[noreturn]] void ChildLoop(const std::filesystem::path& file, int fd, Model model,
                            std::int64_t next_id, std::int64_t next_seq, unsigned seed) {
  auto engine = Open(file);
  if (!engine.ok()) _exit(3);
  auto coll = (*engine)->GetCollection("crash", "docs");
  if (!coll.ok()) _exit(4);
  // Idempotent: the first round creates them, later rounds find them.
  if (!(*coll)->CreateIndex({"k_1", doc::Document{{"k", doc::Value(1)}}, true}).ok()) _exit(5);
  if (!(*coll)->CreateIndex({"v_1", doc::Document{{"v", doc::Value(1)}}, false}).ok()) _exit(6);

  // The kill timer starts once the engine is open, so every round writes.
  if (!WriteAll(fd, Record{Kind::kReady, Op::kInsertOne, 0, 0})) _exit(12);

  std::mt19937_64 rng(seed);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    const std::int64_t seq = next_seq++;
    Record r{Kind::kIntent, Op::kInsertOne, 0, seq};
    const auto dice = rng() % 100;
    const bool have = !model.empty();
    // Keep the collection near a few hundred documents.
    if (have && dice < 45) {
      r.op = Op::kUpdate;
    } else if (have && dice < (model.size() > 400 ? 75 : 55)) {
      r.op = Op::kDelete;
    } else if (dice < 90) {
      r.op = Op::kInsertOne;
    } else {
      r.op = Op::kInsertMany;
    }
    if (r.op == Op::kUpdate || r.op == Op::kDelete) {
      auto it = model.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(rng() % model.size()));
      r.id = it->first;
    } else {
      r.id = next_id;
      next_id += r.op == Op::kInsertMany ? kBatch : 1;
    }
    if (!WriteAll(fd, r)) _exit(7);

    base::Status status;
    switch (r.op) {
      case Op::kInsertOne:
        status = (*coll)->InsertOne(MakeDoc(r.id, seq)).status();
        break;
      case Op::kInsertMany: {
        std::vector<doc::Document> docs;
        for (std::int64_t i = 0; i < kBatch; ++i) docs.push_back(MakeDoc(r.id + i, seq));
        status = (*coll)->InsertMany(std::move(docs)).status();
        break;
      }
      case Op::kUpdate: {
        doc::Document set{{"k", doc::Value(KeyOf(r.id, seq))},
                          {"v", doc::Value(ValueOf(r.id, seq))}};
        auto res = (*coll)->UpdateOne(doc::Document{{"_id", doc::Value(r.id)}},
                                      doc::Document{{"$set", doc::Value(std::move(set))}});
        status = res.status();
        if (res.ok() && res->modified != 1) _exit(8);
        break;
      }
      case Op::kDelete: {
        auto res = (*coll)->DeleteOne(doc::Document{{"_id", doc::Value(r.id)}});
        status = res.status();
        if (res.ok() && res->deleted != 1) _exit(9);
        break;
      }
    }
    if (!status.ok()) {
      std::fprintf(stderr, "child: %s\n", status.ToString().c_str());
      _exit(10);
    }
    Apply(&model, r);
    r.kind = Kind::kAck;
    if (!WriteAll(fd, r)) _exit(11);
  }
  _exit(0);
}

// Reads whatever records are available (or waits up to `wait_ms`).
void Drain(int fd, std::vector<Record>* out, int wait_ms, std::string* partial) {
  plinth::testing::DrainRecords(fd, out, wait_ms, partial);
}

std::optional<std::int64_t> AsInt(const doc::Value* v) {
  if (v == nullptr) return std::nullopt;
  if (const auto* l = v->get_if<std::int64_t>()) return *l;
  if (const auto* i = v->get_if<std::int32_t>()) return *i;
  return std::nullopt;
}

// The collection as a model, or an error describing a malformed document.
::testing::AssertionResult ReadModel(Collection& coll, Model* out) {
  auto cursor = coll.Find(doc::Document{});
  if (!cursor.ok()) return ::testing::AssertionFailure() << cursor.status().ToString();
  auto docs = ReadAll(cursor->get());
  if (!docs.ok()) return ::testing::AssertionFailure() << docs.status().ToString();
  for (const doc::Document& d : *docs) {
    auto id = AsInt(d.Get("_id"));
    auto v = AsInt(d.Get("v"));
    const doc::Value* k = d.Get("k");
    if (!id || !v || k == nullptr || !k->is_string()) {
      return ::testing::AssertionFailure() << "malformed document " << doc::ToCanonicalJson(d);
    }
    const std::int64_t seq = (*v - *id % 8) / 8;
    if (ValueOf(*id, seq) != *v || k->as_string() != KeyOf(*id, seq) || !(d == MakeDoc(*id, seq))) {
      return ::testing::AssertionFailure() << "torn document " << doc::ToCanonicalJson(d);
    }
    if (!out->emplace(*id, seq).second) {
      return ::testing::AssertionFailure() << "two documents with _id " << *id;
    }
  }
  return ::testing::AssertionSuccess();
}

std::string Describe(const Model& m) {
  std::string s = std::to_string(m.size()) + " docs";
  return s;
}

// Every index agrees with the collection: each document is found through
// each indexed field, exactly once, and counts match.
void CheckIndexes(Collection& coll, const Model& m) {
  auto total = coll.CountDocuments(doc::Document{});
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  EXPECT_EQ(*total, static_cast<std::int64_t>(m.size()));
  auto range = coll.CountDocuments(
      doc::Document{{"v", doc::Value(doc::Document{{"$gte", doc::Value(std::int64_t{0})}})}});
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_EQ(*range, static_cast<std::int64_t>(m.size())) << "range over the v index";
  auto krange = coll.CountDocuments(
      doc::Document{{"k", doc::Value(doc::Document{{"$gte", doc::Value("")}})}});
  ASSERT_TRUE(krange.ok()) << krange.status().ToString();
  EXPECT_EQ(*krange, static_cast<std::int64_t>(m.size())) << "range over the k index";
  for (const auto& [id, seq] : m) {
    const doc::Document want = MakeDoc(id, seq);
    for (const doc::Document& filter : {doc::Document{{"k", doc::Value(KeyOf(id, seq))}},
                                        doc::Document{{"v", doc::Value(ValueOf(id, seq))}}}) {
      auto found = coll.Find(filter);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      auto docs = ReadAll(found->get());
      ASSERT_TRUE(docs.ok()) << docs.status().ToString();
      ASSERT_EQ(docs->size(), 1u) << "lookup " << doc::ToCanonicalJson(filter);
      EXPECT_EQ((*docs)[0], want);
    }
  }
  auto indexes = coll.ListIndexes();
  ASSERT_TRUE(indexes.ok()) << indexes.status().ToString();
  EXPECT_EQ(indexes->size(), 3u) << "_id_, k_1 and v_1";
}

TEST(CrashTest, AcknowledgedWritesSurviveKill9AndIndexesAgree) {
  char tmpl[] = "/tmp/plinth-crash-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir(tmpl);
  const std::filesystem::path file = dir / "data.sqlite";

  std::mt19937_64 rng(std::random_device{}());
  Model model;
  std::int64_t next_id = 1;
  std::int64_t next_seq = 1;
  std::int64_t total_acks = 0;
  int in_flight_applied = 0;
  {
    // The indexes exist before the first kill, so every check can use them.
    auto engine = Open(file);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    auto coll = (*engine)->GetCollection("crash", "docs");
    ASSERT_TRUE(coll.ok()) << coll.status().ToString();
    ASSERT_TRUE((*coll)->CreateIndex({"k_1", doc::Document{{"k", doc::Value(1)}}, true}).ok());
    ASSERT_TRUE((*coll)->CreateIndex({"v_1", doc::Document{{"v", doc::Value(1)}}, false}).ok());
  }

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const unsigned seed = static_cast<unsigned>(rng());
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      ChildLoop(file, fds[1], model, next_id, next_seq, seed);
    }
    close(fds[1]);

    const int run_ms =
        kMinRunMillis + static_cast<int>(rng() % (kMaxRunMillis - kMinRunMillis + 1));
    std::vector<Record> records;
    std::string partial;
    const auto ready_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (records.empty() && std::chrono::steady_clock::now() < ready_deadline) {
      Drain(fds[0], &records, 10, &partial);
    }
    ASSERT_FALSE(records.empty()) << "the child did not open the engine within 20 s";
    ASSERT_EQ(records.front().kind, Kind::kReady);
    records.erase(records.begin());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
    while (std::chrono::steady_clock::now() < deadline) Drain(fds[0], &records, 5, &partial);
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    // A child that exited by itself failed (its exit code says where).
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with status " << WEXITSTATUS(status);
    for (int i = 0; i < 1000; ++i) {
      const std::size_t before = records.size();
      Drain(fds[0], &records, 0, &partial);
      if (records.size() == before) break;
    }
    close(fds[0]);

    // Replay: acknowledged writes into the model; the last unacknowledged
    // intent may have committed.
    std::optional<Record> in_flight;
    for (const Record& r : records) {
      if (r.kind == Kind::kIntent) {
        in_flight = r;
        next_seq = std::max(next_seq, r.seq + 1);
        next_id = std::max(next_id, r.id + (r.op == Op::kInsertMany ? kBatch : 1));
      } else {
        ASSERT_TRUE(in_flight && in_flight->seq == r.seq) << "ack without intent";
        Apply(&model, r);
        in_flight.reset();
        ++total_acks;
      }
    }

    auto engine = Open(file);
    ASSERT_TRUE(engine.ok()) << "reopening after kill -9: " << engine.status().ToString();
    auto coll = (*engine)->GetCollection("crash", "docs");
    ASSERT_TRUE(coll.ok()) << coll.status().ToString();
    Model actual;
    ASSERT_TRUE(ReadModel(**coll, &actual));
    if (actual != model) {
      ASSERT_TRUE(in_flight.has_value()) << "the database differs from the acknowledged writes ("
                                         << Describe(actual) << " vs " << Describe(model) << ")";
      Model with = model;
      Apply(&with, *in_flight);
      ASSERT_TRUE(actual == with) << "the database is neither the acknowledged state nor that "
                                     "plus the write in flight";
      model = std::move(with);
      ++in_flight_applied;
    }
    CheckIndexes(**coll, model);
    if (HasFatalFailure() || HasFailure()) return;
  }
  std::printf(
      "crash test: %d rounds, %lld acknowledged writes, %zu documents at the end, "
      "in-flight write committed in %d rounds\n",
      kRounds, static_cast<long long>(total_acks), model.size(), in_flight_applied);
  EXPECT_GT(total_acks, 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace plinth::storage
