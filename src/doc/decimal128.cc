#include "doc/decimal128.h"

#include <bid_conf.h>
#include <bid_functions.h>
#include <bson/bson.h>

#include <cmath>

namespace plinth::doc {
namespace {

// Intel's "000" build (libbidgcc000.a): arguments by value, rounding mode and
// status flags passed per call, so nothing global and every call thread-safe.
static_assert(DECIMAL_CALL_BY_REFERENCE == 0 && DECIMAL_GLOBAL_ROUNDING == 0 &&
                  DECIMAL_GLOBAL_EXCEPTION_FLAGS == 0,
              "decimal128.cc expects the by-value, flag-per-call variant of libbid");

BID_UINT128 ToBid(const Decimal128& d) {
  BID_UINT128 out;
  out.w[0] = d.low;  // little-endian word order (BID_BIG_ENDIAN is 0 on x86-64)
  out.w[1] = d.high;
  return out;
}

Decimal128 FromBid(const BID_UINT128& b) { return Decimal128{b.w[1], b.w[0]}; }

int CompareBid(BID_UINT128 a, BID_UINT128 b) {
  _IDEC_flags flags = 0;
  const bool a_nan = bid128_isNaN(a) != 0;
  const bool b_nan = bid128_isNaN(b) != 0;
  if (a_nan || b_nan) return a_nan == b_nan ? 0 : (a_nan ? -1 : 1);
  if (bid128_quiet_less(a, b, &flags)) return -1;
  if (bid128_quiet_equal(a, b, &flags)) return 0;
  return 1;
}

}  // namespace

std::string Decimal128ToString(const Decimal128& value) {
  bson_decimal128_t d{value.low, value.high};
  char buf[BSON_DECIMAL128_STRING];
  bson_decimal128_to_string(&d, buf);
  return buf;
}

base::Result<Decimal128> Decimal128FromString(std::string_view text) {
  std::string copy(text);  // libbson wants a NUL-terminated string
  bson_decimal128_t d;
  if (copy.size() != std::char_traits<char>::length(copy.c_str()) ||
      !bson_decimal128_from_string(copy.c_str(), &d)) {
    std::string shown(text.substr(0, 64));
    return base::BadValue("\"" + shown + "\" is not a valid Decimal128 (at most 34 digits)");
  }
  return Decimal128{d.high, d.low};
}

Decimal128 Decimal128FromInt64(std::int64_t value) {
  return FromBid(bid128_from_int64(static_cast<BID_SINT64>(value)));
}

bool IsNaN(const Decimal128& value) { return bid128_isNaN(ToBid(value)) != 0; }

int CompareDecimal128(const Decimal128& a, const Decimal128& b) {
  return CompareBid(ToBid(a), ToBid(b));
}

int CompareDecimal128ToInt64(const Decimal128& a, std::int64_t b) {
  // Every int64 has at most 19 digits, so the conversion is exact.
  return CompareBid(ToBid(a), bid128_from_int64(static_cast<BID_SINT64>(b)));
}

int CompareDecimal128ToDouble(const Decimal128& a, double b) {
  const BID_UINT128 lhs = ToBid(a);
  const bool a_nan = bid128_isNaN(lhs) != 0;
  if (a_nan || std::isnan(b)) return a_nan == std::isnan(b) ? 0 : (a_nan ? -1 : 1);
  // A double can need hundreds of decimal digits, so convert rounding toward
  // -infinity: `down` is the largest Decimal128 <= b. If a < down then a < b;
  // if a > down then a > b (any Decimal128 above `down` is above b, or `down`
  // would not be the largest); if a == down, a == b exactly when the
  // conversion was exact, and a < b otherwise.
  _IDEC_flags flags = 0;
  const BID_UINT128 down = binary64_to_bid128(b, BID_ROUNDING_DOWN, &flags);
  const int c = CompareBid(lhs, down);
  if (c != 0) return c;
  return (flags & BID_INEXACT_EXCEPTION) != 0 ? -1 : 0;
}

}  // namespace plinth::doc
