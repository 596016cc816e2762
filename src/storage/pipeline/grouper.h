#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/compare.h"
#include "doc/value.h"
#include "storage/pipeline/accumulator.h"
#include "storage/pipeline/arguments.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {

// Documents gathered into groups by key, each group running the
// accumulators: the engine of $group, $bucket and $sortByCount. Keys are
// equal as MongoDB compares values (Int32 1 and Double 1.0 are one group,
// keyed by the first seen). Groups come out in the order their first
// document arrived. Charges what it holds (keys, kept accumulator values)
// to ctx.memory_limit_bytes, failing with kExceededMemoryLimit naming
// `stage` beyond it. Borrows `specs` for its lifetime; not thread-safe (one
// per run).
class Grouper {
 public:
  Grouper(const std::vector<AccumulatorSpec>& specs, std::string stage, const StageContext& ctx)
      : specs_(specs), stage_(std::move(stage)), limit_(ctx.memory_limit_bytes) {}

  // Adds `document` to the group of `key`.
  base::Status Add(const doc::Value& key, const doc::Document& document, const StageContext& ctx);

  // One document per group: {_id: key, <spec fields in order>}.
  std::vector<doc::Document> Finish();

 private:
  struct Less {
    bool operator()(const doc::Value& a, const doc::Value& b) const {
      return doc::Compare(a, b) < 0;
    }
  };
  base::Status Charge(std::size_t bytes);

  const std::vector<AccumulatorSpec>& specs_;
  std::string stage_;
  std::size_t limit_;
  std::size_t used_ = 0;
  std::map<doc::Value, std::size_t, Less> index_;  // key -> position in groups_
  std::vector<doc::Value> keys_;
  std::vector<std::vector<AccumulatorState>> groups_;
};

}  // namespace plinth::storage::pipeline
