#pragma once

#include <cstdint>
#include <optional>

#include "doc/value.h"

namespace plinth::matcher {

// Integer views of BSON numbers for the operators that work on integers
// ($mod, $bits*). Free functions; thread-safe.

// The value as an Int64 when it is a number with no fractional part that
// Int64 can hold exactly (Int32, Int64, or an integral Double/Decimal128 in
// range); otherwise nullopt (NaN, infinities, fractions, too large, not a number).
std::optional<std::int64_t> ExactInt64(const doc::Value& value);

enum class Truncation : std::uint8_t {
  kOk,          // *out is the value truncated toward zero
  kNotFinite,   // NaN or an infinity; *out untouched
  kOutOfRange,  // finite but beyond Int64 once truncated; *out saturated
  kNotNumber,   // *out untouched
};

// The value truncated toward zero to an Int64 (1.9 -> 1, -1.9 -> -1).
Truncation TruncateToInt64(const doc::Value& value, std::int64_t* out);

}  // namespace plinth::matcher
