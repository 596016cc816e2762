#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "services/data_access.h"

namespace plinth::services {

// The DataAccess of every served app, by app id. Filled before serving
// starts; immutable and thread-safe afterwards. Owns the DataAccess objects.
class DataAccessRegistry {
 public:
  void Add(std::unique_ptr<DataAccess> access) {
    std::string id = access->app_id();
    apps_[std::move(id)] = std::move(access);
  }
  // nullptr for an unknown app.
  const DataAccess* Find(std::string_view app_id) const {
    auto it = apps_.find(app_id);
    return it == apps_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<std::string, std::unique_ptr<DataAccess>, std::less<>> apps_;
};

}  // namespace plinth::services
