#pragma once

#include <memory>

#include "matcher/matcher.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {

// $match: keeps the documents the query filter matches. Public (unlike the
// other stages) because Pipeline hands a leading $match's matcher to the
// engine, which may run it with indexes. Immutable; thread-safe.
class MatchStage : public Stage {
 public:
  explicit MatchStage(std::shared_ptr<const matcher::Matcher> matcher)
      : matcher_(std::move(matcher)) {}
  const std::shared_ptr<const matcher::Matcher>& matcher() const { return matcher_; }
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override;

 private:
  std::shared_ptr<const matcher::Matcher> matcher_;
};

base::Result<std::unique_ptr<const Stage>> ParseMatch(const doc::Value& arg,
                                                      const StageParseContext& ctx);

}  // namespace plinth::storage::pipeline
