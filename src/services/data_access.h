#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "config/app_config.h"
#include "config/secrets.h"
#include "doc/value.h"
#include "rules/role_decision.h"
#include "services/data_caller.h"
#include "services/mongo_request.h"
#include "storage/app_namespace.h"
#include "storage/engine.h"
#include "storage/object_id_generator.h"

namespace plinth::services {

// DataAccess is one app's MongoDB data sources as clients (functions/call
// with a `service`) and, later, functions (`context.services`) reach them.
// It resolves a data source name, maps `<db>.<coll>` into the app's own
// namespace of the store (storage/app_namespace.h, DECISIONS 10), and runs
// the action as the caller: under the collection's rules for a user
// (ruled_actions.h), without rules for the system caller.
//
// Every MongoDB data source of the app (type "mongodb-atlas" or "mongodb")
// is backed by the embedded store; two data sources of one app therefore
// share one namespace. Rules are compiled once, at Create.
//
// Does not own the store, clock or random source; they must outlive it.
// Immutable after Create; thread-safe.
class DataAccess {
 public:
  struct Deps {
    storage::Engine* store = nullptr;
    const base::Clock* clock = nullptr;
    base::Random* random = nullptr;
    const config::Secrets* secrets = nullptr;  // secret-backed values; may be null
  };

  // kInvalidConfig when a rule does not compile (startup checks report every
  // problem first; this is the backstop).
  static base::Result<std::unique_ptr<DataAccess>> Create(const config::AppConfig& app,
                                                          const Deps& deps);

  const std::string& app_id() const { return app_id_; }

  // Where `%function` in this app's rules calls functions (functions/).
  // Set once, before the first Call; until then (and when null) a
  // %function condition is false.
  void SetFunctionCaller(const rules::FunctionCaller* functions) { functions_ = functions; }

  // Whether `service` names one of the app's MongoDB data sources.
  bool HasService(std::string_view service) const;
  // %%values (secrets resolved) and %%environment ({tag, values}): what
  // rules and functions (context.values, context.environment) see.
  const doc::Document& values() const { return values_; }
  const doc::Document& environment() const { return environment_; }

  // Runs the service action `action` with `arguments` (the `arguments` array
  // of a functions/call body) on the data source named `service`.
  // Errors: ServiceNotFound (no such MongoDB data source), the parse errors
  // of ParseMongoRequest, NoMatchingRuleFound (403) when the collection has
  // no rules (and no default rule) or a rule refuses a write, and what
  // MongoDB would refuse (bad operators, $where, values an update cannot
  // apply, documents over the limits, duplicate keys): MongoDBError. A
  // failed call changes nothing.
  base::Result<doc::Value> Call(const DataCaller& caller, std::string_view service,
                                std::string_view action, const doc::Value& arguments) const;
  // Call in two steps, so a caller can decide where to run it: Prepare
  // checks the service and parses the arguments (cheap, no store access);
  // Run executes.
  base::Result<MongoRequest> Prepare(std::string_view service, std::string_view action,
                                     const doc::Value& arguments) const;
  // Whether `request` is a point read: a find/findOne/count whose filter
  // pins `_id` to one value, so the store reads at most one document through
  // the _id index whatever the collection's size. Such a request is cheap
  // and bounded enough to run on an I/O thread (DECISIONS 24 sends only long
  // work away); anything else may scan or wait for the writer lock.
  static bool IsPointRead(const MongoRequest& request);
  // The same with a parsed request.
  base::Result<doc::Value> Run(const DataCaller& caller, std::string_view service,
                               const MongoRequest& request) const;

 private:
  DataAccess(std::string app_id, const Deps& deps);

  // ServiceNotFound unless `service` names one of the app's MongoDB data
  // sources.
  base::Status CheckService(std::string_view service) const;
  // Run, before errors are labelled for clients.
  base::Result<doc::Value> RunIn(const DataCaller& caller, std::string_view service,
                                 const storage::StoreNamespace& ns,
                                 const MongoRequest& request) const;

  // The rules governing one collection of one data source: its own
  // rules.json, else the data source's default rule, else nullptr.
  const rules::CompiledRules* RulesFor(std::string_view service, std::string_view database,
                                       std::string_view collection) const;

  std::string app_id_;
  Deps deps_;
  mutable storage::ObjectIdGenerator ids_;
  doc::Document values_;       // %%values
  doc::Document environment_;  // %%environment: {tag, values}
  // Keyed "<service>\0<db>\0<coll>" for collection rules, "<service>" for a
  // default rule.
  std::unordered_map<std::string, rules::CompiledRules> collection_rules_;
  std::unordered_map<std::string, rules::CompiledRules> default_rules_;
  std::unordered_set<std::string> services_;  // MongoDB data source names
  const rules::FunctionCaller* functions_ = nullptr;
};

}  // namespace plinth::services
