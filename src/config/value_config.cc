#include "config/value_config.h"

#include "config/names.h"

namespace plinth::config {

ValueConfig ParseValue(const doc::Value& json, FileDiagnostics* diag) {
  ValueConfig v;
  v.file = diag->file();
  FieldReader r(json, "", diag);
  if (!r.ok()) return v;
  if (auto name = r.String("name", Presence::kRequired)) {
    v.name = *name;
    if (std::string problem = CheckValueName(v.name); !problem.empty()) {
      diag->Error("name", "value " + problem);
    }
  }
  r.Read("from_secret", &v.from_secret);
  // `null` is a legitimate value here, so read the raw field.
  r.Ignore({"value"});
  if (const doc::Value* value = json.as_document().Get("value")) {
    v.value = *value;
  } else {
    diag->Error("value", "is required");
  }
  if (v.from_secret) {
    if (!v.value.is_string()) {
      diag->Error("value", "must be the name of a secret (a string) when from_secret is true");
    } else if (std::string problem = CheckValueName(v.value.as_string()); !problem.empty()) {
      diag->Error("value", "secret " + problem);
    }
  }
  r.Ignore({"id", "private"});
  r.WarnUnknownKeys();
  return v;
}

}  // namespace plinth::config
