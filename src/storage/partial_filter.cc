#include "storage/partial_filter.h"

#include <cmath>
#include <limits>

#include "doc/compare.h"

namespace plinth::storage {
namespace {

base::Status Unsupported(const std::string& what) {
  return base::Status(base::ErrorCode::kCannotCreateIndex,
                      "Expression not supported in partial index: " + what);
}

bool IsOperatorDocument(const doc::Value& value) {
  if (!value.is_document() || value.as_document().empty()) return false;
  const std::string& first = value.as_document().fields().front().first;
  return !first.empty() && first[0] == '$';
}

// $exists takes any value; MongoDB reads it as a boolean.
bool Truthy(const doc::Value& value) {
  if (value.is_bool()) return value.as_bool();
  if (value.is_number()) return doc::Compare(value, doc::Value(0)) != 0;
  return !value.is_null() && value.type() != doc::Type::kUndefined;
}

bool IsNaN(const doc::Value& value) {
  // NaN is the only number below -Infinity in MongoDB's order.
  return value.is_number() &&
         doc::Compare(value, doc::Value(-std::numeric_limits<double>::infinity())) < 0;
}

// Whether an equality on `value` can only match documents that have the
// field with a value of `value`'s canonical type (null and undefined also
// match a missing field; arrays match by element as well; NaN compares
// with nothing but itself).
bool PlainValue(const doc::Value& value) {
  return !value.is_null() && value.type() != doc::Type::kUndefined && !value.is_array() &&
         !IsNaN(value);
}

// Whether every value equal to `value` satisfies {$type: alias}.
bool TypeAliasHolds(const doc::Value& alias, const doc::Value& value) {
  if (alias.is_array()) {
    for (const doc::Value& one : alias.as_array()) {
      if (TypeAliasHolds(one, value)) return true;
    }
    return false;
  }
  if (value.is_number()) {
    // Equality is by numeric value across Int32/Int64/Double/Decimal128, so
    // only "number" covers every match.
    return alias.is_string() && alias.as_string() == "number";
  }
  if (alias.is_string()) return alias.as_string() == doc::TypeName(value.type());
  if (alias.is_number()) {
    return doc::Compare(alias, doc::Value(static_cast<std::int32_t>(value.type()))) == 0;
  }
  return false;
}

}  // namespace

base::Status PartialFilter::Collect(const doc::Document& expression, bool top_level,
                                    std::vector<Condition>* out) {
  for (const auto& [name, value] : expression) {
    if (name == "$and") {
      if (!top_level) return Unsupported("$and below the top level");
      if (!value.is_array() || value.as_array().empty()) {
        return base::BadValue("$and must be a nonempty array");
      }
      for (const doc::Value& clause : value.as_array()) {
        if (!clause.is_document()) return base::BadValue("$and's entries must be objects");
        PLINTH_RETURN_IF_ERROR(Collect(clause.as_document(), false, out));
      }
      continue;
    }
    if (!name.empty() && name[0] == '$') return Unsupported(name);
    auto path = doc::FieldPath::Parse(name);
    if (!path.ok()) return path.status();
    if (!IsOperatorDocument(value)) {
      if (value.type() == doc::Type::kRegex) return Unsupported("a regular expression on " + name);
      out->push_back(Condition{*path, "$eq", value});
      continue;
    }
    for (const auto& [op, operand] : value.as_document()) {
      if (op == "$exists") {
        if (!Truthy(operand)) return Unsupported("$exists: false on " + name);
      } else if (op != "$eq" && op != "$gt" && op != "$gte" && op != "$lt" && op != "$lte" &&
                 op != "$type") {
        return Unsupported(op + " on " + name);
      }
      if (op == "$eq" && operand.type() == doc::Type::kRegex) {
        return Unsupported("a regular expression on " + name);
      }
      out->push_back(Condition{*path, op, operand});
    }
  }
  return base::Status::Ok();
}

base::Result<std::shared_ptr<const PartialFilter>> PartialFilter::Parse(
    const doc::Document& expression) {
  auto filter = std::shared_ptr<PartialFilter>(new PartialFilter());
  filter->expression_ = expression;
  PLINTH_RETURN_IF_ERROR(Collect(expression, true, &filter->conditions_));
  // The matcher checks the operands ($type names, ...) and decides
  // membership with the query language's own semantics.
  PLINTH_ASSIGN_OR_RETURN(filter->matcher_, matcher::Matcher::Parse(expression));
  return std::shared_ptr<const PartialFilter>(std::move(filter));
}

bool PartialFilter::ImpliedBy(const matcher::Matcher& query) const {
  const auto& equalities = query.EqualityFields();
  for (const Condition& condition : conditions_) {
    const doc::Value* given = nullptr;
    for (const auto& [path, value] : equalities) {
      if (path == condition.path) {
        given = &value;
        break;
      }
    }
    if (given == nullptr) return false;
    const doc::Value& w = *given;
    const doc::Value& v = condition.operand;
    bool holds = false;
    if (condition.op == "$eq") {
      // Same operator, equal operand: the same documents match.
      holds = doc::ValuesEqual(w, v);
    } else if (condition.op == "$exists") {
      holds = !w.is_null() && w.type() != doc::Type::kUndefined;
    } else if (condition.op == "$type") {
      holds = PlainValue(w) && TypeAliasHolds(v, w);
    } else if (PlainValue(w) && PlainValue(v) &&
               doc::CanonicalTypeRank(w.type()) == doc::CanonicalTypeRank(v.type())) {
      // Range operators compare within one canonical type only (type
      // bracketing), so the operands must share it.
      const int c = doc::Compare(w, v);
      if (condition.op == "$gt") holds = c > 0;
      if (condition.op == "$gte") holds = c >= 0;
      if (condition.op == "$lt") holds = c < 0;
      if (condition.op == "$lte") holds = c <= 0;
    }
    if (!holds) return false;
  }
  return true;
}

}  // namespace plinth::storage
