#pragma once

#include <string>
#include <vector>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// FunctionConfig is one function: its entry in `functions/config.json` (app-config
// §1.4) together with its source, `functions/<name>.js` (a '/' in the name is a
// sub-directory). A .js file with no manifest entry gets a default entry.
// Value type; thread-compatible.
struct FunctionConfig {
  std::string name;
  bool is_private = false;  // `private`: not callable by clients
  // `can_evaluate`: rule expression evaluated per call; {} means always.
  doc::Value can_evaluate = doc::Document{};
  bool disable_arg_logs = false;
  bool run_as_system = false;  // overrides both run_as_user_id* fields
  std::string run_as_user_id;
  std::string run_as_user_id_script_source;
  // The JavaScript source text (UTF-8, as read).
  std::string source;
  // Relative to the app dir: "functions/utils/add.js".
  std::string source_file;
  // False when the entry was made up for a .js file not listed in config.json.
  bool in_manifest = true;
};

// Parses functions/config.json (an array of entries). Checks names, types,
// duplicates and the run_as_user_id / script exclusivity; sources are
// attached by the loader.
std::vector<FunctionConfig> ParseFunctionManifest(const doc::Value& json, FileDiagnostics* diag);

}  // namespace plinth::config
