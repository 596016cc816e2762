#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {

// The table of stage names and their parsers (stage_table.cc). Free
// functions over a constant table; thread-safe.

// The parser registered for `name` ("$group"), or null.
StageParser FindStageParser(std::string_view name);

// Parses one stage specification ({$name: arg}). Errors: kFailedToParse when
// the object does not hold exactly one field, kBadValue "Unrecognized
// pipeline stage name: '$x'" for unknown names and "... is not supported
// yet" for MongoDB stages Plinth does not run.
base::Result<std::unique_ptr<const Stage>> ParseStage(const doc::Document& spec,
                                                      const StageParseContext& ctx);

// At most this many stages per pipeline, MongoDB's limit; each sub-pipeline
// ($facet, $lookup) counts on its own.
inline constexpr std::size_t kMaxStages = 1000;

// Parses every stage of `specs`, in order (sub-pipelines: $facet, $lookup).
// More than kMaxStages is kBadValue.
base::Result<std::vector<std::unique_ptr<const Stage>>> ParseStages(
    const std::vector<doc::Document>& specs, const StageParseContext& ctx);

// Runs `stages` in order over `docs`.
base::Result<std::vector<doc::Document>> RunStages(
    const std::vector<std::unique_ptr<const Stage>>& stages, std::vector<doc::Document> docs,
    StageContext& ctx);

}  // namespace plinth::storage::pipeline
