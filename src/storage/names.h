#pragma once

#include <string>

#include "base/status.h"

namespace plinth::storage {

// Namespace rules of engine.h: database names 1-63 bytes without / \ . " $
// space or NUL; collection names 1-255 bytes, no '$', no NUL, not starting
// with "system.". kInvalidNamespace otherwise. Free functions; thread-safe.
base::Status ValidateDatabaseName(const std::string& name);
base::Status ValidateCollectionName(const std::string& name);

}  // namespace plinth::storage
