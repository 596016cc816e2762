#pragma once

#include <string>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// EnvironmentConfig is one `environments/<env>.json` (app-config §1.8):
// `{"values": {...}}` for no-environment, development, testing, qa or
// production. The root file's `environment` picks the active one ("" ->
// no-environment); functions see it as context.environment and rules as
// %%environment. Its values also fill `%(%%environment.values.<name>)`
// templates in the other config files (template_expansion.h).
// Value type; thread-compatible.
struct EnvironmentConfig {
  std::string name;  // file stem: "no-environment", "development", ...
  doc::Document values;
  std::string file;  // "environments/no-environment.json"
};

// True for the five names App Services knows.
bool IsKnownEnvironmentFile(const std::string& stem);

EnvironmentConfig ParseEnvironment(const doc::Value& json, const std::string& stem,
                                   FileDiagnostics* diag);

}  // namespace plinth::config
