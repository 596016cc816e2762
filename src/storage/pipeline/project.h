#pragma once

#include <memory>

#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {

// $project's parser, which $unset reuses for its equivalent exclusion.
base::Result<std::unique_ptr<const Stage>> ParseProject(const doc::Value& arg,
                                                        const StageParseContext& ctx);

}  // namespace plinth::storage::pipeline
