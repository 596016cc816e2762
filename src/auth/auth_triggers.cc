#include "auth/auth_triggers.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "base/error_code.h"
#include "storage/cursor.h"

namespace plinth::auth {
namespace {

// How often the dispatcher looks for due events without being notified:
// retries come due, and events recorded by other processes (`plinth users`)
// appear.
constexpr std::chrono::milliseconds kPollInterval{500};
// Events read per pass, so a backlog is worked through in bounded steps.
constexpr std::int64_t kBatch = 100;
// Delay before retry n (1-based): 1 s, 2 s, 4 s, 8 s.
std::int64_t RetryDelayMillis(int attempt) { return 1000LL << std::min(attempt - 1, 10); }

bool Matches(const std::vector<std::string>& filter, const std::vector<std::string>& providers) {
  for (const std::string& p : providers) {
    if (std::find(filter.begin(), filter.end(), p) != filter.end()) return true;
  }
  return false;
}

std::int64_t IntField(const doc::Document& d, std::string_view name) {
  const doc::Value* v = d.Get(name);
  if (v == nullptr) return 0;
  if (v->type() == doc::Type::kInt64) return v->as_int64();
  if (v->type() == doc::Type::kInt32) return v->as_int32();
  return 0;
}

}  // namespace

AuthTriggers::AuthTriggers(const config::AppConfig& app, const AuthRecords* records,
                           const base::Clock* clock, base::Logger* logger)
    : records_(records), clock_(clock), logger_(logger) {
  for (const config::TriggerConfig& t : app.triggers) {
    if (t.disabled || t.type != config::TriggerType::kAuthentication || !t.auth) continue;
    triggers_.push_back(
        Trigger{t.name, t.function_name, t.auth->operation_type, t.auth->providers});
  }
}

AuthTriggers::~AuthTriggers() { Stop(); }

base::Status AuthTriggers::Record(storage::Engine& txn, config::AuthOperationType op,
                                  const std::vector<std::string>& providers,
                                  const doc::Document& user) const {
  std::shared_ptr<storage::Collection> events;
  const std::int64_t now = clock_->NowMillis();
  for (const Trigger& t : triggers_) {
    if (t.op != op || !Matches(t.providers, providers)) continue;
    if (!events) {
      PLINTH_ASSIGN_OR_RETURN(events, records_->TriggerEvents(txn));
    }
    doc::Array provider_list;
    for (const std::string& p : providers) provider_list.Append(doc::Value(p));
    doc::Document event{{"operationType", doc::Value(config::AuthOperationTypeName(op))},
                        {"providers", doc::Value(std::move(provider_list))},
                        {"user", doc::Value(user)},
                        {"time", doc::Value(doc::DateTime{now})}};
    // The _id (an ObjectId from the engine) orders events by recording.
    PLINTH_RETURN_IF_ERROR(events
                               ->InsertOne(doc::Document{{"trigger", doc::Value(t.name)},
                                                         {"function", doc::Value(t.function)},
                                                         {"event", doc::Value(std::move(event))},
                                                         {"attempts", doc::Value(std::int64_t{0})},
                                                         {"next", doc::Value(now)}})
                               .status());
  }
  return base::Status::Ok();
}

void AuthTriggers::Notify() {
  if (triggers_.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  wake_.notify_one();
}

void AuthTriggers::Start(storage::Engine* store, const AuthFunctions* functions) {
  if (triggers_.empty() || thread_.joinable() || functions == nullptr) return;
  store_ = store;
  functions_ = functions;
  thread_ = std::thread([this] { Loop(); });
}

void AuthTriggers::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AuthTriggers::Loop() {
  for (;;) {
    int ran = RunDue();
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    // A full batch may mean more are due: go again at once.
    if (ran >= kBatch) continue;
    wake_.wait_for(lock, kPollInterval, [this] { return stopping_ || notified_; });
    notified_ = false;
    if (stopping_) return;
  }
}

int AuthTriggers::RunDue() {
  base::Result<std::shared_ptr<storage::Collection>> events = records_->TriggerEvents(*store_);
  if (!events.ok()) return 0;
  const std::int64_t now = clock_->NowMillis();
  storage::FindOptions options;
  options.sort = doc::Document{{"_id", doc::Value(1)}};
  options.limit = kBatch;
  base::Result<std::unique_ptr<storage::Cursor>> cursor =
      (*events)->Find(doc::Document{{"next", doc::Document{{"$lte", doc::Value(now)}}}}, options);
  if (!cursor.ok()) return 0;
  base::Result<std::vector<doc::Document>> due = storage::ReadAll(cursor->get());
  if (!due.ok()) return 0;
  int ran = 0;
  for (const doc::Document& e : *due) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    ++ran;
    const std::string trigger = doc::StringFieldOrEmpty(e, "trigger");
    const std::string function = doc::StringFieldOrEmpty(e, "function");
    const doc::Value* event = e.Get("event");
    doc::Document by_id{{"_id", *e.Get("_id")}};
    base::Result<doc::Value> result = functions_->RunAsSystem(
        function, doc::Array{event != nullptr ? *event : doc::Value(doc::Document{})});
    if (result.ok()) {
      (void)(*events)->DeleteOne(by_id);
      continue;
    }
    const int attempt = static_cast<int>(IntField(e, "attempts")) + 1;
    if (logger_ == nullptr) {
      // Nothing to report to; the retry bookkeeping below still applies.
    } else if (attempt >= kMaxAttempts) {
      logger_->Error(
          "authentication trigger dropped after its last attempt",
          {{"trigger", trigger}, {"attempts", attempt}, {"error", result.status().message()}});
    } else {
      logger_->Warn("authentication trigger failed; will retry",
                    {{"trigger", trigger},
                     {"attempt", attempt},
                     {"error_code", base::ErrorCodeName(result.status().code())},
                     {"error", result.status().message()}});
    }
    if (attempt >= kMaxAttempts) {
      (void)(*events)->DeleteOne(by_id);
      continue;
    }
    doc::Document set{{"attempts", doc::Value(std::int64_t{attempt})},
                      {"next", doc::Value(clock_->NowMillis() + RetryDelayMillis(attempt))}};
    (void)(*events)->UpdateOne(by_id, doc::Document{{"$set", doc::Value(std::move(set))}});
  }
  return ran;
}

}  // namespace plinth::auth
