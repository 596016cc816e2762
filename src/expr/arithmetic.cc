#include "expr/arithmetic.h"

#include <bid_conf.h>
#include <bid_functions.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "doc/decimal128.h"

namespace plinth::expr {
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

std::int64_t ToInt64(const Value& v) {
  if (const auto* i = v.get_if<std::int64_t>()) return *i;
  return v.as_int32();
}

}  // namespace

Decimal128 ToDecimal128(const Value& v) {
  if (const auto* d = v.get_if<Decimal128>()) return *d;
  if (const auto* d = v.get_if<double>()) return DoubleToDecimal(*d);
  if (const auto* i = v.get_if<std::int64_t>()) return doc::Decimal128FromInt64(*i);
  return doc::Decimal128FromInt64(v.as_int32());
}

double NumberToDouble(const Value& v) {
  if (const auto* d = v.get_if<double>()) return *d;
  if (const auto* i = v.get_if<std::int64_t>()) return static_cast<double>(*i);
  if (const auto* d = v.get_if<Decimal128>()) {
    _IDEC_flags flags = 0;
    return bid128_to_binary64(ToBid(*d), BID_ROUNDING_TO_NEAREST, &flags);
  }
  return static_cast<double>(v.as_int32());
}

std::optional<Value> Arithmetic(const Value& a, const Value& b, ArithmeticOp op) {
  const doc::Type ta = a.type();
  const doc::Type tb = b.type();
  if (ta == doc::Type::kDecimal128 || tb == doc::Type::kDecimal128) {
    _IDEC_flags flags = 0;
    const BID_UINT128 x = ToBid(ToDecimal128(a));
    const BID_UINT128 y = ToBid(ToDecimal128(b));
    switch (op) {
      case ArithmeticOp::kAdd:
        return Value(FromBid(bid128_add(x, y, BID_ROUNDING_TO_NEAREST, &flags)));
      case ArithmeticOp::kSubtract:
        return Value(FromBid(bid128_sub(x, y, BID_ROUNDING_TO_NEAREST, &flags)));
      case ArithmeticOp::kMultiply:
        return Value(FromBid(bid128_mul(x, y, BID_ROUNDING_TO_NEAREST, &flags)));
    }
  }
  if (ta == doc::Type::kDouble || tb == doc::Type::kDouble) {
    const double x = NumberToDouble(a);
    const double y = NumberToDouble(b);
    switch (op) {
      case ArithmeticOp::kAdd:
        return Value(x + y);
      case ArithmeticOp::kSubtract:
        return Value(x - y);
      case ArithmeticOp::kMultiply:
        return Value(x * y);
    }
  }
  if (ta == doc::Type::kInt32 && tb == doc::Type::kInt32) {
    const std::int64_t x = a.as_int32();
    const std::int64_t y = b.as_int32();
    const std::int64_t r = op == ArithmeticOp::kAdd        ? x + y
                           : op == ArithmeticOp::kSubtract ? x - y
                                                           : x * y;
    if (r >= std::numeric_limits<std::int32_t>::min() &&
        r <= std::numeric_limits<std::int32_t>::max()) {
      return Value(static_cast<std::int32_t>(r));
    }
    return Value(r);
  }
  std::int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case ArithmeticOp::kAdd:
      overflow = __builtin_add_overflow(ToInt64(a), ToInt64(b), &r);
      break;
    case ArithmeticOp::kSubtract:
      overflow = __builtin_sub_overflow(ToInt64(a), ToInt64(b), &r);
      break;
    case ArithmeticOp::kMultiply:
      overflow = __builtin_mul_overflow(ToInt64(a), ToInt64(b), &r);
      break;
  }
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

Decimal128 DecimalBinary(DecimalOp op, const Decimal128& a, const Decimal128& b) {
  _IDEC_flags flags = 0;
  const BID_UINT128 x = ToBid(a);
  const BID_UINT128 y = ToBid(b);
  switch (op) {
    case DecimalOp::kDivide:
      return FromBid(bid128_div(x, y, BID_ROUNDING_TO_NEAREST, &flags));
    case DecimalOp::kMod:
      return FromBid(bid128_fmod(x, y, &flags));
    case DecimalOp::kPow:
      return FromBid(bid128_pow(x, y, BID_ROUNDING_TO_NEAREST, &flags));
    case DecimalOp::kLog: {
      // log_b(x) = ln(x) / ln(b)
      const BID_UINT128 lx = bid128_log(x, BID_ROUNDING_TO_NEAREST, &flags);
      const BID_UINT128 ly = bid128_log(y, BID_ROUNDING_TO_NEAREST, &flags);
      return FromBid(bid128_div(lx, ly, BID_ROUNDING_TO_NEAREST, &flags));
    }
  }
  return a;
}

Decimal128 DecimalUnary(DecimalFn fn, const Decimal128& a) {
  _IDEC_flags flags = 0;
  const BID_UINT128 x = ToBid(a);
  switch (fn) {
    case DecimalFn::kAbs:
      return FromBid(bid128_abs(x));
    case DecimalFn::kNegate:
      return FromBid(bid128_negate(x));
    case DecimalFn::kCeil:
      return FromBid(bid128_round_integral_positive(x, &flags));
    case DecimalFn::kFloor:
      return FromBid(bid128_round_integral_negative(x, &flags));
    case DecimalFn::kSqrt:
      return FromBid(bid128_sqrt(x, BID_ROUNDING_TO_NEAREST, &flags));
    case DecimalFn::kExp:
      return FromBid(bid128_exp(x, BID_ROUNDING_TO_NEAREST, &flags));
    case DecimalFn::kLn:
      return FromBid(bid128_log(x, BID_ROUNDING_TO_NEAREST, &flags));
    case DecimalFn::kLog10:
      return FromBid(bid128_log10(x, BID_ROUNDING_TO_NEAREST, &flags));
  }
  return a;
}

Decimal128 DecimalRound(const Decimal128& a, int place, bool truncate) {
  _IDEC_flags flags = 0;
  // Quantize to 10^-place: the exponent pattern comes from the string form,
  // which the decimal library parses exactly.
  const std::string pattern = "1E" + std::to_string(-place);
  BID_UINT128 q =
      bid128_from_string(const_cast<char*>(pattern.c_str()), BID_ROUNDING_TO_NEAREST, &flags);
  BID_UINT128 x = ToBid(a);
  if (bid128_isNaN(x) || bid128_isInf(x)) return a;
  const BID_UINT128 r =
      bid128_quantize(x, q, truncate ? BID_ROUNDING_TO_ZERO : BID_ROUNDING_TO_NEAREST, &flags);
  return FromBid(r);
}

int DecimalSign(const Decimal128& a) {
  const BID_UINT128 x = ToBid(a);
  if (bid128_isNaN(x) || bid128_isZero(x)) return 0;
  return bid128_isSigned(x) ? -1 : 1;
}

std::optional<std::int64_t> DecimalToInt64Exact(const Decimal128& a) {
  _IDEC_flags flags = 0;
  const BID_UINT128 x = ToBid(a);
  if (bid128_isNaN(x) || bid128_isInf(x)) return std::nullopt;
  const long long r = bid128_to_int64_xint(x, &flags);
  if (flags != 0) return std::nullopt;
  return static_cast<std::int64_t>(r);
}

}  // namespace plinth::expr
