#include "matcher/sort.h"

#include <algorithm>

#include "doc/limits.h"
#include "storage/pipeline/arguments.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $sort: a stable sort by the find sort specification (matcher/), so equal
// keys keep their input order.
class SortStage : public Stage {
 public:
  explicit SortStage(matcher::SortSpec sort) : sort_(std::move(sort)) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    // MongoDB's in-memory sort holds every document: charge their size.
    std::size_t used = 0;
    for (const doc::Document& d : docs) {
      used += doc::BsonSize(d);
      if (used > ctx.memory_limit_bytes) return MemoryLimitError("$sort", ctx.memory_limit_bytes);
    }
    std::stable_sort(docs.begin(), docs.end(), [&](const doc::Document& a, const doc::Document& b) {
      return sort_.Compare(a, b) < 0;
    });
    return docs;
  }

 private:
  matcher::SortSpec sort_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseSort(const doc::Value& arg,
                                                     const StageParseContext&) {
  if (!arg.is_document()) return base::BadValue("the $sort key specification must be an object");
  PLINTH_ASSIGN_OR_RETURN(matcher::SortSpec sort, matcher::SortSpec::Parse(arg.as_document()));
  if (sort.empty()) return base::BadValue("$sort stage must have at least one sort key");
  return std::unique_ptr<const Stage>(std::make_unique<SortStage>(std::move(sort)));
}

}  // namespace plinth::storage::pipeline
