#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "config/function_config.h"
#include "js/script.h"
#include "rules/expression.h"

namespace plinth::functions {

// One function of an app, ready to call: its settings from
// functions/config.json and its source as a js::Script.
// Immutable; shared between threads.
struct FunctionEntry {
  std::string name;
  bool is_private = false;
  bool run_as_system = false;
  bool disable_arg_logs = false;
  // can_evaluate compiled as a request-level rule expression (%%user,
  // %%request, %%values, %%environment, %function; no document
  // expansions); nullopt when it is {} (always true).
  std::optional<rules::Expression> can_evaluate;
  std::shared_ptr<const js::Script> script;
};

// FunctionCatalog is an app's functions by name, built once per config
// version. Building refuses what Plinth cannot honour rather than running a
// function as someone it was not meant to run as: a non-empty
// run_as_user_id or run_as_user_id_script_source (kInvalidConfig), and a
// can_evaluate that does not compile.
// Immutable after Build; thread-safe.
class FunctionCatalog {
 public:
  static base::Result<FunctionCatalog> Build(const std::vector<config::FunctionConfig>& functions);

  // nullptr when there is no such function.
  const FunctionEntry* Find(std::string_view name) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, std::shared_ptr<const FunctionEntry>> entries_;
};

}  // namespace plinth::functions
