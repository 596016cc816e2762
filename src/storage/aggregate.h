#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "matcher/matcher.h"
#include "storage/pipeline/foreign_source.h"
#include "storage/pipeline/stage.h"
#include "storage/pipeline/stage_table.h"

namespace plinth::storage {

// An aggregation pipeline Plinth runs itself over a stream of documents,
// engine-neutral so every engine shares it. Each stage lives in its own file
// under pipeline/ and is registered by name in pipeline/stage_table.cc;
// docs/query-language.md lists them. Stages MongoDB has and Plinth does not
// run are refused with BadValue "... is not supported yet", unknown names
// with BadValue "Unrecognized pipeline stage name: '$x'". Immutable after
// Parse; thread-safe.
class Pipeline {
 public:
  // At most this many stages per pipeline (each $facet sub-pipeline counts
  // on its own), MongoDB's limit; more is kBadValue at Parse.
  static constexpr std::size_t kMaxStages = pipeline::kMaxStages;

  static base::Result<Pipeline> Parse(const std::vector<doc::Document>& stages);

  // What one run may use besides its input.
  struct RunOptions {
    // $$NOW for the whole run (MongoDB fixes it per command).
    std::int64_t now_millis = CurrentMillis();
    // Other collections of the database, for $lookup-like stages; borrowed
    // for the run. Null: such stages fail.
    pipeline::ForeignSource* foreign = nullptr;
    // Per blocking stage; beyond it the run fails with kExceededMemoryLimit.
    std::size_t memory_limit_bytes = pipeline::kDefaultMemoryLimitBytes;
    // Seeds $sample's choices; the default draws a fresh seed per run.
    std::uint64_t random_seed = FreshSeed();
  };

  // The matcher of a leading $match (which an engine may run with indexes),
  // or one matching everything when the pipeline does not start with $match.
  const matcher::Matcher& first_match() const { return *first_match_; }
  // Runs the stages after the leading $match over `input` (documents already
  // filtered by first_match(), in natural order). `now_millis` is $$NOW for
  // the whole run; the default reads the system clock once, at the call.
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> input,
                                               std::int64_t now_millis = CurrentMillis()) const;
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> input,
                                               const RunOptions& options) const;

  // The system clock's milliseconds since the epoch: Run's default $$NOW.
  static std::int64_t CurrentMillis();
  // A nondeterministic seed: Run's default for $sample.
  static std::uint64_t FreshSeed();

 private:
  std::shared_ptr<const matcher::Matcher> first_match_;
  // Shared so Pipeline copies cheaply; the stages are immutable.
  std::shared_ptr<const std::vector<std::unique_ptr<const pipeline::Stage>>> stages_;
};

}  // namespace plinth::storage
