#pragma once

#include "doc/value.h"

namespace plinth::doc {

// MongoDB's ordering of BSON values, the one sort, range queries and index
// keys use. Free functions over const values; thread-safe.
//
// Types first, by MongoDB's canonical type rank:
//   MinKey < Undefined < Null < numbers < String < Object < Array < BinData
//   < ObjectId < Bool < Date < Timestamp < Regex < JavaScript < MaxKey
// (Undefined ranks just below Null, with "missing", as in MongoDB's
// canonicalizeBSONType.) Within a rank:
// - numbers (Int32, Int64, Double, Decimal128) compare by exact value across
//   types: Int64 2^53+1 > Double 2^53, Int32 1 == Double 1.0 == Decimal "1.00";
//   -0.0 == 0; NaN of either kind sorts below every other number and equals NaN.
// - strings and JavaScript code by bytes (binary collation);
// - documents field by field: the fields' type ranks, then names (bytes), then
//   values; a document that is a prefix of another sorts first;
// - arrays element by element, a prefix first;
// - binary by length, then subtype, then bytes; ObjectIds by bytes;
//   false < true; dates by signed milliseconds; timestamps by (t, i);
//   regexes by pattern, then options.

// The canonical rank of a type (MongoDB's numbers: MinKey -1, Undefined 0,
// Null 5, numbers 10, ... MaxKey 127). Equal ranks compare by value.
int CanonicalTypeRank(Type type);

// Negative, zero or positive (exactly -1, 0 or 1) as a sorts before, with or
// after b.
int Compare(const Value& a, const Value& b);
int CompareDocuments(const Document& a, const Document& b);

// MongoDB equality: Compare(a, b) == 0, so Int32 1 equals Double 1.0. Unlike
// Value::operator==, which is type-exact.
bool ValuesEqual(const Value& a, const Value& b);

}  // namespace plinth::doc
