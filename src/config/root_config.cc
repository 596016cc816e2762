#include "config/root_config.h"

#include "config/names.h"

namespace plinth::config {

std::string EnvironmentFileStem(const std::string& environment) {
  return environment.empty() ? "no-environment" : environment;
}

RootConfig ParseRootConfig(const doc::Value& json, FileDiagnostics* diag) {
  RootConfig root;
  FieldReader r(json, "", diag);
  if (!r.ok()) return root;

  r.Read("config_version", &root.config_version);
  if (root.config_version != 0 && root.config_version < 20210101) {
    diag->Error("config_version",
                "config_version " + std::to_string(root.config_version) +
                    " is a legacy layout Plinth does not read; re-export the app with "
                    "config_version 20210101 or 20230101");
  } else if (root.config_version != 0 && root.config_version != 20210101 &&
             root.config_version != 20230101) {
    diag->Warn("config_version", "unknown config_version; reading it as 20230101");
  }

  if (auto name = r.String("name", Presence::kRequired)) {
    root.name = *name;
    if (std::string problem = CheckAppName(root.name); !problem.empty()) {
      diag->Error("name", problem);
    }
  }
  if (auto app_id = r.String("app_id")) {
    root.app_id = *app_id;
    if (std::string problem = CheckClientAppId(root.app_id); !problem.empty()) {
      diag->Error("app_id", problem);
    }
  } else {
    root.app_id = root.name;
  }
  r.Read("location", &root.location);
  r.Read("provider_region", &root.provider_region);
  if (auto model = r.String("deployment_model")) {
    if (*model == "GLOBAL" || *model == "LOCAL") {
      root.deployment_model = *model;
    } else {
      diag->Error("deployment_model", "must be \"GLOBAL\" or \"LOCAL\", got \"" + *model + "\"");
    }
  }
  if (auto env = r.String("environment")) {
    if (env->empty() || *env == "development" || *env == "testing" || *env == "qa" ||
        *env == "production") {
      root.environment = *env;
    } else {
      diag->Error("environment",
                  "must be one of \"\", \"development\", \"testing\", \"qa\", \"production\"; "
                  "got \"" +
                      *env + "\"");
    }
  }
  if (auto origins = r.StringArray("allowed_request_origins")) {
    for (std::size_t i = 0; i < origins->size(); ++i) {
      if (std::string problem = CheckRequestOrigin((*origins)[i]); !problem.empty()) {
        diag->Error(IndexField("allowed_request_origins", i), problem);
      }
    }
    root.allowed_request_origins = std::move(*origins);
  }
  r.WarnUnknownKeys();
  return root;
}

}  // namespace plinth::config
