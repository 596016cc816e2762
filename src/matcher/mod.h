#pragma once

#include <memory>

#include "base/result.h"
#include "doc/value.h"
#include "matcher/predicate.h"

namespace plinth::matcher {

// Compiles the operand of {field: {$mod: [divisor, remainder]}}. Both must be
// numbers; each is truncated toward zero to an Int64 (MongoDB rounds 4.7 to
// 4). kBadValue, with MongoDB's messages, for an operand that is not an array
// of exactly two elements, non-numbers, NaN/Infinity, values beyond Int64 and
// a divisor of 0. The predicate matches numbers whose truncated value has
// that remainder, with the remainder taking the dividend's sign (-5 mod 3 is
// -2, as in C and JavaScript); NaN and infinite values never match. The
// result is immutable and thread-safe.
base::Result<std::shared_ptr<const ValuePredicate>> ParseMod(const doc::Value& operand);

}  // namespace plinth::matcher
