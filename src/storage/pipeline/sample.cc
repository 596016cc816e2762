#include <algorithm>
#include <random>
#include <string>

#include "expr/arithmetic.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $sample: `size` documents chosen uniformly at random without replacement
// (all of them, shuffled, when there are fewer), from the run's random seed.
class SampleStage : public Stage {
 public:
  explicit SampleStage(std::int64_t size) : size_(size) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    std::mt19937_64 random(ctx.random_seed);
    const std::size_t n = std::min(docs.size(), static_cast<std::size_t>(size_));
    // A partial Fisher-Yates shuffle: the first n positions are the sample.
    for (std::size_t i = 0; i < n; ++i) {
      std::uniform_int_distribution<std::size_t> pick(i, docs.size() - 1);
      std::swap(docs[i], docs[pick(random)]);
    }
    docs.resize(n);
    return docs;
  }

 private:
  std::int64_t size_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseSample(const doc::Value& arg,
                                                       const StageParseContext&) {
  if (!arg.is_document()) {
    return base::BadValue("the $sample stage specification must be an object");
  }
  std::optional<std::int64_t> size;
  for (const auto& [name, value] : arg.as_document()) {
    if (name != "size") return base::BadValue("unrecognized option to $sample: " + name);
    if (!value.is_number()) return base::BadValue("size argument to $sample must be a number");
    const double d = expr::NumberToDouble(value);
    if (d < 0) return base::BadValue("size argument to $sample must not be negative");
    size = d > 9.0e18 ? INT64_MAX : static_cast<std::int64_t>(d);
  }
  if (!size) return base::BadValue("$sample stage must specify a size");
  return std::unique_ptr<const Stage>(std::make_unique<SampleStage>(*size));
}

}  // namespace plinth::storage::pipeline
