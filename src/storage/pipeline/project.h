#pragma once

#include <memory>

#include "expr/expression_object.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {

// The stage that applies evaluated fields to each document: $project with
// computed fields, and $addFields/$set (the object's mode tells them apart).
std::unique_ptr<const Stage> MakeExpressionFieldsStage(expr::ExpressionObject fields);

// $project's parser, which $unset reuses for its equivalent exclusion.
base::Result<std::unique_ptr<const Stage>> ParseProject(const doc::Value& arg,
                                                        const StageParseContext& ctx);

}  // namespace plinth::storage::pipeline
