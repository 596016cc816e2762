#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "doc/field_path.h"
#include "doc/value.h"

namespace plinth::storage::sqlite {

// Order-preserving byte encoding of BSON values for index keys: for any two
// values, memcmp order of EncodeKey(a) and EncodeKey(b) equals
// doc::Compare(a, b), and equal values (Int32 1, Int64 1, Double 1.0,
// Decimal128 "1.00") encode to identical bytes. Every encoding is prefix-free,
// so compound keys are plain concatenations, and a descending component is
// the bitwise complement of its ascending encoding. Byte layout:
// docs/storage.md. Free functions; thread-safe.

// Appends the encoding of `value` (ascending) to *out.
void AppendKey(std::string* out, const doc::Value& value);
// Appends the encoding of `value`, complemented when `descending`.
void AppendKeyComponent(std::string* out, const doc::Value& value, bool descending);
std::string EncodeKey(const doc::Value& value);

// The smallest byte string greater than every string starting with `prefix`
// (empty when none exists, i.e. the prefix is all 0xFF).
std::string PrefixSuccessor(std::string prefix);

// One indexed field of an index: its path and direction.
struct KeyField {
  doc::FieldPath path;
  bool descending = false;
};

// The index keys of `document` for an index on `fields`: one per element of
// an indexed array (multikey; the array itself is indexed too, so equality
// on the whole array finds it), the cartesian product for compound indexes,
// missing fields as null. Sorted and deduplicated. kCannotIndexParallelArrays
// is not enforced; kCannotCreateIndex-free: never fails except for more than
// `max_keys` keys (kBadValue).
base::Result<std::vector<std::string>> IndexKeys(const doc::Document& document,
                                                 const std::vector<KeyField>& fields,
                                                 std::size_t max_keys = 10000);

}  // namespace plinth::storage::sqlite
