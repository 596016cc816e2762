#include "functions/function_catalog.h"

#include <utility>

#include "base/error_code.h"

namespace plinth::functions {

using base::ErrorCode;
using base::Status;

base::Result<FunctionCatalog> FunctionCatalog::Build(
    const std::vector<config::FunctionConfig>& functions) {
  FunctionCatalog catalog;
  for (const config::FunctionConfig& f : functions) {
    if (!f.run_as_user_id.empty() || !f.run_as_user_id_script_source.empty()) {
      return Status(ErrorCode::kInvalidConfig,
                    "function '" + f.name +
                        "': run_as_user_id and run_as_user_id_script_source are not supported; "
                        "use run_as_system or the caller's identity");
    }
    auto entry = std::make_shared<FunctionEntry>();
    entry->name = f.name;
    entry->is_private = f.is_private;
    entry->run_as_system = f.run_as_system;
    entry->disable_arg_logs = f.disable_arg_logs;
    const bool always = f.can_evaluate.is_document() && f.can_evaluate.as_document().empty();
    if (!always) {
      base::Result<rules::Expression> compiled =
          rules::Expression::Compile(f.can_evaluate, rules::ExpressionKind::kFilterApplyWhen);
      if (!compiled.ok()) {
        return Status(ErrorCode::kInvalidConfig,
                      "function '" + f.name + "': can_evaluate: " + compiled.status().message());
      }
      entry->can_evaluate = std::move(*compiled);
    }
    entry->script = js::Script::Make(f.name, f.source);
    catalog.entries_[f.name] = std::move(entry);
  }
  return catalog;
}

const FunctionEntry* FunctionCatalog::Find(std::string_view name) const {
  auto it = entries_.find(std::string(name));
  return it == entries_.end() ? nullptr : it->second.get();
}

}  // namespace plinth::functions
