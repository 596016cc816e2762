#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "functions/function_runtime.h"

namespace plinth::functions {

// The FunctionRuntime of every served app, by app id. Filled before
// serving starts; immutable and thread-safe afterwards. Owns the runtimes
// (not their engines).
class FunctionRegistry {
 public:
  void Add(std::string app_id, std::unique_ptr<FunctionRuntime> runtime) {
    apps_[std::move(app_id)] = std::move(runtime);
  }
  // nullptr for an unknown app.
  const FunctionRuntime* Find(std::string_view app_id) const {
    auto it = apps_.find(app_id);
    return it == apps_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<std::string, std::unique_ptr<FunctionRuntime>, std::less<>> apps_;
};

}  // namespace plinth::functions
