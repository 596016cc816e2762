#include "config/environment.h"

namespace plinth::config {

bool IsKnownEnvironmentFile(const std::string& stem) {
  return stem == "no-environment" || stem == "development" || stem == "testing" || stem == "qa" ||
         stem == "production";
}

EnvironmentConfig ParseEnvironment(const doc::Value& json, const std::string& stem,
                                   FileDiagnostics* diag) {
  EnvironmentConfig e;
  e.name = stem;
  e.file = diag->file();
  FieldReader r(json, "", diag);
  if (!r.ok()) return e;
  r.Read("values", &e.values);
  r.WarnUnknownKeys();
  return e;
}

}  // namespace plinth::config
