#include "config/custom_user_data.h"

namespace plinth::config {

CustomUserDataConfig ParseCustomUserData(const doc::Value& json, FileDiagnostics* diag) {
  CustomUserDataConfig c;
  FieldReader r(json, "", diag);
  if (!r.ok()) return c;
  r.Read("enabled", &c.enabled);
  r.Read("mongo_service_name", &c.mongo_service_name);
  r.Read("database_name", &c.database_name);
  r.Read("collection_name", &c.collection_name);
  r.Read("user_id_field", &c.user_id_field);
  r.Read("on_user_creation_function_name", &c.on_user_creation_function_name);
  if (r.Has("mongo_service_id") || r.Has("on_user_creation_function_id")) {
    diag->Warn("", "*_id fields are Admin API spellings; files reference by name, ids ignored");
  }
  r.Ignore({"mongo_service_id", "on_user_creation_function_id"});
  r.WarnUnknownKeys();

  if (c.enabled) {
    const std::pair<const char*, const std::string*> required[] = {
        {"mongo_service_name", &c.mongo_service_name},
        {"database_name", &c.database_name},
        {"collection_name", &c.collection_name},
        {"user_id_field", &c.user_id_field},
    };
    for (const auto& [field, value] : required) {
      // A wrong type was already reported; only report a genuinely missing one.
      if (value->empty() && !(r.Has(field) && !r.Get(field)->is_string())) {
        diag->Error(field, "is required when enabled is true");
      }
    }
  }
  return c;
}

}  // namespace plinth::config
