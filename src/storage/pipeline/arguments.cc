#include "storage/pipeline/arguments.h"

#include <cmath>
#include <string>

namespace plinth::storage::pipeline {

base::Result<std::int64_t> NonNegativeInteger(const doc::Value& v, std::string_view stage) {
  std::int64_t n = 0;
  if (v.type() == doc::Type::kInt32) {
    n = v.as_int32();
  } else if (v.type() == doc::Type::kInt64) {
    n = v.as_int64();
  } else if (v.type() == doc::Type::kDouble && std::trunc(v.as_double()) == v.as_double() &&
             std::fabs(v.as_double()) < 9.0e18) {
    n = static_cast<std::int64_t>(v.as_double());
  } else {
    return base::BadValue("invalid argument to " + std::string(stage) +
                          " stage: Expected an integer");
  }
  if (n < 0) {
    return base::BadValue("invalid argument to " + std::string(stage) +
                          " stage: Expected a non-negative number");
  }
  return n;
}

base::Status MemoryLimitError(std::string_view stage, std::size_t limit) {
  return base::Status(base::ErrorCode::kExceededMemoryLimit,
                      "Exceeded memory limit for " + std::string(stage) +
                          ", but didn't allow external sort (limit " + std::to_string(limit) +
                          " bytes)");
}

}  // namespace plinth::storage::pipeline
