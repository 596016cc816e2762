#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::storage::pipeline {

// Argument checks several stage parsers share. Free functions; thread-safe.

// A non-negative whole number (Int32, Int64 or an integral Double), as
// $skip/$limit/$sample read theirs. Errors name `stage`: "invalid argument to
// $skip stage: Expected an integer".
base::Result<std::int64_t> NonNegativeInteger(const doc::Value& v, std::string_view stage);

}  // namespace plinth::storage::pipeline
