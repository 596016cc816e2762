#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "expr/expression.h"

namespace plinth::matcher {

class Matcher;
struct MatchDetails;

// A parsed find projection: inclusion ({a: 1, "b.c": true}) or exclusion
// ({a: 0, "b.c": false}) on dotted paths; nested forms ({b: {c: 1}}) are the
// same as dotted ones. _id is included unless {_id: 0}, which is allowed in
// either kind. Value type (shares its immutable tree); const methods are
// thread-safe.
//
// Projection operators (MongoDB's find forms):
// - {"a.$": 1}: the array on the path (the first one met) shows only the
//   element the query matched (MatchDetails::array_index). Only in find,
//   findOne and findOneAnd* projections (Parse needs the query), at most one
//   per projection, only at the end of a path, an inclusion. Like MongoDB
//   4.4+, the array need not be named in the query; a document without a
//   matched position fails the read with BadValue.
// - {a: {$elemMatch: <query>}}: the first element of array `a` that matches
//   <query> (as {a: {$elemMatch: <query>}} would), else no field `a`. Top-level
//   fields only; an inclusion.
// - {"a.b": {$slice: n}} / {$slice: [skip, limit]}: the first n (last -n
//   when negative) elements; or `limit` (> 0) elements from `skip` (from the
//   end when negative). Neither inclusion nor exclusion: alone it keeps every
//   other field. Values that are not arrays are left as they are.
//
// - {total: {$add: ["$a", "$b"]}}, {x: {$literal: 1}}, {n: "$a.b"}: a
//   computed field, MongoDB 4.4+'s aggregation expressions in find
//   projections (expr/), read against the whole document; $$NOW is the
//   system clock at the Apply call. Only in find, findOne and findOneAnd*
//   projections (Parse needs the query, as for "a.$"), which then are
//   inclusions; computed fields follow the included ones, in specification
//   order, as in $project. A path to nothing or $$REMOVE leaves the field out.
//
// Parse errors (kBadValue): mixing inclusion and exclusion ("Cannot do
// exclusion on field x in inclusion projection" and the reverse, computed
// fields counting as inclusions), path collisions ("a" with "a.b"), empty
// sub-projections, malformed operators, expression values without a query,
// expression parse errors, and $meta: "not supported yet".
class Projection {
 public:
  // `query` is the filter of the find (or findOneAnd*) this projection
  // belongs to; "a.$" and expression values need it and are refused
  // without one (aggregation, rules' filter projections). Not retained.
  static base::Result<Projection> Parse(const doc::Document& spec, const Matcher* query = nullptr);

  // True for the empty spec {}: Apply returns the document unchanged.
  bool empty() const { return root_ == nullptr; }
  bool is_inclusion() const { return inclusion_; }

  // True when the projection has "a.$" or computed fields: use the checked
  // Apply with the query's details.
  bool needs_match_details() const { return positional_ || computed_; }

  // The projected copy of `document`, as MongoDB produces it: fields keep the
  // document's order; a path through an array applies to each element that
  // is a document (or an array, recursively); inclusion drops other elements
  // and exclusion keeps them. REQUIRES: !needs_match_details().
  doc::Document Apply(const doc::Document& document) const;

  // Apply for a document the query matched with `details`. BadValue when
  // "a.$" has no matched position, or the position is outside the array;
  // a computed field's evaluation error (the first one met).
  base::Result<doc::Document> Apply(const doc::Document& document,
                                    const MatchDetails& details) const;

  // How a projected path's end shows its value.
  struct Slice {
    bool pair = false;       // [skip, limit] form
    std::int64_t first = 0;  // n, or skip
    std::int64_t limit = 0;  // pair form only; > 0
  };
  struct Tree {
    // Children by field name, in spec order. A child with no children and
    // `leaf` set is a projected path's end.
    std::vector<std::pair<std::string, Tree>> children;
    bool leaf = false;
    std::optional<Slice> slice;                 // leaf: {$slice: ...}
    std::shared_ptr<const Matcher> elem_match;  // leaf: {a: {$elemMatch}} over {a: [e]}
    bool positional = false;  // on the path of "a.$" (every node down to its leaf)
    std::shared_ptr<const expr::Expression> computed;  // leaf: a computed field
    bool has_computed = false;  // on the path of a computed field (every node down to its leaf)
  };

 private:
  std::shared_ptr<const Tree> root_;
  bool inclusion_ = true;
  bool positional_ = false;
  bool computed_ = false;  // some leaf is a computed field
};

}  // namespace plinth::matcher
