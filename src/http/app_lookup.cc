#include "http/app_lookup.h"

namespace plinth::http {

AppLookup::~AppLookup() = default;

StaticAppLookup::StaticAppLookup(std::vector<AppInfo> apps) {
  for (AppInfo& app : apps) {
    std::string id = app.app_id;
    apps_[std::move(id)] = std::make_shared<const AppInfo>(std::move(app));
  }
}

std::shared_ptr<const AppInfo> StaticAppLookup::Find(std::string_view app_id) const {
  auto it = apps_.find(app_id);
  return it == apps_.end() ? nullptr : it->second;
}

base::Status AppNotFoundStatus(std::string_view app_id) {
  return {base::ErrorCode::kAppNotFound,
          "cannot find app using Client App ID '" + std::string(app_id) + "'"};
}

}  // namespace plinth::http
