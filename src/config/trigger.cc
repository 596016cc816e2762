#include "config/trigger.h"

#include <algorithm>
#include <array>

#include "config/auth_providers.h"
#include "config/names.h"

namespace plinth::config {
namespace {

constexpr std::array<std::string_view, 14> kDatabaseOperationTypes = {
    "INSERT",
    "UPDATE",
    "REPLACE",
    "DELETE",
    "CREATE_COLLECTION",
    "MODIFY_COLLECTION",
    "RENAME_COLLECTION",
    "DROP_COLLECTION",
    "SHARD_COLLECTION",
    "RESHARD_COLLECTION",
    "REFINE_COLLECTION_SHARD_KEY",
    "DROP_DATABASE",
    "CREATE_INDEXES",
    "DROP_INDEXES",
};

std::optional<AuthOperationType> ParseAuthOperationType(std::string_view s) {
  if (s == "LOGIN") return AuthOperationType::kLogin;
  if (s == "CREATE") return AuthOperationType::kCreate;
  if (s == "DELETE") return AuthOperationType::kDelete;
  return std::nullopt;
}

AuthTriggerConfig ParseAuthConfig(FieldReader& c) {
  AuthTriggerConfig a;
  FileDiagnostics* diag = c.diag();
  const std::string field = c.FieldOf("operation_type");
  const doc::Value* op = c.Get("operation_type", Presence::kRequired);
  std::optional<std::string> op_name;
  if (op != nullptr && op->is_string()) {
    op_name = op->as_string();
  } else if (op != nullptr && op->is_array() && op->as_array().size() == 1 &&
             op->as_array()[0].is_string()) {
    // One App Services reference page shows an array (app-config §1.7).
    diag->Warn(field, "operation_type should be a single string; read the array's only entry");
    op_name = op->as_array()[0].as_string();
  } else if (op != nullptr) {
    diag->Error(field, "expected one of \"LOGIN\", \"CREATE\", \"DELETE\", got " +
                           std::string(JsonTypeName(*op)));
  }
  if (op_name) {
    if (auto parsed = ParseAuthOperationType(*op_name)) {
      a.operation_type = *parsed;
    } else {
      diag->Error(field, "must be \"LOGIN\", \"CREATE\" or \"DELETE\", got \"" + *op_name + "\"");
    }
  }
  if (auto providers = c.StringArray("providers", Presence::kRequired)) {
    if (providers->empty()) {
      diag->Error(c.FieldOf("providers"), "must list at least one provider type");
    }
    for (std::size_t i = 0; i < providers->size(); ++i) {
      if (!ParseProviderType((*providers)[i])) {
        diag->Error(IndexField(c.FieldOf("providers"), i),
                    "unknown provider type \"" + (*providers)[i] + "\"; expected one of " +
                        ProviderTypeList());
      }
    }
    a.providers = std::move(*providers);
  }
  return a;
}

DatabaseTriggerConfig ParseDatabaseConfig(FieldReader& c) {
  DatabaseTriggerConfig d;
  c.Read("service_name", &d.service_name, Presence::kRequired);
  c.Read("database", &d.database, Presence::kRequired);
  c.Read("collection", &d.collection);
  if (auto ops = c.StringArray("operation_types", Presence::kRequired)) {
    if (ops->empty()) c.diag()->Error(c.FieldOf("operation_types"), "must not be empty");
    for (std::size_t i = 0; i < ops->size(); ++i) {
      const std::string& op = (*ops)[i];
      if (std::find(kDatabaseOperationTypes.begin(), kDatabaseOperationTypes.end(), op) ==
          kDatabaseOperationTypes.end()) {
        c.diag()->Error(IndexField(c.FieldOf("operation_types"), i),
                        "unknown operation type \"" + op + "\"");
      }
    }
    d.operation_types = std::move(*ops);
  }
  c.Read("full_document", &d.full_document);
  c.Read("full_document_before_change", &d.full_document_before_change);
  c.Read("tolerate_resume_errors", &d.tolerate_resume_errors);
  c.Read("unordered", &d.unordered);
  c.Read("maximum_throughput", &d.maximum_throughput);
  c.Read("skip_catchup_events", &d.skip_catchup_events);
  c.Read("match", &d.match);
  c.Read("project", &d.project);
  c.Ignore({"service_id", "collection_is_regex"});
  return d;
}

}  // namespace

std::string_view TriggerTypeName(TriggerType type) {
  switch (type) {
    case TriggerType::kDatabase:
      return "DATABASE";
    case TriggerType::kAuthentication:
      return "AUTHENTICATION";
    case TriggerType::kScheduled:
      return "SCHEDULED";
  }
  return "";
}

std::string_view AuthOperationTypeName(AuthOperationType type) {
  switch (type) {
    case AuthOperationType::kLogin:
      return "LOGIN";
    case AuthOperationType::kCreate:
      return "CREATE";
    case AuthOperationType::kDelete:
      return "DELETE";
  }
  return "";
}

TriggerConfig ParseTrigger(const doc::Value& json, FileDiagnostics* diag) {
  TriggerConfig t;
  t.file = diag->file();
  FieldReader r(json, "", diag);
  if (!r.ok()) return t;
  if (auto name = r.String("name", Presence::kRequired)) {
    t.name = *name;
    if (std::string problem = CheckComponentName(t.name); !problem.empty()) {
      diag->Error("name", "trigger " + problem);
    }
  }
  std::optional<TriggerType> type;
  if (auto type_name = r.String("type", Presence::kRequired)) {
    if (*type_name == "AUTHENTICATION") {
      type = TriggerType::kAuthentication;
    } else if (*type_name == "DATABASE") {
      type = TriggerType::kDatabase;
    } else if (*type_name == "SCHEDULED") {
      type = TriggerType::kScheduled;
    } else {
      diag->Error("type", "must be \"AUTHENTICATION\", \"DATABASE\" or \"SCHEDULED\", got \"" +
                              *type_name + "\"");
    }
  }
  r.Read("disabled", &t.disabled);

  // The function, in either of its two places; the server copies one to the other.
  std::string top_level;
  r.Read("function_name", &top_level);
  std::string processor;
  r.Read("event_processors", &t.event_processors);
  FieldReader processors = r.Child("event_processors");
  if (processors.ok()) {
    FieldReader function = processors.Child("FUNCTION");
    if (function.ok()) {
      FieldReader function_config = function.Child("config", Presence::kRequired);
      if (function_config.ok()) {
        function_config.Read("function_name", &processor, Presence::kRequired);
        function_config.Ignore({"function_id"});
        function_config.WarnUnknownKeys();
      }
      function.WarnUnknownKeys();
    }
    if (processors.Has("AWS_EVENTBRIDGE")) {
      diag->Warn(processors.FieldOf("AWS_EVENTBRIDGE"),
                 "AWS EventBridge is not supported by Plinth; this processor never runs");
    }
    processors.Ignore({"AWS_EVENTBRIDGE"});
    processors.WarnUnknownKeys();
  }
  if (!top_level.empty() && !processor.empty() && top_level != processor) {
    diag->Error("function_name", "\"" + top_level +
                                     "\" differs from event_processors.FUNCTION.config."
                                     "function_name \"" +
                                     processor + "\"");
  }
  t.function_name = !processor.empty() ? processor : top_level;
  if (t.function_name.empty() && !t.event_processors.Has("FUNCTION") &&
      !t.event_processors.Has("AWS_EVENTBRIDGE") && !r.Has("function_name")) {
    diag->Error("function_name",
                "no function: set function_name or "
                "event_processors.FUNCTION.config.function_name");
  }

  r.Read("config", &t.config);
  FieldReader c = r.Child("config", Presence::kRequired);
  if (c.ok() && type) {
    switch (*type) {
      case TriggerType::kAuthentication:
        t.auth = ParseAuthConfig(c);
        break;
      case TriggerType::kDatabase:
        t.database = ParseDatabaseConfig(c);
        break;
      case TriggerType::kScheduled: {
        ScheduledTriggerConfig s;
        c.Read("schedule", &s.schedule, Presence::kRequired);
        c.Read("skip_catchup_events", &s.skip_catchup_events);
        c.Ignore({"schedule_type"});
        t.scheduled = std::move(s);
        break;
      }
    }
    c.WarnUnknownKeys();
  }
  if (type) t.type = *type;
  r.Ignore({"id", "function_id", "error_handler"});
  r.WarnUnknownKeys();
  return t;
}

}  // namespace plinth::config
