#include "storage/pipeline/accumulator.h"

#include <array>
#include <string_view>
#include <utility>

#include "doc/compare.h"
#include "doc/ejson.h"
#include "doc/limits.h"
#include "expr/arithmetic.h"

namespace plinth::storage::pipeline {
namespace {

struct OpName {
  std::string_view name;
  AccumulatorOp op;
};

constexpr std::array<OpName, 10> kOps = {{{"$sum", AccumulatorOp::kSum},
                                          {"$avg", AccumulatorOp::kAvg},
                                          {"$min", AccumulatorOp::kMin},
                                          {"$max", AccumulatorOp::kMax},
                                          {"$first", AccumulatorOp::kFirst},
                                          {"$last", AccumulatorOp::kLast},
                                          {"$push", AccumulatorOp::kPush},
                                          {"$addToSet", AccumulatorOp::kAddToSet},
                                          {"$mergeObjects", AccumulatorOp::kMergeObjects},
                                          {"$count", AccumulatorOp::kSum}}};

// a + b with MongoDB's promotion; an Int64 overflow continues in Double, as
// MongoDB's $sum does.
doc::Value AddNumbers(const doc::Value& a, const doc::Value& b) {
  if (std::optional<doc::Value> sum = expr::Arithmetic(a, b, expr::ArithmeticOp::kAdd)) {
    return std::move(*sum);
  }
  return doc::Value(expr::NumberToDouble(a) + expr::NumberToDouble(b));
}

}  // namespace

base::Result<std::vector<AccumulatorSpec>> ParseAccumulators(const doc::Document& fields,
                                                             bool skip_id) {
  std::vector<AccumulatorSpec> specs;
  for (const auto& [field, value] : fields) {
    if (skip_id && field == "_id") continue;
    if (!value.is_document() || value.as_document().empty() ||
        value.as_document().fields()[0].first.empty() ||
        value.as_document().fields()[0].first[0] != '$') {
      return base::BadValue("The field '" + field + "' must be an accumulator object");
    }
    if (field.find('.') != std::string::npos) {
      return base::BadValue("The field name '" + field + "' cannot contain '.'");
    }
    const doc::Document& acc = value.as_document();
    if (acc.size() != 1) {
      return base::BadValue("The field '" + field + "' must specify one accumulator");
    }
    const auto& [name, argument] = acc.fields()[0];
    const OpName* found = nullptr;
    for (const OpName& op : kOps) {
      if (op.name == name) found = &op;
    }
    if (found == nullptr) return base::BadValue("unknown group operator '" + name + "'");
    AccumulatorSpec spec;
    spec.field = field;
    spec.op = found->op;
    if (name == "$count") {
      if (!argument.is_document() || !argument.as_document().empty()) {
        return base::BadValue("$count takes no arguments, i.e. $count:{}");
      }
      PLINTH_ASSIGN_OR_RETURN(spec.argument, expr::Expression::Parse(doc::Value(1)));
    } else {
      if (argument.is_array()) {
        return base::BadValue("The " + name + " accumulator is a unary operator");
      }
      PLINTH_ASSIGN_OR_RETURN(spec.argument, expr::Expression::Parse(argument));
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

base::Result<std::size_t> AccumulatorState::Add(const std::optional<doc::Value>& value) {
  switch (op_) {
    case AccumulatorOp::kSum:
    case AccumulatorOp::kAvg:
      if (value.has_value() && value->is_number()) {
        value_ = value_.has_value() ? AddNumbers(*value_, *value) : *value;
        ++count_;
      }
      return 0;
    case AccumulatorOp::kMin:
    case AccumulatorOp::kMax: {
      if (!value.has_value() || value->is_null() || value->type() == doc::Type::kUndefined) {
        return 0;
      }
      const bool replace =
          !value_.has_value() || (op_ == AccumulatorOp::kMin ? doc::Compare(*value, *value_) < 0
                                                             : doc::Compare(*value, *value_) > 0);
      if (replace) value_ = *value;
      return 0;
    }
    case AccumulatorOp::kFirst:
      if (count_++ == 0) value_ = value.value_or(doc::Value());
      return 0;
    case AccumulatorOp::kLast:
      value_ = value.value_or(doc::Value());
      return 0;
    case AccumulatorOp::kPush:
      if (!value.has_value()) return 0;
      values_.Append(*value);
      return doc::BsonValueSize(*value);
    case AccumulatorOp::kAddToSet:
      if (!value.has_value()) return 0;
      for (const doc::Value& seen : values_) {
        if (doc::ValuesEqual(seen, *value)) return 0;
      }
      values_.Append(*value);
      return doc::BsonValueSize(*value);
    case AccumulatorOp::kMergeObjects: {
      if (!value.has_value() || value->is_null()) return 0;
      if (!value->is_document()) {
        return base::Status(base::ErrorCode::kTypeMismatch,
                            "$mergeObjects requires object inputs, but input " +
                                doc::ToRelaxedJson(*value) + " is of type " +
                                std::string(doc::TypeName(value->type())));
      }
      std::size_t bytes = 0;
      for (const auto& [name, field] : value->as_document()) {
        merged_.Set(name, field);
        bytes += name.size() + 2 + doc::BsonValueSize(field);
      }
      return bytes;
    }
  }
  return 0;
}

doc::Value AccumulatorState::Finish() const {
  switch (op_) {
    case AccumulatorOp::kSum:
      return value_.value_or(doc::Value(0));
    case AccumulatorOp::kAvg:
      if (count_ == 0) return doc::Value();
      if (value_->type() == doc::Type::kDecimal128) {
        return doc::Value(expr::DecimalBinary(expr::DecimalOp::kDivide, value_->as_decimal128(),
                                              expr::ToDecimal128(doc::Value(count_))));
      }
      return doc::Value(expr::NumberToDouble(*value_) / static_cast<double>(count_));
    case AccumulatorOp::kMin:
    case AccumulatorOp::kMax:
    case AccumulatorOp::kFirst:
    case AccumulatorOp::kLast:
      return value_.value_or(doc::Value());
    case AccumulatorOp::kPush:
    case AccumulatorOp::kAddToSet:
      return doc::Value(values_);
    case AccumulatorOp::kMergeObjects:
      return doc::Value(merged_);
  }
  return doc::Value();
}

}  // namespace plinth::storage::pipeline
