#pragma once

#include <string>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// CustomUserDataConfig is `auth/custom_user_data.json` (app-config §1.2): where
// each user's custom data document lives, and the user creation function.
// A missing file means disabled. When disabled the other fields are still
// read and kept (App Services keeps them too).
// Value type; thread-compatible.
struct CustomUserDataConfig {
  bool enabled = false;
  // Name of a data source (data_sources/<name>) of type mongodb-atlas or mongodb.
  std::string mongo_service_name;
  std::string database_name;
  std::string collection_name;
  // Field of each document holding the user id (string or ObjectId).
  std::string user_id_field;
  // Function run when a user record is created; "" for none (DECISIONS 2).
  std::string on_user_creation_function_name;
};

// Reads the fields and checks the ones that need only this file (required
// fields when enabled). References to data sources and functions are checked
// by app_validator.h.
CustomUserDataConfig ParseCustomUserData(const doc::Value& json, FileDiagnostics* diag);

}  // namespace plinth::config
