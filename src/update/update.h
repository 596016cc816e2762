#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "doc/field_path.h"
#include "doc/value.h"

namespace plinth::matcher {
class Matcher;
}

namespace plinth::update {

// MongoDB's update language over doc::Document: operator updates ($set, $inc,
// $push, ...) and replacement documents, parsed once into an immutable Update
// and applied to documents with MongoDB's semantics and error messages.
//
// Supported: $set $unset $inc $mul $min $max $rename $setOnInsert
// $currentDate $push ($each $position $slice) $addToSet ($each) $pop $pull
// (values and query conditions) $pullAll. Not yet: positional paths ("$",
// "$[]", "$[id]"), $push's $sort, $bit, pipeline updates.
//
// Operators are applied in MongoDB 5.0+'s order: by path, component by
// component, numeric components ("2" < "10") before others, others by bytes;
// fields created by the update are appended to their parent in that order.

// What Apply needs from its caller.
struct ApplyContext {
  std::int64_t now_millis = 0;    // for $currentDate (callers pass the Clock's time)
  bool is_upsert_insert = false;  // $setOnInsert applies only then
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
  static base::Result<std::shared_ptr<const Update>> Parse(const doc::Document& update);

  // A replacement document. BadValue when it has a top-level field starting
  // with '$' (operators are not allowed in a replacement) or an _id that is an
  // array, a regex or undefined. Nested '$' and '.' field names are allowed.
  static base::Result<std::shared_ptr<const Update>> ParseReplacement(
      const doc::Document& replacement);

  bool is_replacement() const { return replacement_ != nullptr; }

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
  // result breaks doc::Limits.
  base::Result<bool> Apply(doc::Document* document, const ApplyContext& context) const;

  // Implementation detail: one operator on one path. Public only so the .cc's
  // helpers can name it.
  struct Op;

  // Use Parse or ParseReplacement; public only for std::make_shared.
  Update(std::vector<std::shared_ptr<const Op>> ops,
         std::shared_ptr<const doc::Document> replacement);

 private:
  std::vector<std::shared_ptr<const Op>> ops_;        // in application order
  std::shared_ptr<const doc::Document> replacement_;  // set for replacements
};

// The document an upsert inserts when nothing matched.
// - Operator updates: the filter's equality fields (dotted paths become
//   nested documents, _id included when the filter has one), then the update
//   applied with context.is_upsert_insert set. BadValue when two equality
//   paths overlap ("a" and "a.b").
// - Replacements: the replacement, with the filter's _id equality (if any)
//   added first when the replacement has no _id.
// _id is moved to the front when present. Generating an ObjectId when there is
// no _id is the caller's job. Thread-safe.
base::Result<doc::Document> BuildUpsertDocument(const matcher::Matcher& filter,
                                                const Update& update, const ApplyContext& context);

}  // namespace plinth::update
