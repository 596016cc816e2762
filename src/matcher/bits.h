#pragma once

#include <memory>
#include <string_view>

#include "base/result.h"
#include "doc/value.h"
#include "matcher/predicate.h"

namespace plinth::matcher {

// True for $bitsAllSet, $bitsAnySet, $bitsAllClear and $bitsAnyClear.
bool IsBitTestOperator(std::string_view name);

// Compiles the operand of one of those operators: a non-negative integral
// number (a 64-bit mask), a BinData (an arbitrarily long little-endian mask:
// byte 0 holds bits 0-7), or an array of non-negative integral bit positions.
// kBadValue otherwise. The predicate matches Int32/Int64 values, Doubles and
// Decimal128s that are integral and fit an Int64 (negative numbers are two's
// complement, sign-extended, so bit 200 of -1 is set), and BinData values
// (bits past the end are 0). Nothing else matches. REQUIRES:
// IsBitTestOperator(name). The result is immutable and thread-safe.
base::Result<std::shared_ptr<const ValuePredicate>> ParseBitTest(std::string_view name,
                                                                 const doc::Value& operand);

}  // namespace plinth::matcher
