#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::update {

// The stages of a MongoDB 4.2+ pipeline-style update ([{$set: ...}, ...]):
// $set/$addFields, $unset, $project (plain or with computed fields) and
// $replaceRoot/$replaceWith, run in order over one document with the
// aggregation semantics of expr/ (expressions read the document as it is
// after the previous stage; $$NOW is the caller's time). The stages are
// implemented here rather than borrowed from storage/'s pipeline because
// update/ sits below storage/ in the layering; each is a thin use of
// expr::ExpressionObject, expr::Expression or matcher::Projection.
//
// Immutable after Parse; copies share the parsed stages; Run is
// thread-safe.
class UpdatePipeline {
 public:
  // Errors: FailedToParse for a stage that is not a one-field document;
  // InvalidOptions "$group is not allowed to be used within an update" for
  // a pipeline stage other than the ones above (MongoDB's code and text);
  // BadValue "Unrecognized pipeline stage name: '$x'" for unknown names; the
  // stages' own parse errors (expr/, matcher/).
  static base::Result<UpdatePipeline> Parse(const std::vector<doc::Document>& stages);

  // The document the stages make of `input`. $replaceRoot errors when the
  // new root is not a document (BadValue, MongoDB's message); expression
  // errors as expr::Expression::Evaluate. _id handling is the caller's
  // (update::Update::Apply restores a removed _id and refuses a changed one).
  base::Result<doc::Document> Run(const doc::Document& input, std::int64_t now_millis) const;

  struct Stage;

 private:
  std::vector<std::shared_ptr<const Stage>> stages_;
};

}  // namespace plinth::update
