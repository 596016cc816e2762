#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/auth_providers.h"
#include "config/custom_user_data.h"
#include "config/data_source.h"
#include "config/environment.h"
#include "config/function_config.h"
#include "config/plinth_settings.h"
#include "config/root_config.h"
#include "config/trigger.h"
#include "config/value_config.h"

namespace plinth::config {

// Which root file the app directory has (app-config §1.1).
enum class ConfigLayout {
  kRealmConfig,  // realm_config.json, config_version 20210101 (realm-cli v2)
  kRootConfig,   // root_config.json, config_version 20230101 (appservices CLI)
};

// AppConfig is everything Plinth reads from one app directory, after the
// checks that need nothing but the config (app_loader.h). Rule expressions
// and function sources are kept raw; the server parses and compiles them when
// it starts.
//
// Value type: the loader builds it once and the server then only reads it, so
// const access from many threads is safe. Lists keep file/manifest order
// (directories are read in sorted name order); the Find* helpers are linear
// scans meant for start-up, not for per-request lookups.
struct AppConfig {
  std::filesystem::path dir;  // the app directory, as given to LoadApp
  ConfigLayout layout = ConfigLayout::kRootConfig;
  std::string root_file;  // "root_config.json" or "realm_config.json"

  RootConfig root;
  std::vector<AuthProvider> auth_providers;  // auth/providers.json; none if absent
  CustomUserDataConfig custom_user_data;     // auth/custom_user_data.json; disabled if absent
  std::vector<FunctionConfig> functions;     // manifest order, then unlisted .js files
  std::vector<DataSourceConfig> data_sources;
  std::vector<TriggerConfig> triggers;
  std::vector<ValueConfig> values;
  std::vector<EnvironmentConfig> environments;  // the files present, any of the five
  PlinthSettings settings;                      // plinth.json; defaults if absent

  const AuthProvider* FindProvider(std::string_view name) const;
  const FunctionConfig* FindFunction(std::string_view name) const;
  const DataSourceConfig* FindDataSource(std::string_view name) const;
  const TriggerConfig* FindTrigger(std::string_view name) const;
  const ValueConfig* FindValue(std::string_view name) const;
  // The environment file root.environment selects, or nullptr when that file
  // is absent (then it has no values).
  const EnvironmentConfig* ActiveEnvironment() const;
};

}  // namespace plinth::config
