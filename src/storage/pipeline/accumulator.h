#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "expr/expression.h"

namespace plinth::storage::pipeline {

// The $group accumulators ($bucket's "output" uses them too): $sum $avg $min
// $max $first $last $push $addToSet $mergeObjects, and $count ({}), which is
// $sum of 1.
enum class AccumulatorOp { kSum, kAvg, kMin, kMax, kFirst, kLast, kPush, kAddToSet, kMergeObjects };

// One output field of $group: {field: {$op: argument}}. Immutable after
// parsing; thread-safe.
struct AccumulatorSpec {
  std::string field;
  AccumulatorOp op = AccumulatorOp::kSum;
  expr::Expression argument;
};

// Parses the output fields of a $group (every field but "_id") or a $bucket
// "output". Errors (kBadValue, MongoDB's messages): "The field 'x' must be an
// accumulator object", "The field name 'a.b' cannot contain '.'", "The field
// 'x' must specify one accumulator", "unknown group operator '$foo'", "The
// $sum accumulator is a unary operator".
base::Result<std::vector<AccumulatorSpec>> ParseAccumulators(const doc::Document& fields,
                                                             bool skip_id);

// The running state of one accumulator over one group. Not thread-safe (one
// per group per run).
class AccumulatorState {
 public:
  explicit AccumulatorState(AccumulatorOp op) : op_(op) {}

  // Adds one input value (nullopt: the argument was missing). Returns the
  // bytes the state newly holds ($push/$addToSet/$mergeObjects keep values),
  // which the stage charges to its memory budget. Errors: $mergeObjects of a
  // non-document (kTypeMismatch).
  base::Result<std::size_t> Add(const std::optional<doc::Value>& value);

  // The accumulated result, with MongoDB's types: $sum keeps Int32 until it
  // overflows to Int64, then Double; Decimal128 if any input was; 0 (Int32)
  // for no numbers. $avg is Double (Decimal128 if any input was), null for no
  // numbers. $min/$max ignore null and missing (null when nothing else).
  doc::Value Finish() const;

 private:
  AccumulatorOp op_;
  std::optional<doc::Value> value_;  // sum, min, max, first, last
  std::int64_t count_ = 0;           // numbers added ($avg); inputs seen ($first)
  doc::Array values_;                // $push, $addToSet
  doc::Document merged_;             // $mergeObjects
};

}  // namespace plinth::storage::pipeline
