#include <algorithm>

#include "storage/pipeline/arguments.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $skip: drops the first n documents.
class SkipStage : public Stage {
 public:
  explicit SkipStage(std::int64_t n) : n_(n) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext&) const override {
    const auto n = static_cast<std::size_t>(
        std::min<std::int64_t>(n_, static_cast<std::int64_t>(docs.size())));
    docs.erase(docs.begin(), docs.begin() + static_cast<std::ptrdiff_t>(n));
    return docs;
  }

 private:
  std::int64_t n_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseSkip(const doc::Value& arg,
                                                     const StageParseContext&) {
  PLINTH_ASSIGN_OR_RETURN(std::int64_t n, NonNegativeInteger(arg, "$skip"));
  return std::unique_ptr<const Stage>(std::make_unique<SkipStage>(n));
}

}  // namespace plinth::storage::pipeline
