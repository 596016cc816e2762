#include "config/app_validator.h"

#include <set>
#include <string>

#include "config/field_reader.h"

namespace plinth::config {
namespace {

constexpr char kProvidersFile[] = "auth/providers.json";
constexpr char kCustomUserDataFile[] = "auth/custom_user_data.json";

void CheckFunctionRef(const AppConfig& app, const std::string& name, FileDiagnostics* diag,
                      const std::string& field) {
  if (app.FindFunction(name) == nullptr) {
    diag->Error(field, "function \"" + name + "\" does not exist (no functions/" + name +
                           ".js and no functions/config.json entry)");
  }
}

void CheckCustomUserData(const AppConfig& app, std::vector<ConfigError>* errors,
                         base::Logger* logger) {
  const CustomUserDataConfig& c = app.custom_user_data;
  FileDiagnostics diag(kCustomUserDataFile, errors, logger);
  if (c.enabled && !c.mongo_service_name.empty()) {
    const DataSourceConfig* ds = app.FindDataSource(c.mongo_service_name);
    if (ds == nullptr) {
      diag.Error("mongo_service_name", "no data source named \"" + c.mongo_service_name +
                                           "\" (expected data_sources/" + c.mongo_service_name +
                                           "/config.json)");
    } else if (!IsMongoDataSourceType(ds->type) && !ds->type.empty()) {
      diag.Error("mongo_service_name", "data source \"" + c.mongo_service_name + "\" has type \"" +
                                           ds->type +
                                           "\"; custom user data needs mongodb-atlas or mongodb");
    }
  }
  if (!c.on_user_creation_function_name.empty()) {
    CheckFunctionRef(app, c.on_user_creation_function_name, &diag,
                     "on_user_creation_function_name");
  }
}

void CheckProviders(const AppConfig& app, std::vector<ConfigError>* errors, base::Logger* logger) {
  FileDiagnostics diag(kProvidersFile, errors, logger);
  bool any_enabled = false;
  for (const AuthProvider& p : app.auth_providers) {
    if (!p.disabled) any_enabled = true;
    const std::string config = p.name + ".config";
    if (p.local_userpass) {
      const LocalUserpassConfig& c = *p.local_userpass;
      if (c.run_confirmation_function) {
        if (c.confirmation_function_name.empty()) {
          diag.Error(config + ".confirmationFunctionName",
                     "is required when runConfirmationFunction is true");
        } else {
          CheckFunctionRef(app, c.confirmation_function_name, &diag,
                           config + ".confirmationFunctionName");
        }
      }
      if (c.run_reset_function) {
        if (c.reset_function_name.empty()) {
          diag.Error(config + ".resetFunctionName", "is required when runResetFunction is true");
        } else {
          CheckFunctionRef(app, c.reset_function_name, &diag, config + ".resetFunctionName");
        }
      }
    }
    if (p.custom_function && !p.custom_function->auth_function_name.empty()) {
      CheckFunctionRef(app, p.custom_function->auth_function_name, &diag,
                       config + ".authFunctionName");
    }
  }
  if (!any_enabled) {
    diag.Warn("", "no enabled authentication provider: no client can log in to this app");
  }
}

void CheckTriggers(const AppConfig& app, std::vector<ConfigError>* errors, base::Logger* logger) {
  std::set<std::string> names;
  for (const TriggerConfig& t : app.triggers) {
    FileDiagnostics diag(t.file, errors, logger);
    if (!t.name.empty() && !names.insert(t.name).second) {
      diag.Error("name", "duplicate trigger name \"" + t.name + "\"");
    }
    if (!t.function_name.empty()) {
      bool in_processor = t.event_processors.Has("FUNCTION");
      CheckFunctionRef(
          app, t.function_name, &diag,
          in_processor ? "event_processors.FUNCTION.config.function_name" : "function_name");
    }
    if (t.auth) {
      for (std::size_t i = 0; i < t.auth->providers.size(); ++i) {
        const std::string& type = t.auth->providers[i];
        bool configured = false;
        for (const AuthProvider& p : app.auth_providers) {
          if (ProviderTypeName(p.type) == type) configured = true;
        }
        if (!configured && ParseProviderType(type)) {
          diag.Warn(IndexField("config.providers", i),
                    "the app does not configure this provider; the trigger never fires for it");
        }
      }
    }
    if (t.database && !t.database->service_name.empty()) {
      const DataSourceConfig* ds = app.FindDataSource(t.database->service_name);
      if (ds == nullptr) {
        diag.Error("config.service_name",
                   "no data source named \"" + t.database->service_name + "\"");
      } else if (!IsMongoDataSourceType(ds->type)) {
        diag.Error("config.service_name",
                   "data source \"" + t.database->service_name + "\" is not a MongoDB data source");
      }
    }
  }
}

void CheckUniqueNames(const AppConfig& app, std::vector<ConfigError>* errors,
                      base::Logger* logger) {
  std::set<std::string> names;
  for (const ValueConfig& v : app.values) {
    if (!v.name.empty() && !names.insert(v.name).second) {
      FileDiagnostics(v.file, errors, logger)
          .Error("name", "duplicate value name \"" + v.name + "\"");
    }
  }
  names.clear();
  for (const DataSourceConfig& ds : app.data_sources) {
    if (!ds.name.empty() && !names.insert(ds.name).second) {
      FileDiagnostics(ds.dir + "/config.json", errors, logger)
          .Error("name", "duplicate data source name \"" + ds.name + "\"");
    }
  }
}

}  // namespace

void ValidateApp(const AppConfig& app, std::vector<ConfigError>* errors, base::Logger* logger) {
  CheckCustomUserData(app, errors, logger);
  CheckProviders(app, errors, logger);
  CheckTriggers(app, errors, logger);
  CheckUniqueNames(app, errors, logger);
}

std::vector<ConfigError> CheckSecretReferences(const AppConfig& app, const Secrets& secrets) {
  std::vector<ConfigError> errors;
  auto missing = [&](const std::string& file, const std::string& field, const std::string& name) {
    if (secrets.SourceOf(name) == Secrets::Source::kNone) {
      errors.push_back({file, field,
                        "secret \"" + name + "\" is not set (plinth secrets set " + name +
                            ", or the environment variable " + Secrets::EnvVarName(name) + ")"});
    }
  };
  for (const ValueConfig& v : app.values) {
    if (v.from_secret && v.value.is_string()) missing(v.file, "value", v.value.as_string());
  }
  for (const AuthProvider& p : app.auth_providers) {
    if (!p.custom_token || p.disabled) continue;
    const auto& names = p.custom_token->signing_key_secret_names;
    for (std::size_t i = 0; i < names.size(); ++i) {
      missing(kProvidersFile, IndexField(p.name + ".secret_config.signingKeys", i), names[i]);
    }
  }
  return errors;
}

}  // namespace plinth::config
