#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// RootConfig is the app's root file: `root_config.json` (config_version
// 20230101) or `realm_config.json` (20210101); app-config §1.1.
// Value type; thread-compatible.
struct RootConfig {
  // As written in the file; 0 when absent.
  std::int64_t config_version = 0;
  // The client app id clients put in URLs ("myapp-abcde"). When the file has
  // none, the loader uses `name`.
  std::string app_id;
  // 1-32 ASCII letters, digits, '_', '-'; starts with a letter.
  std::string name;
  std::string location;                     // e.g. "US-VA"; reported by the location route
  std::string provider_region;              // e.g. "aws-us-east-1"
  std::string deployment_model = "GLOBAL";  // "GLOBAL" or "LOCAL"
  // "", "development", "testing", "qa" or "production"; "" selects
  // environments/no-environment.json.
  std::string environment;
  // `<scheme>://<host>[:port]` each. Empty: every origin is allowed.
  std::vector<std::string> allowed_request_origins;
};

// Reads and validates the root file's fields (types, name, environment,
// deployment model, origins). Problems go to `diag`.
RootConfig ParseRootConfig(const doc::Value& json, FileDiagnostics* diag);

// "no-environment" for "", otherwise the name itself.
std::string EnvironmentFileStem(const std::string& environment);

}  // namespace plinth::config
