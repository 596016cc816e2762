#include "storage/pipeline/match.h"

namespace plinth::storage::pipeline {

base::Result<std::vector<doc::Document>> MatchStage::Run(std::vector<doc::Document> docs,
                                                         StageContext&) const {
  std::vector<doc::Document> kept;
  for (auto& d : docs) {
    if (matcher_->Matches(d)) kept.push_back(std::move(d));
  }
  return kept;
}

base::Result<std::unique_ptr<const Stage>> ParseMatch(const doc::Value& arg,
                                                      const StageParseContext&) {
  if (!arg.is_document()) {
    return base::BadValue("the match filter must be an expression in an object");
  }
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const matcher::Matcher> matcher,
                          matcher::Matcher::Parse(arg.as_document()));
  return std::unique_ptr<const Stage>(std::make_unique<MatchStage>(std::move(matcher)));
}

}  // namespace plinth::storage::pipeline
