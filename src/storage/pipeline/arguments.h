#pragma once

#include <cstddef>
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

// kExceededMemoryLimit for `stage` ("$group") past `limit` bytes: MongoDB's
// "Exceeded memory limit for $group, but didn't allow external sort", with
// the limit but without the allowDiskUse hint (Plinth has no disk spill).
base::Status MemoryLimitError(std::string_view stage, std::size_t limit);

}  // namespace plinth::storage::pipeline
