#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::matcher {

// A parsed find projection: inclusion ({a: 1, "b.c": true}) or exclusion
// ({a: 0, "b.c": false}) on dotted paths; nested forms ({b: {c: 1}}) are the
// same as dotted ones. _id is included unless {_id: 0}, which is allowed in
// either kind. Value type (shares its immutable tree); const methods are
// thread-safe.
//
// Parse errors (kBadValue): mixing inclusion and exclusion ("Cannot do
// exclusion on field x in inclusion projection" and the reverse), path
// collisions ("a" with "a.b"), empty sub-projections, and the projection
// operators not built yet ($slice, $elemMatch, $meta, positional "a.$",
// expression values), refused as "not supported yet".
class Projection {
 public:
  static base::Result<Projection> Parse(const doc::Document& spec);

  // True for the empty spec {}: Apply returns the document unchanged.
  bool empty() const { return root_ == nullptr; }
  bool is_inclusion() const { return inclusion_; }

  // The projected copy of `document`, as MongoDB produces it: fields keep the
  // document's order; a path through an array applies to each element that
  // is a document (or an array, recursively); inclusion drops other elements
  // and exclusion keeps them.
  doc::Document Apply(const doc::Document& document) const;

  struct Tree {
    // Children by field name, in spec order. A child with no children and
    // `leaf` set is a projected path's end.
    std::vector<std::pair<std::string, Tree>> children;
    bool leaf = false;
  };

 private:
  std::shared_ptr<const Tree> root_;
  bool inclusion_ = true;
};

}  // namespace plinth::matcher
