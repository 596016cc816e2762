#include "storage/pipeline/arguments.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $limit: keeps the first n documents.
class LimitStage : public Stage {
 public:
  explicit LimitStage(std::int64_t n) : n_(n) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext&) const override {
    if (static_cast<std::int64_t>(docs.size()) > n_) docs.resize(static_cast<std::size_t>(n_));
    return docs;
  }

 private:
  std::int64_t n_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseLimit(const doc::Value& arg,
                                                      const StageParseContext&) {
  PLINTH_ASSIGN_OR_RETURN(std::int64_t n, NonNegativeInteger(arg, "$limit"));
  if (n == 0) return base::BadValue("the limit must be positive");
  return std::unique_ptr<const Stage>(std::make_unique<LimitStage>(n));
}

}  // namespace plinth::storage::pipeline
