#pragma once

#include <cstdint>
#include <optional>

#include "doc/value.h"

namespace plinth::expr {

// Numeric arithmetic with MongoDB's type promotion, shared by the update
// operators ($inc, $mul) and the aggregation expressions ($add, $multiply,
// $subtract, $divide, $mod, the math functions). Free functions over values;
// thread-safe (Intel's by-value decimal library keeps no global state).
//
// Promotion, as MongoDB's SafeNum does:
// - any Decimal128 operand: Decimal128 (Int32/Int64 converted exactly, Double
//   rounded to 15 significant digits first, as MongoDB converts doubles);
// - else any Double operand: Double;
// - Int32 with Int32: Int32, or Int64 when the result does not fit;
// - Int64 with Int32 or Int64: Int64; overflow is reported (nullopt), not
//   wrapped. The update operators make that an error; aggregation
//   expressions redo the operation in Double, as MongoDB's $add does.
enum class ArithmeticOp { kAdd, kSubtract, kMultiply };

// REQUIRES: a.is_number() && b.is_number(). nullopt on Int64 overflow.
std::optional<doc::Value> Arithmetic(const doc::Value& a, const doc::Value& b, ArithmeticOp op);

// The zero of `like`'s numeric type (Int32 0, Int64 0, Double 0.0, Decimal128
// 0), what $mul stores in a missing field. REQUIRES: like.is_number().
doc::Value ZeroLike(const doc::Value& like);

// Conversions between numeric types. REQUIRES: v.is_number().
// ToDecimal128 rounds doubles to 15 significant digits (MongoDB's rule);
// NumberToDouble rounds Int64 and Decimal128 to the nearest double.
doc::Decimal128 ToDecimal128(const doc::Value& v);
double NumberToDouble(const doc::Value& v);

// Decimal128 operations through Intel's library (round half to even).
enum class DecimalOp { kDivide, kMod, kPow, kLog };
doc::Decimal128 DecimalBinary(DecimalOp op, const doc::Decimal128& a, const doc::Decimal128& b);
enum class DecimalFn { kAbs, kNegate, kCeil, kFloor, kSqrt, kExp, kLn, kLog10 };
doc::Decimal128 DecimalUnary(DecimalFn fn, const doc::Decimal128& a);
// Rounds (half to even) or truncates to `place` decimal digits (negative:
// to tens, hundreds, ...).
doc::Decimal128 DecimalRound(const doc::Decimal128& a, int place, bool truncate);
// -1, 0 or 1 by sign; 0 for zero and NaN.
int DecimalSign(const doc::Decimal128& a);
// The Decimal128's integer value when it is integral and fits an Int64.
std::optional<std::int64_t> DecimalToInt64Exact(const doc::Decimal128& a);

}  // namespace plinth::expr
