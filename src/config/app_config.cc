#include "config/app_config.h"

namespace plinth::config {
namespace {

template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

}  // namespace

const AuthProvider* AppConfig::FindProvider(std::string_view name) const {
  return FindByName(auth_providers, name);
}
const FunctionConfig* AppConfig::FindFunction(std::string_view name) const {
  return FindByName(functions, name);
}
const DataSourceConfig* AppConfig::FindDataSource(std::string_view name) const {
  return FindByName(data_sources, name);
}
const TriggerConfig* AppConfig::FindTrigger(std::string_view name) const {
  return FindByName(triggers, name);
}
const ValueConfig* AppConfig::FindValue(std::string_view name) const {
  return FindByName(values, name);
}
const EnvironmentConfig* AppConfig::ActiveEnvironment() const {
  return FindByName(environments, EnvironmentFileStem(root.environment));
}

}  // namespace plinth::config
