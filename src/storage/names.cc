#include "storage/names.h"

namespace plinth::storage {
namespace {

base::Status Invalid(std::string message) {
  return base::Status(base::ErrorCode::kInvalidNamespace, std::move(message));
}

}  // namespace

base::Status ValidateDatabaseName(const std::string& name) {
  if (name.empty()) return Invalid("database name cannot be empty");
  if (name.size() > 63) return Invalid("db name is too long: '" + name + "'");
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '.' || c == '"' || c == '$' || c == ' ' || c == '\0') {
      return Invalid("Invalid database name: '" + std::string(name.c_str()) + "'");
    }
  }
  return base::Status::Ok();
}

base::Status ValidateCollectionName(const std::string& name) {
  if (name.empty()) return Invalid("Invalid namespace specified: collection name is empty");
  if (name.size() > 255) return Invalid("Invalid namespace specified: collection name too long");
  if (name.find('\0') != std::string::npos || name.find('$') != std::string::npos) {
    return Invalid("Invalid collection name: '" + std::string(name.c_str()) + "'");
  }
  if (name.rfind("system.", 0) == 0) {
    return Invalid("Invalid collection name: '" + name + "' (system collections are reserved)");
  }
  return base::Status::Ok();
}

}  // namespace plinth::storage
