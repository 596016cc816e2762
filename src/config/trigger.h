#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// TriggerConfig is one `triggers/<file>.json` (app-config §1.7, §3.2). The
// common shape is {name, type, disabled, config, function_name |
// event_processors.FUNCTION.config.function_name}; `config` is typed per
// trigger type and also kept raw. File names are not significant.
// Value types; thread-compatible.

enum class TriggerType { kDatabase, kAuthentication, kScheduled };
std::string_view TriggerTypeName(TriggerType type);  // "DATABASE", ...

enum class AuthOperationType { kLogin, kCreate, kDelete };
std::string_view AuthOperationTypeName(AuthOperationType type);  // "LOGIN", ...

struct AuthTriggerConfig {
  AuthOperationType operation_type = AuthOperationType::kLogin;  // one string in the file
  std::vector<std::string> providers;                            // provider types, at least one
};

struct DatabaseTriggerConfig {
  std::string service_name;  // a data source name
  std::string database;
  std::string collection;
  // INSERT, UPDATE, REPLACE, DELETE and the DDL types.
  std::vector<std::string> operation_types;
  bool full_document = false;
  bool full_document_before_change = false;
  bool tolerate_resume_errors = false;
  bool unordered = false;
  bool maximum_throughput = false;
  bool skip_catchup_events = false;
  doc::Document match;    // change-event filter
  doc::Document project;  // change-event projection
};

struct ScheduledTriggerConfig {
  std::string schedule;  // CRON expression; checked when the server starts
  bool skip_catchup_events = false;
};

struct TriggerConfig {
  std::string name;  // at most 64 ASCII letters, digits, '_', '-'
  TriggerType type = TriggerType::kAuthentication;
  bool disabled = false;
  // From `function_name` or event_processors.FUNCTION.config.function_name.
  std::string function_name;
  doc::Document config;                             // raw `config`
  doc::Document event_processors;                   // raw `event_processors`
  std::optional<AuthTriggerConfig> auth;            // type AUTHENTICATION
  std::optional<DatabaseTriggerConfig> database;    // type DATABASE
  std::optional<ScheduledTriggerConfig> scheduled;  // type SCHEDULED
  std::string file;                                 // "triggers/recordLastLogin.json"
};

// Parses one trigger file. Function and data source references are checked by
// app_validator.h.
TriggerConfig ParseTrigger(const doc::Value& json, FileDiagnostics* diag);

}  // namespace plinth::config
