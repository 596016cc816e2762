#include "server/startup_checks.h"

#include <map>

namespace plinth::server {

std::vector<std::string> CheckApps(
    const std::vector<std::shared_ptr<const config::AppConfig>>& apps) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> seen;  // app id -> directory
  for (const auto& app : apps) {
    auto [it, inserted] = seen.emplace(app->root.app_id, app->dir.string());
    if (!inserted) {
      problems.push_back(app->dir.string() + "/" + app->root_file + ": app_id: \"" +
                         app->root.app_id + "\" is also the app id of " + it->second +
                         "; each served app needs its own");
    }
  }
  return problems;
}

}  // namespace plinth::server
