#include "storage/pipeline/grouper.h"

#include <optional>
#include <utility>

#include "doc/limits.h"

namespace plinth::storage::pipeline {

base::Status Grouper::Charge(std::size_t bytes) {
  used_ += bytes;
  if (used_ > limit_) return MemoryLimitError(stage_, limit_);
  return base::Status::Ok();
}

base::Status Grouper::Add(const doc::Value& key, const doc::Document& document,
                          const StageContext& ctx) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    // Per group: the key's BSON size (held twice, in the index and the
    // output) and, per accumulator, an 8-byte scalar plus element overhead;
    // what $push/$addToSet/$mergeObjects keep is charged as it grows.
    constexpr std::size_t kAccumulatorBytes = 16;
    PLINTH_RETURN_IF_ERROR(Charge(2 * doc::BsonValueSize(key) + specs_.size() * kAccumulatorBytes));
    it = index_.emplace(key, groups_.size()).first;
    keys_.push_back(key);
    std::vector<AccumulatorState> states;
    states.reserve(specs_.size());
    for (const AccumulatorSpec& spec : specs_) states.emplace_back(spec.op);
    groups_.push_back(std::move(states));
  }
  std::vector<AccumulatorState>& states = groups_[it->second];
  const expr::EvalContext eval = ctx.Eval(document);
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> value, specs_[i].argument.Evaluate(eval));
    PLINTH_ASSIGN_OR_RETURN(std::size_t bytes, states[i].Add(value));
    if (bytes != 0) PLINTH_RETURN_IF_ERROR(Charge(bytes));
  }
  return base::Status::Ok();
}

std::vector<doc::Document> Grouper::Finish() {
  std::vector<doc::Document> out;
  out.reserve(groups_.size());
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    doc::Document d;
    d.Append("_id", std::move(keys_[g]));
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      d.Append(specs_[i].field, groups_[g][i].Finish());
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace plinth::storage::pipeline
