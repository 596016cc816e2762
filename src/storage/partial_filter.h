#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/field_path.h"
#include "doc/value.h"
#include "matcher/matcher.h"

namespace plinth::storage {

// The partialFilterExpression of an index: which documents the index holds,
// and whether a query's filter guarantees that every document it matches is
// among them (only then may the index answer the query). Engine-neutral.
// Immutable after Parse: share the pointer; thread-safe.
//
// Accepted expressions are MongoDB's subset: {field: value} and {$eq},
// {$exists: true}, {$gt}, {$gte}, {$lt}, {$lte}, {$type}, several of them on
// one field, and $and at the top level only. Anything else ($or, $in, $ne,
// $exists: false, regexes, nested $and, ...) is CannotCreateIndex; bad
// operands are the matcher's errors (BadValue, ...).
class PartialFilter {
 public:
  static base::Result<std::shared_ptr<const PartialFilter>> Parse(const doc::Document& expression);

  // Whether `document` belongs in the index.
  bool Matches(const doc::Document& document) const { return matcher_->Matches(document); }

  // True when every document `query` matches also matches this filter,
  // judged from the query's equalities (Matcher::EqualityFields): each
  // condition here must follow from an equality on the same path, e.g.
  // {a: 5} implies {a: 5}, {a: {$gt: 1}}, {a: {$exists: true}} and
  // {a: {$type: "number"}}. Sound but incomplete: false when unsure, which
  // only costs a table scan.
  bool ImpliedBy(const matcher::Matcher& query) const;

  // As given at createIndex, for listIndexes and the catalog.
  const doc::Document& expression() const { return expression_; }

 private:
  // One condition of the conjunction the filter is.
  struct Condition {
    doc::FieldPath path;
    std::string op;  // "$eq", "$exists", "$gt", "$gte", "$lt", "$lte", "$type"
    doc::Value operand;
  };

  PartialFilter() = default;
  static base::Status Collect(const doc::Document& expression, bool top_level,
                              std::vector<Condition>* out);

  doc::Document expression_;
  std::shared_ptr<const matcher::Matcher> matcher_;
  std::vector<Condition> conditions_;
};

}  // namespace plinth::storage
