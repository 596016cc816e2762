#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "doc/field_path.h"
#include "doc/value.h"
#include "expr/expression.h"
#include "matcher/predicate.h"
#include "matcher/regex.h"

namespace plinth::matcher {

// The parsed form of a filter: a tree of immutable nodes (built only by
// parser.h, then shared read-only; evaluation is thread-safe). Node kinds are
// a closed enum; evaluation lives in the free functions below.
enum class NodeKind : std::uint8_t {
  kAnd,     // all children (an empty AND matches everything)
  kOr,      // any child
  kNor,     // no child
  kNot,     // children[0] does not match
  kAlways,  // {$alwaysTrue: 1}
  kNever,   // {$alwaysFalse: 1}, {$all: []}
  kLeaf,    // op applied at path
  kExpr,    // {$expr: <aggregation expression>}, true when the value is truthy
  // document_predicate tests the whole document ($jsonSchema)
  kDocumentPredicate,
};

enum class LeafOp : std::uint8_t {
  kEq,
  kLt,
  kLte,
  kGt,
  kGte,
  kIn,
  kExists,
  kType,
  kRegex,
  kSize,
  kElemMatchObject,  // children[0] matched against each document element
  kElemMatchValue,   // every child matched against the same element
  kPredicate,        // predicate->Test ($mod, $bits*)
};

struct Node {
  NodeKind kind = NodeKind::kAnd;
  std::vector<std::unique_ptr<const Node>> children;

  // kLeaf only. `path` is absent for leaves inside $elemMatch's value form,
  // which apply to the array element itself.
  LeafOp op = LeafOp::kEq;
  std::optional<doc::FieldPath> path;
  doc::Value operand;                                 // comparisons
  std::vector<doc::Value> in_values;                  // $in (non-regex values)
  std::vector<std::shared_ptr<const Regex>> regexes;  // $in regexes; kRegex uses regexes[0]
  std::vector<doc::Type> types;                       // $type
  bool type_number = false;                           // $type: "number"
  std::int64_t size = 0;                              // $size
  bool from_all = false;  // a kAnd built from $all (not an equality for upserts)

  // kExpr only: the expression and the $$NOW it sees (fixed when the filter
  // is parsed, so one query sees one instant).
  std::optional<expr::Expression> expression;
  std::int64_t now_millis = 0;
  std::shared_ptr<const ValuePredicate> predicate;              // kPredicate
  std::shared_ptr<const DocumentPredicate> document_predicate;  // kDocumentPredicate
};

// Whether `node` matches `document` (path-based evaluation).
bool MatchesDocument(const Node& node, const doc::Document& document);

// MatchesDocument that also reports, in *index, the array position the
// positional operator "$" stands for (see Matcher::Matches with details).
// *index is only written on a match through an array; callers reset it.
bool MatchesDocumentWithIndex(const Node& node, const doc::Document& document,
                              std::optional<std::size_t>* index);

}  // namespace plinth::matcher
