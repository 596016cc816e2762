#include "update/arithmetic.h"

#include <bid_conf.h>
#include <bid_functions.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "doc/decimal128.h"

namespace plinth::update {
namespace {

using doc::Decimal128;
using doc::Value;

static_assert(DECIMAL_CALL_BY_REFERENCE == 0 && DECIMAL_GLOBAL_ROUNDING == 0 &&
                  DECIMAL_GLOBAL_EXCEPTION_FLAGS == 0,
              "arithmetic.cc expects the by-value, flag-per-call variant of libbid");

BID_UINT128 ToBid(const Decimal128& d) {
  BID_UINT128 out;
  out.w[0] = d.low;
  out.w[1] = d.high;
  return out;
}

Decimal128 FromBid(const BID_UINT128& b) { return Decimal128{b.w[1], b.w[0]}; }

// MongoDB converts a double to Decimal128 rounded to 15 significant digits
// (Decimal128::kRoundTo15Digits), so 0.1 becomes 0.100000000000000.
Decimal128 DoubleToDecimal(double d) {
  if (std::isnan(d)) return *doc::Decimal128FromString("NaN");
  if (std::isinf(d)) return *doc::Decimal128FromString(d > 0 ? "Infinity" : "-Infinity");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14E", d);
  base::Result<Decimal128> parsed = doc::Decimal128FromString(buf);
  return parsed.ok() ? *parsed : doc::Decimal128FromInt64(0);
}

Decimal128 ToDecimal(const Value& v) {
  if (const auto* d = v.get_if<Decimal128>()) return *d;
  if (const auto* d = v.get_if<double>()) return DoubleToDecimal(*d);
  if (const auto* i = v.get_if<std::int64_t>()) return doc::Decimal128FromInt64(*i);
  return doc::Decimal128FromInt64(v.as_int32());
}

double ToDouble(const Value& v) {
  if (const auto* d = v.get_if<double>()) return *d;
  if (const auto* i = v.get_if<std::int64_t>()) return static_cast<double>(*i);
  return static_cast<double>(v.as_int32());
}

std::int64_t ToInt64(const Value& v) {
  if (const auto* i = v.get_if<std::int64_t>()) return *i;
  return v.as_int32();
}

}  // namespace

std::optional<Value> Arithmetic(const Value& a, const Value& b, ArithmeticOp op) {
  const doc::Type ta = a.type();
  const doc::Type tb = b.type();
  if (ta == doc::Type::kDecimal128 || tb == doc::Type::kDecimal128) {
    _IDEC_flags flags = 0;
    const BID_UINT128 x = ToBid(ToDecimal(a));
    const BID_UINT128 y = ToBid(ToDecimal(b));
    const BID_UINT128 r = op == ArithmeticOp::kAdd
                              ? bid128_add(x, y, BID_ROUNDING_TO_NEAREST, &flags)
                              : bid128_mul(x, y, BID_ROUNDING_TO_NEAREST, &flags);
    return Value(FromBid(r));
  }
  if (ta == doc::Type::kDouble || tb == doc::Type::kDouble) {
    const double x = ToDouble(a);
    const double y = ToDouble(b);
    return Value(op == ArithmeticOp::kAdd ? x + y : x * y);
  }
  if (ta == doc::Type::kInt32 && tb == doc::Type::kInt32) {
    const std::int64_t x = a.as_int32();
    const std::int64_t y = b.as_int32();
    const std::int64_t r = op == ArithmeticOp::kAdd ? x + y : x * y;
    if (r >= std::numeric_limits<std::int32_t>::min() &&
        r <= std::numeric_limits<std::int32_t>::max()) {
      return Value(static_cast<std::int32_t>(r));
    }
    return Value(r);
  }
  std::int64_t r = 0;
  const bool overflow = op == ArithmeticOp::kAdd
                            ? __builtin_add_overflow(ToInt64(a), ToInt64(b), &r)
                            : __builtin_mul_overflow(ToInt64(a), ToInt64(b), &r);
  if (overflow) return std::nullopt;
  return Value(r);
}

Value ZeroLike(const Value& like) {
  switch (like.type()) {
    case doc::Type::kInt64:
      return Value(std::int64_t{0});
    case doc::Type::kDouble:
      return Value(0.0);
    case doc::Type::kDecimal128:
      return Value(doc::Decimal128FromInt64(0));
    default:
      return Value(std::int32_t{0});
  }
}

}  // namespace plinth::update
