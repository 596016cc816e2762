#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "matcher/matcher.h"

namespace plinth::storage {

// The aggregation stages Plinth runs itself ($match $project $sort $skip
// $limit $count $addFields/$set $unset $replaceRoot/$replaceWith) over a
// stream of documents, engine-neutral so every engine shares them. $project
// with computed fields, $addFields and $replaceRoot evaluate expressions
// (expr/).
// Other stages are refused: later-issue ones ($group, $lookup, ...) with
// BadValue "... is not supported yet", unknown names with BadValue
// "Unrecognized pipeline stage name: '$x'". Immutable after Parse;
// thread-safe.
class Pipeline {
 public:
  static base::Result<Pipeline> Parse(const std::vector<doc::Document>& stages);

  // The matcher of a leading $match (which an engine may run with indexes),
  // or one matching everything when the pipeline does not start with $match.
  const matcher::Matcher& first_match() const { return *first_match_; }
  // Runs the stages after the leading $match over `input` (documents already
  // filtered by first_match(), in natural order). `now_millis` is $$NOW for
  // the whole run (MongoDB fixes it per command); the default reads the
  // system clock once, at the call.
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> input,
                                               std::int64_t now_millis = CurrentMillis()) const;

  // The system clock's milliseconds since the epoch: Run's default $$NOW.
  static std::int64_t CurrentMillis();

  struct StageSpec;

 private:
  std::shared_ptr<const matcher::Matcher> first_match_;
  std::vector<std::shared_ptr<const StageSpec>> stages_;
};

}  // namespace plinth::storage
