#pragma once

#include <string>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// ValueConfig is one `values/<file>.json` (app-config §1.8): a named constant
// that functions read with context.values.get(name) and rules with
// %%values.<name>. When from_secret is true, `value` is the NAME of a secret
// (secrets.h), resolved when the server starts; never the secret itself.
// Value type; thread-compatible.
struct ValueConfig {
  std::string name;  // 1-64 ASCII letters, digits, '_', '-'; starts with a letter or digit
  bool from_secret = false;
  doc::Value value;  // any JSON; a secret name when from_secret
  std::string file;  // "values/greeting.json"
};

ValueConfig ParseValue(const doc::Value& json, FileDiagnostics* diag);

}  // namespace plinth::config
