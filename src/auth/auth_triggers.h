#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/auth_functions.h"
#include "auth/auth_records.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/status.h"
#include "config/app_config.h"
#include "doc/value.h"
#include "storage/engine.h"

namespace plinth::auth {

// AuthTriggers delivers an app's authentication triggers (app-config §3.2,
// `triggers/*.json` of type AUTHENTICATION): after a user is created, logs
// in or is deleted, each enabled trigger whose operation type and provider
// filter match runs its function as the system user with the `authEvent`
// {operationType, providers, user, time}.
//
// Delivery is durable and at least once: Record writes one pending event per
// matching trigger into `__plinth.<app>.trigger_events` inside the
// transaction that made the change, so an event exists exactly when its
// change does, and survives a crash. A single dispatcher thread (started by
// `plinth serve` only; other processes such as `plinth users` just record)
// runs pending events oldest first, off the request path, and deletes each
// after its function succeeded; so in normal operation no event runs twice,
// and after a crash the event whose run was cut short runs again. A failing
// run is logged with the trigger's name and retried with growing delays,
// kMaxAttempts times in all, then logged as dropped.
//
// Borrows the store, clock, logger and (from Start) functions; they must
// outlive it. Record and Notify are thread-safe; Start/Stop from one
// thread.
class AuthTriggers {
 public:
  static constexpr int kMaxAttempts = 5;

  AuthTriggers(const config::AppConfig& app, const AuthRecords* records, const base::Clock* clock,
               base::Logger* logger);
  ~AuthTriggers();
  AuthTriggers(const AuthTriggers&) = delete;
  AuthTriggers& operator=(const AuthTriggers&) = delete;

  // Records the event for every matching enabled trigger, through `txn`
  // (a transaction or stage view of the change). `providers` are provider
  // types; `user` is the user object (auth/user.h UserObject).
  base::Status Record(storage::Engine& txn, config::AuthOperationType op,
                      const std::vector<std::string>& providers, const doc::Document& user) const;
  // Tells the dispatcher that a recorded change committed.
  void Notify();

  // Starts the dispatcher over `store`, running functions through
  // `functions`. Pending events left by an earlier run are delivered first.
  void Start(storage::Engine* store, const AuthFunctions* functions);
  // Stops the dispatcher after the event it is running (if any). Idempotent.
  void Stop();

 private:
  struct Trigger {
    std::string name;
    std::string function;
    config::AuthOperationType op;
    std::vector<std::string> providers;
  };

  void Loop();
  // Runs the due events; returns how many ran.
  int RunDue();

  std::vector<Trigger> triggers_;
  const AuthRecords* records_;
  const base::Clock* clock_;
  base::Logger* logger_;
  storage::Engine* store_ = nullptr;
  const AuthFunctions* functions_ = nullptr;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool notified_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace plinth::auth
