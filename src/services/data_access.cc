#include "services/data_access.h"

#include <utility>

#include "config/data_source.h"
#include "services/mongo_result.h"
#include "services/ruled_actions.h"
#include "storage/app_namespace.h"
#include "storage/cursor.h"
#include "storage/names.h"

namespace plinth::services {
namespace {

using base::ErrorCode;
using base::Status;

std::string CollectionKey(std::string_view service, std::string_view database,
                          std::string_view collection) {
  std::string key(service);
  key += '\0';
  key += database;
  key += '\0';
  key += collection;
  return key;
}

// %%values: every app value by name; a secret-backed value resolves to the
// secret's text (and is left out when the secret is not set).
doc::Document ValuesOf(const config::AppConfig& app, const config::Secrets* secrets) {
  doc::Document values;
  for (const config::ValueConfig& v : app.values) {
    if (!v.from_secret) {
      values.Append(v.name, v.value);
      continue;
    }
    if (secrets == nullptr || !v.value.is_string()) continue;
    std::optional<std::string> secret = secrets->Get(v.value.as_string());
    if (secret) values.Append(v.name, doc::Value(*secret));
  }
  return values;
}

doc::Document EnvironmentOf(const config::AppConfig& app) {
  const config::EnvironmentConfig* env = app.ActiveEnvironment();
  return doc::Document{{"tag", doc::Value(app.root.environment)},
                       {"values", doc::Value(env != nullptr ? env->values : doc::Document{})}};
}

base::Result<rules::CompiledRules> CompileNamed(const config::RuleSet& set,
                                                const std::string& where) {
  base::Result<rules::CompiledRules> compiled = rules::CompiledRules::Compile(set);
  if (!compiled.ok()) {
    return Status(ErrorCode::kInvalidConfig, where + ": " + compiled.status().message());
  }
  return compiled;
}

// App Services reports what MongoDB refuses (a bad operator, a value the
// update cannot apply, a document over the limits) as MongoDBError; the
// store's own codes for these are shared with the rest of Plinth, where they
// mean a bad request body, so they are re-labelled here, message kept.
Status AsMongoError(Status status) {
  switch (status.code()) {
    case ErrorCode::kBadValue:
    case ErrorCode::kTypeMismatch:
    case ErrorCode::kDepthLimitExceeded:
    case ErrorCode::kSizeLimitExceeded:
      return Status(ErrorCode::kMongoDbError, status.message());
    default:
      return status;
  }
}

// $lookup's reads for the system caller: another collection of the
// request's database, mapped into the app's namespace of the store like the
// request's own, read without rules. Lives for one call.
class AppForeignSource final : public storage::pipeline::ForeignSource {
 public:
  AppForeignSource(storage::Engine& store, std::string_view app_id, std::string_view database)
      : store_(store), app_id_(app_id), database_(database) {}

  base::Result<std::vector<doc::Document>> Read(const std::string& collection,
                                                const doc::Document& filter) override {
    PLINTH_RETURN_IF_ERROR(storage::ValidateCollectionName(collection));
    const storage::StoreNamespace ns = storage::AppNamespace(app_id_, database_, collection);
    PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll,
                            store_.GetCollection(ns.database, ns.collection));
    PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Cursor> cursor, coll->Find(filter));
    return storage::ReadAll(cursor.get());
  }

 private:
  storage::Engine& store_;
  std::string_view app_id_;
  std::string_view database_;
};

}  // namespace

DataAccess::DataAccess(std::string app_id, const Deps& deps)
    : app_id_(std::move(app_id)), deps_(deps), ids_(deps.clock, deps.random) {}

base::Result<std::unique_ptr<DataAccess>> DataAccess::Create(const config::AppConfig& app,
                                                             const Deps& deps) {
  std::unique_ptr<DataAccess> access(new DataAccess(app.root.app_id, deps));
  access->values_ = ValuesOf(app, deps.secrets);
  access->environment_ = EnvironmentOf(app);
  for (const config::DataSourceConfig& ds : app.data_sources) {
    if (!config::IsMongoDataSourceType(ds.type)) continue;
    access->services_.insert(ds.name);
    if (ds.default_rule) {
      PLINTH_ASSIGN_OR_RETURN(rules::CompiledRules compiled,
                              CompileNamed(*ds.default_rule, ds.dir + "/default_rule.json"));
      access->default_rules_.emplace(ds.name, std::move(compiled));
    }
    for (const config::CollectionRules& c : ds.collections) {
      if (!c.has_rules_file) continue;
      PLINTH_ASSIGN_OR_RETURN(rules::CompiledRules compiled, CompileNamed(c.rules, c.file));
      access->collection_rules_.emplace(CollectionKey(ds.name, c.database, c.collection),
                                        std::move(compiled));
    }
  }
  return access;
}

const rules::CompiledRules* DataAccess::RulesFor(std::string_view service,
                                                 std::string_view database,
                                                 std::string_view collection) const {
  auto it = collection_rules_.find(CollectionKey(service, database, collection));
  if (it != collection_rules_.end()) return &it->second;
  auto d = default_rules_.find(std::string(service));
  return d != default_rules_.end() ? &d->second : nullptr;
}

base::Result<doc::Value> DataAccess::Call(const DataCaller& caller, std::string_view service,
                                          std::string_view action,
                                          const doc::Value& arguments) const {
  PLINTH_ASSIGN_OR_RETURN(MongoRequest request, Prepare(service, action, arguments));
  return Run(caller, service, request);
}

bool DataAccess::HasService(std::string_view service) const {
  return services_.contains(std::string(service));
}

base::Status DataAccess::CheckService(std::string_view service) const {
  if (HasService(service)) return Status::Ok();
  return Status(ErrorCode::kServiceNotFound, "service not found: '" + std::string(service) + "'");
}

base::Result<MongoRequest> DataAccess::Prepare(std::string_view service, std::string_view action,
                                               const doc::Value& arguments) const {
  // The service first, so a wrong service name is not reported as a bad
  // argument.
  PLINTH_RETURN_IF_ERROR(CheckService(service));
  base::Result<MongoRequest> request = ParseMongoRequest(action, arguments);
  if (!request.ok()) return AsMongoError(request.status());
  return request;
}

bool DataAccess::IsPointRead(const MongoRequest& request) {
  if (request.action != MongoAction::kFind && request.action != MongoAction::kFindOne &&
      request.action != MongoAction::kCount) {
    return false;
  }
  const doc::Value* id = request.filter.Get("_id");
  if (id == nullptr) return false;
  if (!id->is_document()) return id->type() != doc::Type::kRegex && !id->is_array();
  // {_id: {$eq: v}} is a point too; any other operator ({$gt: ...}) is a range.
  const doc::Document& ops = id->as_document();
  if (ops.empty() || !ops.fields().front().first.starts_with('$')) return true;  // a document _id
  return ops.size() == 1 && ops.fields().front().first == "$eq";
}

base::Result<doc::Value> DataAccess::Run(const DataCaller& caller, std::string_view service,
                                         const MongoRequest& request) const {
  PLINTH_RETURN_IF_ERROR(CheckService(service));
  const storage::StoreNamespace ns =
      storage::AppNamespace(app_id_, request.database, request.collection);
  base::Result<doc::Value> out = RunIn(caller, service, ns, request);
  if (!out.ok()) return AsMongoError(out.status());
  return out;
}

base::Result<doc::Value> DataAccess::RunIn(const DataCaller& caller, std::string_view service,
                                           const storage::StoreNamespace& ns,
                                           const MongoRequest& request) const {
  storage::Engine& store = caller.store() != nullptr ? *caller.store() : *deps_.store;
  if (caller.is_system()) {
    PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll,
                            store.GetCollection(ns.database, ns.collection));
    AppForeignSource foreign(store, app_id_, request.database);
    return Execute(*coll, request, &foreign);
  }
  const rules::CompiledRules* rules = RulesFor(service, request.database, request.collection);
  if (rules == nullptr) {
    return Status(
        ErrorCode::kNoMatchingRuleFound,
        "no rule exists for namespace '" + request.database + "." + request.collection + "'");
  }
  RuleScope scope;
  scope.rules = rules;
  scope.base.user = &caller.user();
  scope.base.values = &values_;
  scope.base.environment = &environment_;
  if (caller.request()) scope.base.request = &*caller.request();
  scope.base.functions = functions_;
  scope.now_millis = deps_.clock->NowMillis();
  scope.ids = &ids_;
  scope.foreign = [&](std::string_view collection) {
    return ForeignCollection{storage::AppNamespace(app_id_, request.database, collection),
                             RulesFor(service, request.database, collection)};
  };
  return ExecuteWithRules(store, ns, scope, request);
}

}  // namespace plinth::services
