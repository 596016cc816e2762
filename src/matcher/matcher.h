#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "base/result.h"
#include "doc/field_path.h"
#include "doc/value.h"

namespace plinth::matcher {

struct Node;

struct ParseOptions {
  // Maximum nesting of the query tree ($and/$or/$nor/$not/$elemMatch levels,
  // counting the top document); deeper filters are kDepthLimitExceeded. Like
  // MongoDB's MatchExpressionParser::kMaximumTreeDepth, it guards the stack.
  std::size_t max_depth = 100;
};

// A parsed MongoDB query filter. Parse once, then match many documents.
// Immutable after Parse: share the pointer freely; Matches and the accessors
// are thread-safe. Supported: $eq $ne $gt $gte $lt $lte $in $nin $and $or $nor
// $not $exists $type $all $elemMatch $size $regex/$options, $mod (mod.h),
// $bitsAllSet/$bitsAnySet/$bitsAllClear/$bitsAnyClear (bits.h), a top-level
// $jsonSchema (json_schema.h), BSON regex values,
// $comment, $alwaysTrue/$alwaysFalse, dotted paths through arrays and array
// indexes, MongoDB's null-vs-missing rules (MongoDB 8.0's: equality to null
// matches null and missing, not undefined; see path_values.h for arrays) and
// type bracketing ($gt/$lt compare only within one canonical type rank, with
// exact numeric comparison across Int32/Int64/Double/Decimal128; NaN equals
// only NaN). Regexes and schemas compile once here, with PCRE2 limits
// (regex.h). $expr (top level and inside $and/$or/$nor, not inside
// $elemMatch) evaluates an aggregation expression (expr/) with MongoDB
// truthiness; its $$NOW is fixed at Parse, and a runtime error in it means
// "no match". Rejected with kBadValue: $where/$function (no JavaScript),
// $text (no text indexes), geo operators, unknown operators, malformed
// operands; $jsonSchema's own errors are in json_schema.h.
// What a match learned beyond yes/no.
struct MatchDetails {
  // The array position the positional operator "$" (updates and the "a.$"
  // projection) stands for: the position, in the first array the query path
  // crosses, of the first element that satisfied the condition. With several
  // conditions ANDed, the last one that matched through an array decides
  // (MongoDB's rule, which its manual calls ambiguous). Conditions under
  // $or (with more than one branch), $nor and $not give none, as in
  // MongoDB. Empty when the match needed no array element.
  std::optional<std::size_t> array_index;
};

// A top-level {path: {$in: [values]}} condition (see Matcher::InFields).
struct InField {
  doc::FieldPath path;
  std::vector<doc::Value> values;
};

class Matcher {
 public:
  static base::Result<std::shared_ptr<const Matcher>> Parse(const doc::Document& filter,
                                                            const ParseOptions& options = {});
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  bool Matches(const doc::Document& document) const;

  // Matches, filling *details (reset first). A slower walk than Matches:
  // use it only when the positional operator needs the details.
  bool Matches(const doc::Document& document, MatchDetails* details) const;

  // Equality conditions usable to seed an upsert and to pick an index:
  // {a: v}, {a: {$eq: v}}, {a: {$in: [v]}} (one element), at the top level or
  // inside a top-level $and (recursively). Never operator-valued or regex
  // values, never $ne etc. In filter order; a path given two different
  // equalities is listed once (the first).
  const std::vector<std::pair<doc::FieldPath, doc::Value>>& EqualityFields() const {
    return equality_fields_;
  }

  // {path: {$in: [...]}} conditions of two or more values and no regex, at
  // the top level or inside a top-level $and: a document matching the
  // filter has one of the values at the path, so an engine may read an
  // index once per value ($lookup reads by such batches of keys).
  const std::vector<InField>& InFields() const { return in_fields_; }

  // True for a filter with no conditions ({}; also {$comment: ...}).
  bool MatchesEverything() const { return matches_everything_; }

 private:
  Matcher() = default;
  std::unique_ptr<const Node> root_;
  std::vector<std::pair<doc::FieldPath, doc::Value>> equality_fields_;
  std::vector<InField> in_fields_;
  bool matches_everything_ = false;
};

}  // namespace plinth::matcher
