#include "storage/pipeline/stage_table.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace plinth::storage::pipeline {

// The stages Plinth runs: one X(name, parser) line each. The parser is
// defined in the stage's own file (group.cc holds ParseGroup); this list
// declares it and registers it under its name, so adding a stage is that
// file, one line here and one line in src/storage/CMakeLists.txt.
#define PLINTH_PIPELINE_STAGES(X)     \
  X("$match", ParseMatch)             \
  X("$project", ParseProject)         \
  X("$addFields", ParseAddFields)     \
  X("$set", ParseSet)                 \
  X("$unset", ParseUnset)             \
  X("$replaceRoot", ParseReplaceRoot) \
  X("$replaceWith", ParseReplaceWith) \
  X("$sort", ParseSort)               \
  X("$skip", ParseSkip)               \
  X("$limit", ParseLimit)             \
  X("$count", ParseCount)             \
  X("$group", ParseGroup)             \
  X("$unwind", ParseUnwind)           \
  X("$sortByCount", ParseSortByCount) \
  X("$facet", ParseFacet)             \
  X("$bucket", ParseBucket)           \
  X("$sample", ParseSample)           \
  X("$lookup", ParseLookup)

#define PLINTH_DECLARE_STAGE_PARSER(name, parser)                          \
  base::Result<std::unique_ptr<const Stage>> parser(const doc::Value& arg, \
                                                    const StageParseContext& ctx);
PLINTH_PIPELINE_STAGES(PLINTH_DECLARE_STAGE_PARSER)
#undef PLINTH_DECLARE_STAGE_PARSER

namespace {

struct StageEntry {
  std::string_view name;
  StageParser parser;
};

#define PLINTH_STAGE_ENTRY(name, parser) StageEntry{name, &parser},
constexpr StageEntry kStages[] = {PLINTH_PIPELINE_STAGES(PLINTH_STAGE_ENTRY)};
#undef PLINTH_STAGE_ENTRY

// MongoDB stages Plinth does not run: refused as "not supported yet" rather
// than "Unrecognized", so a client can tell a real stage from a typo.
constexpr std::string_view kUnsupportedStages[] = {
    "$bucketAuto",      "$graphLookup", "$unionWith",     "$densify",      "$fill",
    "$setWindowFields", "$redact",      "$geoNear",       "$out",          "$merge",
    "$indexStats",      "$collStats",   "$documents",     "$changeStream", "$search",
    "$listSessions",    "$currentOp",   "$planCacheStats"};

}  // namespace

StageParser FindStageParser(std::string_view name) {
  for (const StageEntry& entry : kStages) {
    if (entry.name == name) return entry.parser;
  }
  return nullptr;
}

base::Result<std::unique_ptr<const Stage>> ParseStage(const doc::Document& spec,
                                                      const StageParseContext& ctx) {
  if (spec.size() != 1) {
    return base::Status(base::ErrorCode::kFailedToParse,
                        "A pipeline stage specification object must contain exactly one field.");
  }
  const auto& [name, arg] = spec.fields()[0];
  if (StageParser parser = FindStageParser(name)) return parser(arg, ctx);
  if (std::find(std::begin(kUnsupportedStages), std::end(kUnsupportedStages), name) !=
      std::end(kUnsupportedStages)) {
    return base::BadValue("pipeline stage '" + name + "' is not supported yet");
  }
  return base::BadValue("Unrecognized pipeline stage name: '" + name + "'");
}

base::Result<std::vector<std::unique_ptr<const Stage>>> ParseStages(
    const std::vector<doc::Document>& specs, const StageParseContext& ctx) {
  if (specs.size() > kMaxStages) {
    return base::BadValue("Pipeline length must be no longer than " + std::to_string(kMaxStages) +
                          " stages.");
  }
  std::vector<std::unique_ptr<const Stage>> stages;
  stages.reserve(specs.size());
  for (const doc::Document& spec : specs) {
    PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<const Stage> stage, ParseStage(spec, ctx));
    stages.push_back(std::move(stage));
  }
  return stages;
}

base::Result<std::vector<doc::Document>> RunStages(
    const std::vector<std::unique_ptr<const Stage>>& stages, std::vector<doc::Document> docs,
    StageContext& ctx) {
  for (const auto& stage : stages) {
    PLINTH_ASSIGN_OR_RETURN(docs, stage->Run(std::move(docs), ctx));
  }
  return docs;
}

}  // namespace plinth::storage::pipeline
