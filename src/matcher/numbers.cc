#include "matcher/numbers.h"

#include <bid_conf.h>
#include <bid_functions.h>

#include <cmath>
#include <limits>

#include "doc/decimal128.h"

namespace plinth::matcher {
namespace {

static_assert(DECIMAL_CALL_BY_REFERENCE == 0 && DECIMAL_GLOBAL_ROUNDING == 0 &&
                  DECIMAL_GLOBAL_EXCEPTION_FLAGS == 0,
              "numbers.cc expects the by-value, flag-per-call variant of libbid");

// 2^63 as a double: the first value past Int64's range. Doubles below it
// (and at or above -2^63) convert without overflow.
constexpr double kTwoPow63 = 9223372036854775808.0;

Truncation TruncateDouble(double d, std::int64_t* out) {
  if (std::isnan(d) || std::isinf(d)) return Truncation::kNotFinite;
  const double t = std::trunc(d);
  if (t >= kTwoPow63) {
    *out = std::numeric_limits<std::int64_t>::max();
    return Truncation::kOutOfRange;
  }
  if (t < -kTwoPow63) {
    *out = std::numeric_limits<std::int64_t>::min();
    return Truncation::kOutOfRange;
  }
  *out = static_cast<std::int64_t>(t);
  return Truncation::kOk;
}

Truncation TruncateDecimal(const doc::Decimal128& d, std::int64_t* out) {
  BID_UINT128 b;
  b.w[0] = d.low;
  b.w[1] = d.high;
  if (bid128_isNaN(b) || bid128_isInf(b)) return Truncation::kNotFinite;
  _IDEC_flags flags = 0;
  // Truncation toward zero; out-of-range values raise the invalid flag.
  const BID_SINT64 r = bid128_to_int64_int(b, &flags);
  if ((flags & BID_INVALID_EXCEPTION) != 0) {
    *out = bid128_isSigned(b) ? std::numeric_limits<std::int64_t>::min()
                              : std::numeric_limits<std::int64_t>::max();
    return Truncation::kOutOfRange;
  }
  *out = static_cast<std::int64_t>(r);
  return Truncation::kOk;
}

}  // namespace

Truncation TruncateToInt64(const doc::Value& value, std::int64_t* out) {
  if (const auto* i = value.get_if<std::int32_t>()) {
    *out = *i;
    return Truncation::kOk;
  }
  if (const auto* l = value.get_if<std::int64_t>()) {
    *out = *l;
    return Truncation::kOk;
  }
  if (const auto* d = value.get_if<double>()) return TruncateDouble(*d, out);
  if (const auto* d = value.get_if<doc::Decimal128>()) return TruncateDecimal(*d, out);
  return Truncation::kNotNumber;
}

std::optional<std::int64_t> ExactInt64(const doc::Value& value) {
  std::int64_t t = 0;
  if (TruncateToInt64(value, &t) != Truncation::kOk) return std::nullopt;
  if (const auto* d = value.get_if<double>()) {
    if (*d != std::trunc(*d)) return std::nullopt;
  } else if (const auto* dec = value.get_if<doc::Decimal128>()) {
    if (doc::CompareDecimal128ToInt64(*dec, t) != 0) return std::nullopt;
  }
  return t;
}

}  // namespace plinth::matcher
