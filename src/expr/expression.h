#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "expr/variables.h"

namespace plinth::expr {

// MongoDB's aggregation expression language: field paths ("$a.b"), system
// and user variables ("$$ROOT", "$$x.y"), literals, object and array
// literals, and operator expressions ({$add: [...]}). docs/query-language.md
// lists the supported operators and the limits.

// Nesting limit of an expression tree (operators, object and array literals),
// counting the top level: MongoDB's 100 levels (doc::Limits::max_depth).
// Deeper expressions are kDepthLimitExceeded at parse time, so evaluation
// (which recurses once per level) is bounded too.
inline constexpr std::size_t kMaxExpressionDepth = 100;

// $range's output bound: at most this many elements per call, an error
// (kExceededMemoryLimit) beyond, so one expression cannot allocate without
// bound. MongoDB bounds it by memory (about 64 MiB); ten million Int32s is
// that order.
inline constexpr std::int64_t kMaxRangeElements = 10'000'000;

// What the parser needs to know about the surrounding scope.
struct ParseContext {
  // User variable names in scope (a $lookup's "let", an enclosing $let), so
  // a reference to an unknown "$$x" is a parse error, as in MongoDB
  // ("Use of undefined variable: x").
  std::vector<std::string> variables;
};

// What evaluation reads. Pointers are borrowed for the call only.
struct EvalContext {
  const doc::Document* root = nullptr;   // $$ROOT and $$CURRENT; field paths read it
  const Variables* variables = nullptr;  // user variables; may be null
  std::int64_t now_millis = 0;           // $$NOW, fixed by the caller for a whole run
};

struct ExprNode;  // the parsed tree (expression.cc); immutable once built

// A parsed expression. Immutable after Parse; copies share the tree, so
// copying is cheap and any number of threads may Evaluate one Expression at
// once.
class Expression {
 public:
  // Parses `raw` as MongoDB reads an expression. Errors: kBadValue with
  // MongoDB's messages ("Unrecognized expression '$foo'", "Expression $abs
  // takes exactly 1 arguments. 2 were passed in.", "Use of undefined
  // variable: x", ...), kDepthLimitExceeded beyond kMaxExpressionDepth.
  static base::Result<Expression> Parse(const doc::Value& raw, const ParseContext& ctx = {});

  // The value, or nullopt for "missing" (a field path reaching nothing,
  // $$REMOVE): $project/$addFields then omit the field; most operators treat
  // it as null. Runtime errors (kTypeMismatch, kBadValue, ...) name the
  // operator, e.g. "$add only supports numeric or date types, not string".
  base::Result<std::optional<doc::Value>> Evaluate(const EvalContext& ctx) const;

  // True when the expression reads no field path and no variable (so its
  // value is the same for every document).
  bool is_constant() const;

  // Default: the constant null.
  Expression();
  ~Expression();
  Expression(const Expression&);
  Expression& operator=(const Expression&);

 private:
  explicit Expression(std::shared_ptr<const ExprNode> root) : root_(std::move(root)) {}
  std::shared_ptr<const ExprNode> root_;
};

// MongoDB truthiness, as $and/$or/$not/$cond/$filter and $expr use it: false,
// null, undefined, missing and numeric zero (any type) are false; everything
// else (including "", [] and {}) is true.
bool IsTruthy(const std::optional<doc::Value>& value);

}  // namespace plinth::expr
