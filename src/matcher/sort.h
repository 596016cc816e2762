#pragma once

#include <utility>
#include <vector>

#include "base/result.h"
#include "doc/field_path.h"
#include "doc/value.h"

namespace plinth::matcher {

// A parsed sort specification ({a: 1, "b.c": -1}). Value type; const methods
// are thread-safe.
//
// Semantics are MongoDB's: values compare in doc/compare.h's cross-type order;
// a missing field sorts as null; a path reaching an array sorts by its
// smallest element ascending and its largest descending (with implicit
// traversal, so "a.b" over [{b: 3}, {b: 1}] gives 1 ascending and 3
// descending; an array element without the field counts as null); an empty
// array sorts before null (its key is undefined, as in MongoDB's index keys).
// Ties keep natural order: callers use a stable sort.
class SortSpec {
 public:
  // Values must be numbers equal to 1 or -1 (any numeric type); otherwise
  // kBadValue. {$meta: ...} keys are refused as not supported yet.
  static base::Result<SortSpec> Parse(const doc::Document& sort);

  bool empty() const { return keys_.empty(); }
  const std::vector<std::pair<doc::FieldPath, int>>& keys() const { return keys_; }

  // Negative, zero or positive as a sorts before, with or after b.
  int Compare(const doc::Document& a, const doc::Document& b) const;

  // The value `document` sorts by for one key (see above); direction 1 or -1.
  static doc::Value SortKey(const doc::Document& document, const doc::FieldPath& path,
                            int direction);

 private:
  std::vector<std::pair<doc::FieldPath, int>> keys_;
};

}  // namespace plinth::matcher
