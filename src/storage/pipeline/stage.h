#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "expr/expression.h"
#include "storage/pipeline/foreign_source.h"

namespace plinth::storage::pipeline {

// Blocking stages ($group, $sort, $facet, $bucket and the $push/$addToSet
// accumulators) may hold at most this many bytes (BSON size of what they
// keep) each, MongoDB's per-stage limit without allowDiskUse (100 MiB).
// Beyond it: kExceededMemoryLimit.
inline constexpr std::size_t kDefaultMemoryLimitBytes = 100 * 1024 * 1024;

// What one run of a pipeline hands every stage. Owned by the run; the
// pointers are borrowed for the run only.
struct StageContext {
  std::int64_t now_millis = 0;       // $$NOW, fixed for the whole run
  ForeignSource* foreign = nullptr;  // other collections; null when the caller gives none
  std::size_t memory_limit_bytes = kDefaultMemoryLimitBytes;  // per blocking stage
  std::uint64_t random_seed = 0;                              // $sample's choices

  // An expression context reading `root` at this run's $$NOW.
  expr::EvalContext Eval(const doc::Document& root) const {
    expr::EvalContext eval;
    eval.root = &root;
    eval.now_millis = now_millis;
    return eval;
  }
};

// What a stage parser needs to know about where the stage sits.
struct StageParseContext {
  bool in_facet = false;  // inside a $facet sub-pipeline (some stages are refused there)
};

// One parsed aggregation stage: documents in, documents out. Immutable after
// parsing; any number of threads may Run one Stage at once (each with its
// own StageContext).
class Stage {
 public:
  virtual ~Stage() = default;
  virtual base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                                       StageContext& ctx) const = 0;
};

// A stage's parser: its argument (the value under the stage name) to a Stage,
// or MongoDB's error for a bad argument. One per stage file, registered by
// name in stage_table.cc.
using StageParser = base::Result<std::unique_ptr<const Stage>> (*)(const doc::Value& arg,
                                                                   const StageParseContext& ctx);

}  // namespace plinth::storage::pipeline
