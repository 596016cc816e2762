#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "base/result.h"
#include "doc/field_path.h"
#include "doc/value.h"
#include "update/update_pipeline.h"

namespace plinth::matcher {
class Matcher;
}

namespace plinth::update {

// MongoDB's update language over doc::Document: operator updates ($set, $inc,
// $push, ...) and replacement documents, parsed once into an immutable Update
// and applied to documents with MongoDB's semantics and error messages.
//
// Supported: $set $unset $inc $mul $min $max $rename $setOnInsert
// $currentDate $push ($each $position $slice $sort) $addToSet ($each) $pop
// $pull (values and query conditions) $pullAll $bit, and the positional path
// components of every operator but $rename: "$" (the array position the
// query matched, ApplyContext::positional_index), "$[]" (every element) and
// "$[<identifier>]" (the elements an array filter accepts), nested as deep as
// paths go. Not yet: pipeline updates.
//
// Operators are applied in MongoDB 5.0+'s order: by path, component by
// component, numeric components ("2" < "10") before others, others by bytes;
// fields created by the update are appended to their parent in that order.

// What Apply needs from its caller.
struct ApplyContext {
  std::int64_t now_millis = 0;    // for $currentDate (callers pass the Clock's time)
  bool is_upsert_insert = false;  // $setOnInsert applies only then
  // What "$" in a path stands for: the query's matched array position
  // (matcher::MatchDetails::array_index). Empty: a path with "$" fails with
  // BadValue "The positional operator did not find the match needed from
  // the query." (also in upserts, which have no matched document).
  std::optional<std::size_t> positional_index;
};

// A parsed update. Immutable once built, so one instance may be shared and
// applied from several threads at once (Apply only reads *this).
class Update {
 public:
  // An operator document ({$set: {...}, $inc: {...}}). FailedToParse for an
  // empty document, a replacement-style document, unknown operators and
  // operator arguments that are not documents; BadValue or TypeMismatch for
  // invalid paths and operator arguments; ConflictingUpdateOperators when two
  // paths overlap ("a" and "a.b", or one path in two operators).
  //
  // `array_filters` are the update's arrayFilters: each a query over one
  // identifier ({x: {$gt: 1}}, {"x.a": 1, "x.b": 2}, or $and/$or/$nor over
  // such). Errors, before any document is touched: FailedToParse for a
  // filter naming no identifier or two, two filters for one identifier,
  // a filter no "$[<id>]" uses; BadValue for an identifier that is not
  // lowercase-first alphanumeric and for a "$[<id>]" without its filter.
  // Also BadValue: two "$" in one path, a positional first component,
  // positional $rename paths.
  static base::Result<std::shared_ptr<const Update>> Parse(
      const doc::Document& update, const std::vector<doc::Document>& array_filters = {});

  // A replacement document. BadValue when it has a top-level field starting
  // with '$' (operators are not allowed in a replacement) or an _id that is an
  // array, a regex or undefined. Nested '$' and '.' field names are allowed.
  static base::Result<std::shared_ptr<const Update>> ParseReplacement(
      const doc::Document& replacement);

  // A pipeline-style update: `stages` as UpdatePipeline::Parse reads them.
  // FailedToParse when `array_filters` is not empty (MongoDB: "arrayFilters
  // may not be specified for pipeline-style updates"). Apply runs the stages
  // with context.now_millis as $$NOW, then puts back an _id the stages
  // removed (first) and refuses a changed one (ImmutableField).
  static base::Result<std::shared_ptr<const Update>> ParsePipeline(
      const std::vector<doc::Document>& stages,
      const std::vector<doc::Document>& array_filters = {});

  bool is_replacement() const { return replacement_ != nullptr; }
  bool is_pipeline() const { return pipeline_ != nullptr; }

  // True when a path uses "$": Apply then needs context.positional_index,
  // which the caller learns from matcher::Matcher::Matches with details.
  bool needs_match_position() const { return needs_match_position_; }

  // The replacement document. REQUIRES: is_replacement().
  const doc::Document& replacement() const { return *replacement_; }

  // Applies the update to *document in place and returns whether the document
  // changed (a $set to the identical value is no change; a change of numeric
  // type is). On any error *document is left unchanged. _id stays first when
  // it was first. $currentDate's timestamps are (now_millis / 1000, 1).
  // Errors: ImmutableField when _id would change value (1 and 1.0 are the
  // same value, as in MongoDB) or disappear; TypeMismatch for arithmetic on
  // non-numbers; BadValue for array operators on non-arrays and Int64
  // overflow; PathNotViable for a path through a scalar; InvalidIdField for
  // an _id that is an array; SizeLimitExceeded / DepthLimitExceeded when the
  // result breaks doc::Limits. Positional paths: BadValue when "$" has no
  // context.positional_index, when "$[]"/"$[<id>]" meets a missing path or a
  // non-array; ConflictingUpdateOperators when two expanded paths overlap.
  base::Result<bool> Apply(doc::Document* document, const ApplyContext& context) const;

  // Implementation detail: one operator on one path. Public only so the .cc's
  // helpers can name it.
  struct Op;
  struct ArrayFilter;

  // Use Parse or ParseReplacement; public only for std::make_shared.
  Update(std::vector<std::shared_ptr<const Op>> ops,
         std::shared_ptr<const doc::Document> replacement, std::vector<ArrayFilter> array_filters);
  ~Update();

 private:
  base::Status ApplyPositional(const doc::Document& original, const ApplyContext& context,
                               doc::Document* work) const;

  std::vector<std::shared_ptr<const Op>> ops_;        // in application order
  std::shared_ptr<const doc::Document> replacement_;  // set for replacements
  std::shared_ptr<const UpdatePipeline> pipeline_;    // set for pipeline-style updates
  std::vector<ArrayFilter> array_filters_;
  bool positional_ = false;            // some op's path has a positional component
  bool needs_match_position_ = false;  // some op's path has "$"
};

// The document an upsert inserts when nothing matched.
// - Operator updates: the filter's equality fields (dotted paths become
//   nested documents, _id included when the filter has one), then the update
//   applied with context.is_upsert_insert set. BadValue when two equality
//   paths overlap ("a" and "a.b").
// - Pipeline updates: the filter's equality fields, then the stages run
//   over them (MongoDB's upsert seed for pipelines).
// - Replacements: the replacement, with the filter's _id equality (if any)
//   added first when the replacement has no _id.
// _id is moved to the front when present. Generating an ObjectId when there is
// no _id is the caller's job. Thread-safe.
base::Result<doc::Document> BuildUpsertDocument(const matcher::Matcher& filter,
                                                const Update& update, const ApplyContext& context);

}  // namespace plinth::update
