#include "config/function_config.h"

#include <set>

#include "config/names.h"

namespace plinth::config {

std::vector<FunctionConfig> ParseFunctionManifest(const doc::Value& json, FileDiagnostics* diag) {
  std::vector<FunctionConfig> out;
  if (!json.is_array()) {
    diag->Error("",
                "expected an array of function entries, got " + std::string(JsonTypeName(json)));
    return out;
  }
  std::set<std::string> seen;
  const doc::Array& entries = json.as_array();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    FieldReader r(entries[i], IndexField("", i), diag);
    if (!r.ok()) continue;
    FunctionConfig f;
    std::optional<std::string> name = r.String("name", Presence::kRequired);
    r.Read("private", &f.is_private);
    if (auto expr = r.Expression("can_evaluate")) f.can_evaluate = std::move(*expr);
    r.Read("disable_arg_logs", &f.disable_arg_logs);
    r.Read("run_as_system", &f.run_as_system);
    r.Read("run_as_user_id", &f.run_as_user_id);
    r.Read("run_as_user_id_script_source", &f.run_as_user_id_script_source);
    r.Ignore({"id", "source"});
    r.WarnUnknownKeys();
    if (!name) continue;
    f.name = *name;
    if (std::string problem = CheckFunctionName(f.name); !problem.empty()) {
      diag->Error(r.FieldOf("name"), problem);
      continue;
    }
    if (!seen.insert(f.name).second) {
      diag->Error(r.FieldOf("name"), "duplicate function name \"" + f.name + "\"");
      continue;
    }
    if (!f.run_as_user_id.empty() && !f.run_as_user_id_script_source.empty()) {
      diag->Error(r.FieldOf("run_as_user_id"),
                  "cannot be combined with run_as_user_id_script_source");
    }
    f.source_file = "functions/" + f.name + ".js";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace plinth::config
