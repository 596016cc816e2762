#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "doc/field_path.h"
#include "doc/value.h"

namespace plinth::matcher {

// The values a query path reaches in a document, like doc::CollectPathValues,
// but also recording where the path is missing, which MongoDB's null rules
// need. Appends to *out, in document order, one entry per place reached: a
// pointer to the value, or nullptr for "missing here". Rules (MongoDB's, as
// its jstests/core/query/null_query_semantics.js pins them down):
// - at a document, the named field, or missing;
// - at an array with a non-numeric component ("a.b"): every element that is a
//   document contributes its field (or missing); every other element (scalar,
//   nested array) contributes missing, and so does an empty array. So
//   {"a.b": null} matches {a: [1]}, {a: []} and {a: [{b: 1}, {}]}, but not
//   {a: [{b: 1}]};
// - at an array with a numeric component ("a.1"): the element at that index
//   (missing when out of range), plus that field of each document element
//   that has it;
// - at a scalar before the end of the path, missing.
// Leaf arrays are returned as they are; callers decide whether to look at
// their elements. Pointers stay valid while `document` is unchanged.
// Thread-safe on a shared const document.
void CollectWithMissing(const doc::Document& document, const doc::FieldPath& path,
                        std::vector<const doc::Value*>* out);

// One place a query path reaches, with the position in the first array the
// path went through by a field name (not by an explicit index), which is
// what the positional operator "$" stands for. `index` is empty when the
// path crossed no array that way.
struct ReachedValue {
  const doc::Value* value = nullptr;  // nullptr = missing here
  std::optional<std::size_t> index;
};

// CollectWithMissing, also recording each place's first-array position. A
// separate walk so the plain one stays allocation-light for Matches().
void CollectWithMissingIndexed(const doc::Document& document, const doc::FieldPath& path,
                               std::vector<ReachedValue>* out);

}  // namespace plinth::matcher
