// Crash test: no half-created user. A child process runs a registration
// storm against one app's AuthService on a file-backed SQLite store, from
// several threads at once: Register + first Login of fresh emails (the login
// creates the user, its identity row, links the account and writes the
// session in one transaction), anonymous logins (user, identity, session),
// and operator CreateEmailPasswordUser (account and user together). The
// parent kills it with SIGKILL at a random moment, reopens the store and
// checks that the auth records are consistent:
//   - every user has at least one identity, and each of its identities has
//     an identity-index row ("<type>|<id>") pointing back at it;
//   - every identity-index row points at an existing user whose identities
//     include it;
//   - every email/password account with a user_id points at an existing
//     user holding that account as its local-userpass identity, and every
//     local-userpass identity of a user has its account, linked to that user;
//   - every session belongs to an existing user;
//   - every user the child reported as created (after the call returned) is
//     there, and every user it reported deleted is gone: a committed write
//     survives the kill.
// Two of the storm's moves go further: two first logins of one account race
// (both must get the same user), and now and then a new user is deleted
// again (user, identity rows, account and sessions in one transaction).
// It repeats on the same data directory, so the store (and the app's key
// file) must keep opening after each kill, and checks the storm made
// progress. At the end the parent builds the service itself and logs in to
// every account whose first login a kill cut short (it must get its user
// now) and to one linked account (as its user), then checks again.
//
// Protocol: the child writes fixed-size records (< PIPE_BUF, so each write
// is atomic even from several threads) to a pipe: one READY once the service
// is built, then one per user it created, and one before and one after each
// DeleteUser. The engine is opened only in the
// child after fork() and in the parent between rounds (closed before the
// next fork), so no engine thread is alive across a fork.
//
// A second test runs the storm on an app with a user creation function whose
// writes must commit with the user (see the section "With a user creation
// function" below).
//
// PLINTH_AUTH_CRASH_SEED=<n> repeats a run's kill delays and storm choices
// (not the thread interleaving).

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../common/record_pipe.h"
#include "auth/auth_records.h"
#include "auth/auth_registry.h"
#include "auth/auth_service.h"
#include "base/clock.h"
#include "base/error_code.h"
#include "base/logger.h"
#include "base/random.h"
#include "config/app_loader.h"
#include "config/secrets.h"
#include "doc/ejson.h"
#include "server/app_services.h"
#include "server/server.h"
#include "storage/app_namespace.h"
#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::auth {
namespace {

constexpr int kRounds = 10;
constexpr int kMinRunMillis = 50;
constexpr int kMaxRunMillis = 400;
constexpr int kThreads = 4;
constexpr const char* kAppId = "crash-abcde";

enum class Kind : char {
  kReady = 'R',
  kUserpass = 'L',  // Register + first Login created the user
  kAnon = 'A',      // anonymous login created the user
  kOperator = 'C',  // CreateEmailPasswordUser created the user
  kDeleting = 'X',  // DeleteUser of the user is about to run
  kDeleted = 'D',   // DeleteUser of the user returned OK
  kRefused = 'F',   // the creation function refused a failing email, as it should
};

struct Record {
  Kind kind;
  char user_id[24];  // ObjectId hex, not NUL-terminated
  char pad[7];
};
static_assert(sizeof(Record) <= PIPE_BUF);

constexpr const char* kRootConfig = R"({
  "app_id": "crash-abcde",
  "config_version": 20210101,
  "name": "crash",
  "location": "US-VA",
  "deployment_model": "GLOBAL"
})";

constexpr const char* kProviders = R"({
  "anon-user": {"name": "anon-user", "type": "anon-user", "disabled": false},
  "local-userpass": {
    "name": "local-userpass",
    "type": "local-userpass",
    "disabled": false,
    "config": {
      "autoConfirm": true,
      "resetPasswordUrl": "http://localhost/reset",
      "emailConfirmationUrl": "http://localhost/confirm",
      "runConfirmationFunction": false,
      "runResetFunction": false
    }
  }
})";

void WriteFile(const std::filesystem::path& path, const char* text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

base::Result<std::unique_ptr<storage::Engine>> OpenStore(const std::filesystem::path& data_dir) {
  storage::SqliteOptions options;
  options.file = data_dir / server::Server::kStoreFileName;
  return storage::OpenSqliteEngine(options);
}

// The app with cheap Argon2 parameters, so the storm hashes quickly.
base::Result<std::shared_ptr<const config::AppConfig>> LoadTestApp(
    const std::filesystem::path& app_dir) {
  PLINTH_ASSIGN_OR_RETURN(config::AppConfig app, config::LoadApp(app_dir, base::NullLogger()));
  app.settings.passwords.argon2_ops_limit = 1;
  app.settings.passwords.argon2_memory_kib = 8;
  return std::make_shared<const config::AppConfig>(std::move(app));
}

// Everything the child (or the parent's setup) builds, the way `plinth
// serve` and the operator commands do (server::BuildAppServices).
struct Services {
  std::shared_ptr<const config::AppConfig> app;
  config::Secrets secrets;
  std::unique_ptr<storage::Engine> store;
  server::AppServices services;
  AuthService* auth = nullptr;
};

base::Status Build(const std::filesystem::path& app_dir, const std::filesystem::path& data_dir,
                   Services* out) {
  PLINTH_ASSIGN_OR_RETURN(out->app, LoadTestApp(app_dir));
  PLINTH_ASSIGN_OR_RETURN(out->store, OpenStore(data_dir));
  PLINTH_ASSIGN_OR_RETURN(
      out->services, server::BuildAppServices({out->app}, data_dir, out->secrets, out->store.get(),
                                              server::MailOptions{}, base::SystemClock::Default(),
                                              base::SystemRandom::Default(), base::NullLogger()));
  out->auth = out->services.auth->Find(kAppId);
  if (out->auth == nullptr) return base::Internal("the app's AuthService is missing");
  return base::Status::Ok();
}

void Send(int fd, Kind kind, const std::string& user_id) {
  Record r{};
  r.kind = kind;
  std::memcpy(r.user_id, user_id.data(), std::min(user_id.size(), sizeof r.user_id));
  if (write(fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(20);
}

[[noreturn]] void Fail(const char* what, const base::Status& status) {
  std::fprintf(stderr, "auth crash child: %s: %s\n", what, status.ToString().c_str());
  _exit(21);
}

LoginRequest UserpassLogin(const std::string& email, const std::string& password) {
  LoginRequest request;
  request.provider = "local-userpass";
  request.body = doc::Document{{"username", email}, {"password", password}};
  request.remote = "127.0.0.1:4000";
  return request;
}

// One storm thread: fresh emails only, so every call must succeed.
void Storm(AuthService* auth, int fd, int round, int thread, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::string password = "crash-password";
  for (std::int64_t n = 0;; ++n) {
    const std::string email = "r" + std::to_string(round) + "-t" + std::to_string(thread) + "-" +
                              std::to_string(n) + "@crash.test";
    const auto dice = rng() % 10;
    std::string user_id;
    if (dice < 3) {
      base::Status registered = auth->Register(email, password);
      if (!registered.ok()) Fail("Register", registered);
      base::Result<LoginResult> login = auth->Login(UserpassLogin(email, password));
      if (!login.ok()) Fail("Login local-userpass", login.status());
      user_id = login->user_id;
      Send(fd, Kind::kUserpass, user_id);
    } else if (dice < 4) {
      // Two first logins of one account race: one creates the user, the
      // other must log in as that same user.
      base::Status registered = auth->Register(email, password);
      if (!registered.ok()) Fail("Register", registered);
      base::Result<LoginResult> other = base::Status(base::ErrorCode::kInternal, "not run");
      std::thread racer([&] { other = auth->Login(UserpassLogin(email, password)); });
      base::Result<LoginResult> login = auth->Login(UserpassLogin(email, password));
      racer.join();
      if (!login.ok()) Fail("racing Login local-userpass", login.status());
      if (!other.ok()) Fail("racing Login local-userpass", other.status());
      if (login->user_id != other->user_id) {
        Fail("racing first logins", base::Internal("two users for one account: " + login->user_id +
                                                   " and " + other->user_id));
      }
      user_id = login->user_id;
      Send(fd, Kind::kUserpass, user_id);
    } else if (dice < 7) {
      LoginRequest request;
      request.provider = "anon-user";
      request.remote = "127.0.0.1:4000";
      base::Result<LoginResult> login = auth->Login(request);
      if (!login.ok()) Fail("Login anon-user", login.status());
      user_id = login->user_id;
      Send(fd, Kind::kAnon, user_id);
    } else {
      base::Result<User> user = auth->CreateEmailPasswordUser(email, password);
      if (!user.ok()) Fail("CreateEmailPasswordUser", user.status());
      user_id = user->id;
      Send(fd, Kind::kOperator, user_id);
    }
    // Now and then the user goes again, with its identities, account and
    // sessions (one transaction).
    if (rng() % 8 == 0) {
      Send(fd, Kind::kDeleting, user_id);
      base::Status deleted = auth->DeleteUser(user_id);
      if (!deleted.ok()) Fail("DeleteUser", deleted);
      Send(fd, Kind::kDeleted, user_id);
    }
  }
}

// One storm thread of a child: makes changes and reports each through `fd`.
using StormFn = void (*)(AuthService* auth, int fd, int round, int thread, std::uint64_t seed);

// The child: builds the services, says READY, runs `storm` on kThreads
// threads until the parent kills it. Never returns.
[[noreturn]] void ChildMain(const std::filesystem::path& app_dir,
                            const std::filesystem::path& data_dir, int fd, int round,
                            std::uint64_t seed, StormFn storm) {
  Services s;
  base::Status built = Build(app_dir, data_dir, &s);
  if (!built.ok()) Fail("building the services", built);
  Send(fd, Kind::kReady, "");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(storm, s.auth, fd, round, t, seed + static_cast<std::uint64_t>(t));
  }
  // The parent kills us long before this.
  std::this_thread::sleep_for(std::chrono::seconds(60));
  _exit(22);
}

// Reads whatever records are available (or waits up to `wait_ms`).
void Drain(int fd, std::vector<Record>* out, int wait_ms, std::string* partial) {
  plinth::testing::DrainRecords(fd, out, wait_ms, partial);
}

std::string IdText(const doc::Value* v) {
  if (v == nullptr) return "";
  if (v->type() == doc::Type::kObjectId) return v->as_object_id().ToHex();
  if (v->is_string()) return v->as_string();
  return "";
}

base::Result<std::vector<doc::Document>> ReadCollection(storage::Engine& engine,
                                                        std::string_view kind) {
  PLINTH_ASSIGN_OR_RETURN(auto coll,
                          engine.GetCollection(std::string(AuthRecords::kDatabase),
                                               std::string(kAppId) + "." + std::string(kind)));
  PLINTH_ASSIGN_OR_RETURN(auto cursor, coll->Find(doc::Document{}));
  return storage::ReadAll(cursor.get());
}

struct Counts {
  std::size_t users = 0;
  std::size_t identities = 0;
  std::size_t accounts = 0;
  std::size_t linked_accounts = 0;
  std::size_t sessions = 0;
};

// What the children reported, over all rounds.
struct Acked {
  std::map<std::string, Kind> created;  // user id -> how
  std::set<std::string> deleting;       // DeleteUser started
  std::set<std::string> deleted;        // DeleteUser returned OK
  std::map<Kind, std::int64_t> count;
};

// Adds one round's records to `acked`. Refusals (a failing email) are
// expected only from the creation-function storm.
void AckRecords(const std::vector<Record>& records, bool refusals_expected, Acked* acked) {
  for (const Record& r : records) {
    const std::string user_id(r.user_id, sizeof r.user_id);
    ++acked->count[r.kind];
    switch (r.kind) {
      case Kind::kUserpass:
      case Kind::kAnon:
      case Kind::kOperator:
        ASSERT_TRUE(acked->created.emplace(user_id, r.kind).second)
            << "user id " << user_id << " created twice";
        break;
      case Kind::kDeleting:
        acked->deleting.insert(user_id);
        break;
      case Kind::kDeleted:
        acked->deleted.insert(user_id);
        break;
      case Kind::kReady:
        FAIL() << "a second READY record";
      case Kind::kRefused:
        ASSERT_TRUE(refusals_expected) << "a refusal without a creation function";
        break;
    }
  }
}

// Every consistency rule of the header comment.
void CheckConsistent(storage::Engine& engine, const Acked& acked, Counts* counts) {
  *counts = Counts{};
  AuthRecords records(kAppId);
  auto users = records.ListUsers(engine);
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  std::map<std::string, const User*> by_id;
  for (const User& u : *users) {
    ASSERT_TRUE(by_id.emplace(u.id, &u).second) << "two users with id " << u.id;
  }
  counts->users = users->size();

  // Users -> identity rows.
  for (const User& u : *users) {
    EXPECT_FALSE(u.identities.empty()) << "user " << u.id << " has no identity";
    for (const Identity& identity : u.identities) {
      auto owner = records.FindUserIdByIdentity(engine, identity.provider_type, identity.id);
      ASSERT_TRUE(owner.ok()) << owner.status().ToString();
      EXPECT_TRUE(owner->has_value()) << "user " << u.id << ": identity " << identity.provider_type
                                      << "|" << identity.id << " has no index row";
      if (owner->has_value()) {
        EXPECT_EQ(**owner, u.id) << "identity " << identity.provider_type << "|" << identity.id
                                 << " is indexed to another user";
      }
    }
  }

  // Identity rows -> users.
  auto identities = ReadCollection(engine, "identities");
  ASSERT_TRUE(identities.ok()) << identities.status().ToString();
  counts->identities = identities->size();
  for (const doc::Document& row : *identities) {
    const std::string key = IdText(row.Get("_id"));
    const doc::Value* user_id = row.Get("user_id");
    ASSERT_TRUE(user_id != nullptr && user_id->is_string())
        << "malformed identity row " << doc::ToCanonicalJson(row);
    auto it = by_id.find(user_id->as_string());
    if (it == by_id.end()) {
      ADD_FAILURE() << "identity row " << key << " points at missing user " << user_id->as_string();
      continue;
    }
    bool held = false;
    for (const Identity& identity : it->second->identities) {
      held = held || identity.provider_type + "|" + identity.id == key;
    }
    EXPECT_TRUE(held) << "identity row " << key << " points at user " << it->first
                      << ", which does not hold it";
  }

  // Email/password accounts <-> users.
  auto accounts = ReadCollection(engine, "userpass");
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  counts->accounts = accounts->size();
  std::map<std::string, std::string> account_user;  // account id -> user_id ("" if none)
  for (const doc::Document& row : *accounts) {
    const std::string id = IdText(row.Get("_id"));
    const doc::Value* user_id = row.Get("user_id");
    std::string owner = user_id != nullptr && user_id->is_string() ? user_id->as_string() : "";
    account_user[id] = owner;
    if (owner.empty()) continue;  // registered, not yet logged in
    ++counts->linked_accounts;
    auto it = by_id.find(owner);
    if (it == by_id.end()) {
      ADD_FAILURE() << "account " << id << " points at missing user " << owner;
      continue;
    }
    bool held = false;
    for (const Identity& identity : it->second->identities) {
      held = held || (identity.provider_type == "local-userpass" && identity.id == id);
    }
    EXPECT_TRUE(held) << "account " << id << " points at user " << owner
                      << ", which does not hold it as an identity";
  }
  for (const User& u : *users) {
    for (const Identity& identity : u.identities) {
      if (identity.provider_type != "local-userpass") continue;
      auto it = account_user.find(identity.id);
      if (it == account_user.end()) {
        ADD_FAILURE() << "user " << u.id << " has local-userpass identity " << identity.id
                      << " without an account";
      } else {
        EXPECT_EQ(it->second, u.id)
            << "account " << identity.id << " is not linked to user " << u.id;
      }
    }
  }

  // Sessions -> users.
  auto sessions = ReadCollection(engine, "sessions");
  ASSERT_TRUE(sessions.ok()) << sessions.status().ToString();
  counts->sessions = sessions->size();
  for (const doc::Document& row : *sessions) {
    const doc::Value* user_id = row.Get("user_id");
    const std::string owner =
        user_id != nullptr && user_id->is_string() ? user_id->as_string() : "";
    EXPECT_TRUE(by_id.count(owner) == 1)
        << "session " << IdText(row.Get("_id")) << " belongs to missing user '" << owner << "'";
  }

  // Acknowledged creations and deletions survived.
  for (const auto& [user_id, kind] : acked.created) {
    auto it = by_id.find(user_id);
    if (acked.deleted.count(user_id) == 1) {
      EXPECT_TRUE(it == by_id.end()) << "user " << user_id << " was reported deleted but is back";
      continue;
    }
    if (acked.deleting.count(user_id) == 1) continue;  // in flight at the kill: either
    if (it == by_id.end()) {
      ADD_FAILURE() << "user " << user_id << " (kind " << static_cast<char>(kind)
                    << ") was reported created but is gone after the kill";
      continue;
    }
    const std::string want = kind == Kind::kAnon ? "anon-user" : "local-userpass";
    ASSERT_EQ(it->second->identities.size(), 1u) << "user " << user_id;
    EXPECT_EQ(it->second->identities[0].provider_type, want) << "user " << user_id;
  }
}

// One round of a crash test: forks a child that runs `child_main(fd,
// seed)` (it reports through the pipe and ends only by the kill), lets it
// run for a time drawn from `rng` after its READY record, kills it with
// SIGKILL, and returns every record it sent after READY, including those
// still in the pipe.
void RunKilledRound(std::mt19937_64& rng,
                    const std::function<void(int fd, std::uint64_t seed)>& child_main,
                    std::vector<Record>* out) {
  const std::uint64_t child_seed = rng();
  const int run_ms = kMinRunMillis + static_cast<int>(rng() % (kMaxRunMillis - kMinRunMillis + 1));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], child_seed);
    _exit(1);
  }
  close(fds[1]);

  std::vector<Record> records;
  std::string partial;
  const auto ready_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (records.empty() && std::chrono::steady_clock::now() < ready_deadline) {
    Drain(fds[0], &records, 10, &partial);
  }
  if (records.empty() || records.front().kind != Kind::kReady) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(fds[0]);
    FAIL() << "the child did not build its services within 20 s";
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
  while (std::chrono::steady_clock::now() < deadline) Drain(fds[0], &records, 5, &partial);
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status))
      << "child exited with status " << WEXITSTATUS(status) << " (see its stderr)";
  for (int i = 0; i < 1000; ++i) {
    const std::size_t before = records.size();
    Drain(fds[0], &records, 0, &partial);
    if (records.size() == before) break;
  }
  close(fds[0]);
  out->assign(records.begin() + 1, records.end());
}

// A crash test's app and data dir under a new temporary directory: the
// files given (paths relative to the app dir) besides root_config.json and
// the providers, the seed (random, or PLINTH_AUTH_CRASH_SEED), and one
// build of the services, so indexes and the key file exist before the
// first kill.
struct CrashApp {
  std::filesystem::path dir, app_dir, data_dir;
  std::uint64_t seed = 0;
};

void MakeCrashApp(const char* name, const std::vector<std::pair<std::string, const char*>>& files,
                  CrashApp* out) {
  std::string tmpl = std::string("/tmp/plinth-") + name + "-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  out->dir = tmpl;
  out->app_dir = out->dir / "app";
  out->data_dir = out->dir / "data";
  WriteFile(out->app_dir / "root_config.json", kRootConfig);
  WriteFile(out->app_dir / "auth" / "providers.json", kProviders);
  for (const auto& [path, text] : files) WriteFile(out->app_dir / path, text);
  std::filesystem::create_directories(out->data_dir);
  out->seed = std::random_device{}();
  if (const char* env = std::getenv("PLINTH_AUTH_CRASH_SEED"))
    out->seed = std::strtoull(env, nullptr, 10);
  std::printf("%s: seed %llu (PLINTH_AUTH_CRASH_SEED)\n", name,
              static_cast<unsigned long long>(out->seed));
  Services s;
  base::Status built = Build(out->app_dir, out->data_dir, &s);
  ASSERT_TRUE(built.ok()) << built.ToString();
}

TEST(AuthCrashTest, KillDuringRegistrationStormLeavesNoHalfCreatedUser) {
  CrashApp app;
  MakeCrashApp("auth-crash", {}, &app);
  if (HasFatalFailure()) return;
  const std::filesystem::path& dir = app.dir;
  const std::filesystem::path& app_dir = app.app_dir;
  const std::filesystem::path& data_dir = app.data_dir;
  const std::uint64_t seed = app.seed;
  std::mt19937_64 rng(seed);

  Acked acked;
  Counts counts;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + ", seed " + std::to_string(seed));
    std::vector<Record> records;
    RunKilledRound(
        rng,
        [&](int fd, std::uint64_t child_seed) {
          ChildMain(app_dir, data_dir, fd, round, child_seed, Storm);
        },
        &records);
    if (HasFatalFailure()) return;
    AckRecords(records, /*refusals_expected=*/false, &acked);
    if (HasFatalFailure()) return;

    auto engine = OpenStore(data_dir);
    ASSERT_TRUE(engine.ok()) << "reopening after kill -9: " << engine.status().ToString();
    CheckConsistent(**engine, acked, &counts);
    if (HasFailure()) return;
    // The next child rebuilds the service from the same data dir.
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  std::printf(
      "auth crash test: %d rounds in %lld ms; acknowledged: %lld userpass first logins, "
      "%lld anonymous, %lld operator-created users, %lld deletions (%lld started); at the end "
      "%zu users, %zu identity rows, %zu accounts (%zu linked), %zu sessions\n",
      kRounds, static_cast<long long>(elapsed),
      static_cast<long long>(acked.count[Kind::kUserpass]),
      static_cast<long long>(acked.count[Kind::kAnon]),
      static_cast<long long>(acked.count[Kind::kOperator]),
      static_cast<long long>(acked.count[Kind::kDeleted]),
      static_cast<long long>(acked.count[Kind::kDeleting]), counts.users, counts.identities,
      counts.accounts, counts.linked_accounts, counts.sessions);
  EXPECT_GT(acked.created.size(), 0u) << "the storm created no user";
  EXPECT_GE(counts.users, acked.created.size() - acked.deleting.size());
  EXPECT_GT(acked.count[Kind::kUserpass], 0);
  EXPECT_GT(acked.count[Kind::kAnon], 0);
  EXPECT_GT(acked.count[Kind::kOperator], 0);

  // After the last kill the app still works on this data: an account whose
  // first login a kill cut short logs in now (and gets its user), and an
  // operator-created user logs in as itself.
  {
    Services s;
    base::Status built = Build(app_dir, data_dir, &s);
    ASSERT_TRUE(built.ok()) << built.ToString();
    auto accounts = ReadCollection(*s.store, "userpass");
    ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
    int logged_in = 0;
    for (const doc::Document& row : *accounts) {
      const doc::Value* email = row.Get("email");
      ASSERT_TRUE(email != nullptr && email->is_string()) << doc::ToCanonicalJson(row);
      const doc::Value* user_id = row.Get("user_id");
      const bool unlinked = user_id == nullptr;
      if (!unlinked && logged_in > 0) continue;  // one linked account is enough
      base::Result<LoginResult> login =
          s.auth->Login(UserpassLogin(email->as_string(), "crash-password"));
      ASSERT_TRUE(login.ok()) << email->as_string() << ": " << login.status().ToString();
      if (!unlinked) {
        EXPECT_EQ(login->user_id, user_id->as_string()) << email->as_string();
      }
      ++logged_in;
    }
    EXPECT_GT(logged_in, 0);
    CheckConsistent(*s.store, acked, &counts);
    std::printf("auth crash test: %d email/password logins after the last kill\n", logged_in);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// --- With a user creation function (issue 8) ---------------------------------
//
// The same storm on an app whose custom user data has a creation function.
// The function inserts {user_account_id: user.id, email: user.data.email}
// into the custom data collection and then throws for an email containing
// "fail", so its write exists in the stage when the registration fails. Its
// writes are staged and commit in the transaction of the user (DECISIONS 3),
// so after any kill:
//   - every user has exactly one custom data document, and an email user's
//     document carries its email (no account without its document);
//   - every document belongs to an existing user (no document from a cut
//     short registration, nor one a deletion left behind: the app sets
//     plinth.json custom_user_data.delete_with_user and now and then a new
//     user is deleted, its document in the same transaction), and none
//     carries a failing email (no document from a failed one);
//   - the auth records are consistent as above (CheckConsistent).
// At the end the parent logs in to the accounts whose first login a kill cut
// short: a good one gets its user and document, a failing one fails again.

// A commit of the function's writes apart from the user is caught only by a
// kill between the two commits: with 8 rounds that took 2 runs in 3, with 25
// every run (about 15 s under ASan).
constexpr int kFunctionRounds = 25;

constexpr const char* kCustomUserData = R"({
  "enabled": true,
  "mongo_service_name": "mongodb-atlas",
  "database_name": "crashdb",
  "collection_name": "profiles",
  "user_id_field": "user_account_id",
  "on_user_creation_function_name": "onUserCreation"
})";

constexpr const char* kDataSource = R"({
  "name": "mongodb-atlas",
  "type": "mongodb-atlas",
  "config": {"clusterName": "Cluster0"}
})";

constexpr const char* kFunctions = R"([{"name": "onUserCreation", "private": true}])";

// Throws after writing: the insert must be discarded with the failed user.
constexpr const char* kCreationFunction = R"(
exports = async function (user) {
  const email = user.data.email;
  await context.services.get("mongodb-atlas").db("crashdb").collection("profiles")
      .insertOne({user_account_id: user.id, email: email});
  if (email !== undefined && email.includes("fail")) {
    throw new Error("registration refused for " + email);
  }
};
)";

bool IsFailingEmail(std::string_view email) { return email.find("fail") != std::string::npos; }

void ExpectRefused(const base::Status& status, const char* what) {
  if (status.ok()) Fail(what, base::Internal("a failing email was accepted"));
  if (status.code() != base::ErrorCode::kFunctionExecutionError) Fail(what, status);
}

// One storm thread with the creation function: fresh emails, one in four of
// them failing (Register succeeds, the first Login or the operator creation
// fails with the function's error).
void CreationStorm(AuthService* auth, int fd, int round, int thread, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::string password = "crash-password";
  for (std::int64_t n = 0;; ++n) {
    const bool failing = rng() % 4 == 0;
    const std::string email = "f" + std::to_string(round) + "-t" + std::to_string(thread) + "-" +
                              std::to_string(n) + (failing ? "-fail" : "") + "@crash.test";
    const auto dice = rng() % 10;
    std::string user_id;
    if (dice < 5) {
      base::Status registered = auth->Register(email, password);
      if (!registered.ok()) Fail("Register", registered);
      base::Result<LoginResult> login = auth->Login(UserpassLogin(email, password));
      if (failing) {
        ExpectRefused(login.status(), "Login of a failing email");
        Send(fd, Kind::kRefused, "");
        continue;
      }
      if (!login.ok()) Fail("Login local-userpass", login.status());
      user_id = login->user_id;
      Send(fd, Kind::kUserpass, user_id);
    } else if (dice < 7) {
      LoginRequest request;
      request.provider = "anon-user";
      request.remote = "127.0.0.1:4000";
      base::Result<LoginResult> login = auth->Login(request);
      if (!login.ok()) Fail("Login anon-user", login.status());
      user_id = login->user_id;
      Send(fd, Kind::kAnon, user_id);
    } else {
      base::Result<User> user = auth->CreateEmailPasswordUser(email, password);
      if (failing) {
        ExpectRefused(user.status(), "CreateEmailPasswordUser of a failing email");
        Send(fd, Kind::kRefused, "");
        continue;
      }
      if (!user.ok()) Fail("CreateEmailPasswordUser", user.status());
      user_id = user->id;
      Send(fd, Kind::kOperator, user_id);
    }
    // Now and then the user goes again, and with delete_with_user its
    // document with it (one transaction).
    if (rng() % 8 == 0) {
      Send(fd, Kind::kDeleting, user_id);
      base::Status deleted = auth->DeleteUser(user_id);
      if (!deleted.ok()) Fail("DeleteUser", deleted);
      Send(fd, Kind::kDeleted, user_id);
    }
  }
}

// The custom data rules of the section comment, plus CheckConsistent.
void CheckCustomData(storage::Engine& engine, const Acked& acked, Counts* counts,
                     std::size_t* documents) {
  CheckConsistent(engine, acked, counts);
  if (::testing::Test::HasFatalFailure()) return;
  auto users = AuthRecords(kAppId).ListUsers(engine);
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  const storage::StoreNamespace ns = storage::AppNamespace(kAppId, "crashdb", "profiles");
  auto coll = engine.GetCollection(ns.database, ns.collection);
  ASSERT_TRUE(coll.ok()) << coll.status().ToString();
  auto cursor = (*coll)->Find(doc::Document{});
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  auto rows = storage::ReadAll(cursor->get());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  *documents = rows->size();

  std::map<std::string, const User*> by_id;
  for (const User& u : *users) by_id.emplace(u.id, &u);
  std::map<std::string, const doc::Document*> doc_of;  // user id -> its document
  for (const doc::Document& row : *rows) {
    const doc::Value* email = row.Get("email");
    const std::string email_text = email != nullptr && email->is_string() ? email->as_string() : "";
    EXPECT_FALSE(IsFailingEmail(email_text))
        << "a failed registration left its document " << doc::ToCanonicalJson(row);
    const std::string user_id = IdText(row.Get("user_account_id"));
    if (by_id.count(user_id) == 0) {
      ADD_FAILURE() << "document without a user: " << doc::ToCanonicalJson(row);
      continue;
    }
    EXPECT_TRUE(doc_of.emplace(user_id, &row).second)
        << "user " << user_id << " has two documents, one is " << doc::ToCanonicalJson(row);
  }
  for (const User& u : *users) {
    auto it = doc_of.find(u.id);
    if (it == doc_of.end()) {
      ADD_FAILURE() << "user " << u.id << " has no custom data document";
      continue;
    }
    const doc::Value* want = u.data.Get("email");
    if (want == nullptr || !want->is_string()) continue;  // anonymous
    const doc::Value* got = it->second->Get("email");
    EXPECT_TRUE(got != nullptr && got->is_string() && got->as_string() == want->as_string())
        << "user " << u.id << " (" << want->as_string() << ") has the document "
        << doc::ToCanonicalJson(*it->second);
  }
}

TEST(AuthCrashTest, KillDuringCreationFunctionStormLeavesNoUserWithoutItsDocument) {
  CrashApp app;
  MakeCrashApp("auth-crash-fn",
               {{"auth/custom_user_data.json", kCustomUserData},
                {"data_sources/mongodb-atlas/config.json", kDataSource},
                {"functions/config.json", kFunctions},
                {"functions/onUserCreation.js", kCreationFunction},
                {"plinth.json", R"({"custom_user_data": {"delete_with_user": true}})"}},
               &app);
  if (HasFatalFailure()) return;
  const std::filesystem::path& dir = app.dir;
  const std::filesystem::path& app_dir = app.app_dir;
  const std::filesystem::path& data_dir = app.data_dir;
  const std::uint64_t seed = app.seed;
  std::mt19937_64 rng(seed);

  Acked acked;
  Counts counts;
  std::size_t documents = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < kFunctionRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + ", seed " + std::to_string(seed));
    std::vector<Record> records;
    RunKilledRound(
        rng,
        [&](int fd, std::uint64_t child_seed) {
          ChildMain(app_dir, data_dir, fd, round, child_seed, CreationStorm);
        },
        &records);
    if (HasFatalFailure()) return;
    AckRecords(records, /*refusals_expected=*/true, &acked);
    if (HasFatalFailure()) return;

    auto engine = OpenStore(data_dir);
    ASSERT_TRUE(engine.ok()) << "reopening after kill -9: " << engine.status().ToString();
    CheckCustomData(**engine, acked, &counts, &documents);
    if (HasFailure()) return;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  std::printf(
      "auth crash test (creation function): %d rounds in %lld ms; acknowledged: %lld userpass "
      "first logins, %lld anonymous, %lld operator-created users, %lld refused failing emails, "
      "%lld deletions; at the end %zu users, %zu custom data documents, %zu accounts (%zu "
      "linked)\n",
      kFunctionRounds, static_cast<long long>(elapsed),
      static_cast<long long>(acked.count[Kind::kUserpass]),
      static_cast<long long>(acked.count[Kind::kAnon]),
      static_cast<long long>(acked.count[Kind::kOperator]),
      static_cast<long long>(acked.count[Kind::kRefused]),
      static_cast<long long>(acked.count[Kind::kDeleted]), counts.users, documents, counts.accounts,
      counts.linked_accounts);
  EXPECT_GT(acked.count[Kind::kUserpass], 0);
  EXPECT_GT(acked.count[Kind::kAnon], 0);
  EXPECT_GT(acked.count[Kind::kOperator], 0);
  EXPECT_GT(acked.count[Kind::kRefused], 0);
  EXPECT_GT(acked.count[Kind::kDeleted], 0);

  // After the last kill: an account whose first login a kill cut short gets
  // its user and document now; a failing one is refused again and leaves
  // nothing.
  {
    Services s;
    base::Status built = Build(app_dir, data_dir, &s);
    ASSERT_TRUE(built.ok()) << built.ToString();
    auto accounts = ReadCollection(*s.store, "userpass");
    ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
    int created = 0;
    int refused = 0;
    for (const doc::Document& row : *accounts) {
      if (row.Get("user_id") != nullptr) continue;
      const doc::Value* email = row.Get("email");
      ASSERT_TRUE(email != nullptr && email->is_string()) << doc::ToCanonicalJson(row);
      const bool failing = IsFailingEmail(email->as_string());
      // A few of each kind are enough (each login runs Argon2 and the JS).
      if ((failing ? refused : created) >= 5) continue;
      base::Result<LoginResult> login =
          s.auth->Login(UserpassLogin(email->as_string(), "crash-password"));
      if (failing) {
        ASSERT_FALSE(login.ok()) << email->as_string();
        EXPECT_EQ(login.status().code(), base::ErrorCode::kFunctionExecutionError)
            << login.status().ToString();
        ++refused;
      } else {
        ASSERT_TRUE(login.ok()) << email->as_string() << ": " << login.status().ToString();
        ++created;
      }
    }
    CheckCustomData(*s.store, acked, &counts, &documents);
    std::printf(
        "auth crash test (creation function): after the last kill %d cut-short accounts got "
        "their user, %d failing ones were refused again\n",
        created, refused);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace plinth::auth
