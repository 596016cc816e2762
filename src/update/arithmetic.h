#pragma once

#include <optional>

#include "doc/value.h"

namespace plinth::update {

// Numeric arithmetic for $inc and $mul with MongoDB's type promotion. Free
// functions over values; thread-safe (Intel's by-value decimal library keeps
// no global state).
//
// Promotion, as MongoDB's SafeNum does:
// - any Decimal128 operand: Decimal128 (Int32/Int64 converted exactly, Double
//   rounded to 15 significant digits first, as MongoDB converts doubles);
// - else any Double operand: Double;
// - Int32 with Int32: Int32, or Int64 when the result does not fit;
// - Int64 with Int32 or Int64: Int64; overflow is an error (nullopt), not a
//   silent wrap or a promotion to Double.
enum class ArithmeticOp { kAdd, kMultiply };

// REQUIRES: a.is_number() && b.is_number(). nullopt on Int64 overflow.
std::optional<doc::Value> Arithmetic(const doc::Value& a, const doc::Value& b, ArithmeticOp op);

// The zero of `like`'s numeric type (Int32 0, Int64 0, Double 0.0, Decimal128
// 0), what $mul stores in a missing field. REQUIRES: like.is_number().
doc::Value ZeroLike(const doc::Value& like);

}  // namespace plinth::update
