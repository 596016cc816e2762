#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::doc {

// Text and exact comparison for Decimal128 values. Text goes through libbson
// (the Extended JSON spec's format); comparison through Intel's decimal
// floating-point library (DECISIONS 18), which compares the values exactly:
// 1.0 == 1.00, -0 == 0, and a Decimal128 against an Int64 or a Double with no
// rounding. Free functions; thread-safe (no global rounding mode or flags).

// The Decimal128 spec's string form: "1.5", "1E+3", "-0", "NaN", "Infinity".
std::string Decimal128ToString(const Decimal128& value);

// Parses the Decimal128 spec's string form. kBadValue for malformed text and
// for values that would need rounding (more than 34 digits, exponent out of
// range), as the spec requires.
base::Result<Decimal128> Decimal128FromString(std::string_view text);

Decimal128 Decimal128FromInt64(std::int64_t value);
bool IsNaN(const Decimal128& value);

// Three-way comparisons returning -1, 0 or 1. NaN (any kind) sorts below every
// other number and equals NaN, as MongoDB orders numbers.
int CompareDecimal128(const Decimal128& a, const Decimal128& b);
int CompareDecimal128ToInt64(const Decimal128& a, std::int64_t b);
int CompareDecimal128ToDouble(const Decimal128& a, double b);

}  // namespace plinth::doc
