#include "storage/aggregate.h"

#include <chrono>
#include <random>
#include <string>

#include "storage/pipeline/match.h"
#include "storage/pipeline/stage_table.h"

namespace plinth::storage {

base::Result<Pipeline> Pipeline::Parse(const std::vector<doc::Document>& specs) {
  PLINTH_ASSIGN_OR_RETURN(std::vector<std::unique_ptr<const pipeline::Stage>> stages,
                          pipeline::ParseStages(specs, pipeline::StageParseContext{}));
  Pipeline pipeline;
  if (!stages.empty()) {
    if (const auto* match = dynamic_cast<const pipeline::MatchStage*>(stages.front().get())) {
      pipeline.first_match_ = match->matcher();
      stages.erase(stages.begin());
    }
  }
  if (!pipeline.first_match_) {
    PLINTH_ASSIGN_OR_RETURN(pipeline.first_match_, matcher::Matcher::Parse(doc::Document{}));
  }
  pipeline.stages_ = std::make_shared<const std::vector<std::unique_ptr<const pipeline::Stage>>>(
      std::move(stages));
  return pipeline;
}

std::int64_t Pipeline::CurrentMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t Pipeline::FreshSeed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

base::Result<std::vector<doc::Document>> Pipeline::Run(std::vector<doc::Document> input,
                                                       std::int64_t now_millis) const {
  RunOptions options;
  options.now_millis = now_millis;
  return Run(std::move(input), options);
}

base::Result<std::vector<doc::Document>> Pipeline::Run(std::vector<doc::Document> input,
                                                       const RunOptions& options) const {
  pipeline::StageContext ctx;
  ctx.now_millis = options.now_millis;
  ctx.foreign = options.foreign;
  ctx.memory_limit_bytes = options.memory_limit_bytes;
  ctx.random_seed = options.random_seed;
  return pipeline::RunStages(*stages_, std::move(input), ctx);
}

}  // namespace plinth::storage
