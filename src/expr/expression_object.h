#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "expr/expression.h"

namespace plinth::expr {

// The field specification of the $addFields/$set and $project stages: a
// document whose values are expressions, nested specifications ({b: {c:
// <expr>}}, the same as "b.c": <expr>) and, for $project, inclusion flags
// (1/true) and `_id: 0`.
//
// - AddFields: every field gets the value of its expression, evaluated
//   against the input document; an existing document at an intermediate
//   path is merged into (an array of documents: each element); a missing
//   value ($$REMOVE, a path to nothing) removes the field.
// - Project: an inclusion projection with computed fields. Included fields
//   keep the input's order; computed fields follow, in specification order;
//   _id comes first and is kept unless `_id: 0`. Exclusion of any field but
//   _id is refused when the specification has expressions (MongoDB's rule).
//
// Immutable after Parse; copies share the tree; Apply is thread-safe.
class ExpressionObject {
 public:
  enum class Mode { kAddFields, kProject };

  // kBadValue for "$"-prefixed or empty field names, path collisions ("a"
  // with "a.b"), and in kProject mode for exclusions other than _id and
  // empty sub-specifications; expression errors as Expression::Parse.
  static base::Result<ExpressionObject> Parse(const doc::Document& spec, Mode mode,
                                              const ParseContext& ctx = {});

  // Whether a $project specification holds any expression (a value other
  // than a number, a bool, or a nested specification of those). Without
  // one, $project is the find projection of matcher/.
  static bool ProjectHasExpressions(const doc::Document& spec);

  // The stage's output for one input document. ctx.root must be `input`.
  base::Result<doc::Document> Apply(const doc::Document& input, const EvalContext& ctx) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
  Mode mode_ = Mode::kAddFields;
};

// The new root of $replaceRoot / $replaceWith (a pipeline stage, or a stage
// of an update pipeline): `new_root` evaluated against ctx, which must be a
// document; kBadValue with MongoDB's message otherwise.
base::Result<doc::Document> EvaluateNewRoot(const Expression& new_root, const EvalContext& ctx);

}  // namespace plinth::expr
