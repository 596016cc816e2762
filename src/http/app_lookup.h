#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace plinth::http {

// AppInfo is what the HTTP layer needs to know about one served app.
// Immutable once published through an AppLookup.
struct AppInfo {
  std::string app_id;
  // Reported by the location endpoint (client-api §1.2), e.g. "GLOBAL".
  std::string deployment_model;
  // Reported by the location endpoint, e.g. "US-VA".
  std::string location;
  // root_config.json `allowed_request_origins`: "<scheme>://<host>[:port]"
  // entries. Empty means every origin may call the app.
  std::vector<std::string> allowed_request_origins;
};

// AppLookup is the seam through which http/ learns which apps exist. The
// server layer implements it over the loaded configuration.
//
// Thread-safety: implementations must be safe to call from every I/O thread at
// once. Find returns a shared_ptr so a caller's AppInfo stays valid while the
// configuration is swapped underneath.
class AppLookup {
 public:
  virtual ~AppLookup();
  // The app with this id, or null when no served app has it.
  virtual std::shared_ptr<const AppInfo> Find(std::string_view app_id) const = 0;
};

// A fixed set of apps, for tests and for servers whose apps never change.
// Immutable after construction, so thread-safe.
class StaticAppLookup final : public AppLookup {
 public:
  explicit StaticAppLookup(std::vector<AppInfo> apps);
  std::shared_ptr<const AppInfo> Find(std::string_view app_id) const override;

 private:
  std::map<std::string, std::shared_ptr<const AppInfo>, std::less<>> apps_;
};

// The 404 `AppNotFound` status for an unknown app id, worded as App Services
// words it.
base::Status AppNotFoundStatus(std::string_view app_id);

}  // namespace plinth::http
