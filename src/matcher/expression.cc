#include "matcher/expression.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "doc/compare.h"
#include "doc/decimal128.h"
#include "matcher/path_values.h"

namespace plinth::matcher {
namespace {

// What equality to null matches: null and missing. Not undefined: since
// MongoDB 8.0, {a: null} no longer matches undefined values.
bool IsNullish(const doc::Value* v) { return v == nullptr || v->is_null(); }

bool IsNaN(const doc::Value& v) {
  if (const auto* d = v.get_if<double>()) return std::isnan(*d);
  if (const auto* d = v.get_if<doc::Decimal128>()) return doc::IsNaN(*d);
  return false;
}

// $eq/$lt/$lte/$gt/$gte against one value (nullptr = missing), with MongoDB's
// type bracketing: ordering operators only compare values of one canonical
// type rank, except against MinKey/MaxKey.
bool CompareMatches(LeafOp op, const doc::Value& operand, const doc::Value* v) {
  if (operand.is_null()) {
    return (op == LeafOp::kEq || op == LeafOp::kLte || op == LeafOp::kGte) && IsNullish(v);
  }
  if (v == nullptr) return false;
  const doc::Type rt = operand.type();
  if (rt != doc::Type::kMinKey && rt != doc::Type::kMaxKey &&
      doc::CanonicalTypeRank(v->type()) != doc::CanonicalTypeRank(rt)) {
    return false;
  }
  // NaN equals NaN and is otherwise unordered for queries.
  const bool lnan = IsNaN(*v);
  const bool rnan = IsNaN(operand);
  if (lnan || rnan) {
    return lnan && rnan && (op == LeafOp::kEq || op == LeafOp::kLte || op == LeafOp::kGte);
  }
  const int c = doc::Compare(*v, operand);
  switch (op) {
    case LeafOp::kEq:
      return c == 0;
    case LeafOp::kLt:
      return c < 0;
    case LeafOp::kLte:
      return c <= 0;
    case LeafOp::kGt:
      return c > 0;
    case LeafOp::kGte:
      return c >= 0;
    default:
      return false;
  }
}

bool RegexMatches(const Regex& regex, const doc::Value* v) {
  if (v == nullptr) return false;
  if (const auto* s = v->get_if<std::string>()) return regex.Matches(*s);
  if (const auto* r = v->get_if<doc::Regex>()) {
    return r->pattern == regex.pattern() && r->options == regex.options();
  }
  return false;
}

doc::Document ArrayAsDocument(const doc::Array& array) {
  doc::Document d;
  for (std::size_t i = 0; i < array.size(); ++i) d.Append(std::to_string(i), array[i]);
  return d;
}

bool MatchesValue(const Node& node, const doc::Value* v);

// The position of the first element of the array *v that an $elemMatch leaf
// accepts; empty when none does or *v is not an array.
std::optional<std::size_t> FirstElemMatch(const Node& node, const doc::Value* v) {
  if (v == nullptr || !v->is_array()) return std::nullopt;
  const doc::Array& array = v->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const doc::Value& e = array[i];
    if (node.op == LeafOp::kElemMatchObject) {
      if (const auto* d = e.get_if<doc::Document>()) {
        if (MatchesDocument(*node.children[0], *d)) return i;
      } else if (const auto* a = e.get_if<doc::Array>()) {
        if (MatchesDocument(*node.children[0], ArrayAsDocument(*a))) return i;
      }
      continue;
    }
    bool all = true;
    for (const auto& child : node.children) {
      if (!MatchesValue(*child, &e)) {
        all = false;
        break;
      }
    }
    if (all) return i;
  }
  return std::nullopt;
}

// One leaf against one value, without looking into arrays.
bool LeafTest(const Node& node, const doc::Value* v) {
  switch (node.op) {
    case LeafOp::kEq:
    case LeafOp::kLt:
    case LeafOp::kLte:
    case LeafOp::kGt:
    case LeafOp::kGte:
      return CompareMatches(node.op, node.operand, v);
    case LeafOp::kIn:
      for (const doc::Value& candidate : node.in_values) {
        if (CompareMatches(LeafOp::kEq, candidate, v)) return true;
      }
      for (const auto& regex : node.regexes) {
        if (RegexMatches(*regex, v)) return true;
      }
      return false;
    case LeafOp::kExists:
      return v != nullptr;
    case LeafOp::kType:
      if (v == nullptr) return false;
      if (node.type_number && v->is_number()) return true;
      return std::find(node.types.begin(), node.types.end(), v->type()) != node.types.end();
    case LeafOp::kRegex:
      return RegexMatches(*node.regexes[0], v);
    case LeafOp::kSize:
      return v != nullptr && v->is_array() &&
             static_cast<std::int64_t>(v->as_array().size()) == node.size;
    case LeafOp::kElemMatchObject:
    case LeafOp::kElemMatchValue:
      return FirstElemMatch(node, v).has_value();
    case LeafOp::kPredicate:
      return v != nullptr && node.predicate->Test(*v);
  }
  return false;
}

// Operators that also test each element of an array they reach.
bool ExpandsArrays(LeafOp op) {
  return op != LeafOp::kSize && op != LeafOp::kElemMatchObject && op != LeafOp::kElemMatchValue &&
         op != LeafOp::kExists;
}

bool LeafReached(const Node& node, const doc::Value* v) {
  if (LeafTest(node, v)) return true;
  if (v != nullptr && ExpandsArrays(node.op)) {
    if (const auto* a = v->get_if<doc::Array>()) {
      for (const doc::Value& e : *a) {
        if (LeafTest(node, &e)) return true;
      }
    }
  }
  return false;
}

// Evaluation against a single value (inside $elemMatch's value form).
bool MatchesValue(const Node& node, const doc::Value* v) {
  switch (node.kind) {
    case NodeKind::kAnd:
      for (const auto& c : node.children) {
        if (!MatchesValue(*c, v)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (const auto& c : node.children) {
        if (MatchesValue(*c, v)) return true;
      }
      return false;
    case NodeKind::kNor:
      for (const auto& c : node.children) {
        if (MatchesValue(*c, v)) return false;
      }
      return true;
    case NodeKind::kNot:
      return !MatchesValue(*node.children[0], v);
    case NodeKind::kAlways:
      return true;
    case NodeKind::kNever:
    case NodeKind::kExpr:  // refused inside $elemMatch by the parser
      return false;
    case NodeKind::kLeaf:
      return LeafTest(node, v);
    case NodeKind::kDocumentPredicate:  // the parser allows these at the top level only
      return false;
  }
  return false;
}

}  // namespace

bool MatchesDocument(const Node& node, const doc::Document& document) {
  switch (node.kind) {
    case NodeKind::kAnd:
      for (const auto& c : node.children) {
        if (!MatchesDocument(*c, document)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (const auto& c : node.children) {
        if (MatchesDocument(*c, document)) return true;
      }
      return false;
    case NodeKind::kNor:
      for (const auto& c : node.children) {
        if (MatchesDocument(*c, document)) return false;
      }
      return true;
    case NodeKind::kNot:
      return !MatchesDocument(*node.children[0], document);
    case NodeKind::kAlways:
      return true;
    case NodeKind::kNever:
      return false;
    case NodeKind::kExpr: {
      // A runtime error (say $divide by zero) cannot surface through a bool;
      // the document does not match (docs/query-language.md).
      expr::EvalContext ctx;
      ctx.root = &document;
      ctx.now_millis = node.now_millis;
      base::Result<std::optional<doc::Value>> v = node.expression->Evaluate(ctx);
      return v.ok() && expr::IsTruthy(*v);
    }
    case NodeKind::kDocumentPredicate:
      return node.document_predicate->Test(document);
    case NodeKind::kLeaf: {
      if (!node.path) return false;  // pathless leaves only occur under kElemMatchValue
      if (node.path->size() == 1) {  // fast path: no traversal, no allocation
        return LeafReached(node, document.Get((*node.path)[0]));
      }
      std::vector<const doc::Value*> reached;
      CollectWithMissing(document, *node.path, &reached);
      for (const doc::Value* v : reached) {
        if (LeafReached(node, v)) return true;
      }
      return false;
    }
  }
  return false;
}

namespace {

// A leaf against one reached value, telling which array element matched:
// *index is `outer` when the path already crossed an array, else the
// position of the matching element of the value itself (when it is an array
// and matched through an element). Returns whether the leaf matched.
bool LeafReachedWithIndex(const Node& node, const ReachedValue& r,
                          std::optional<std::size_t>* index) {
  const doc::Value* v = r.value;
  if (node.op == LeafOp::kElemMatchObject || node.op == LeafOp::kElemMatchValue) {
    std::optional<std::size_t> at = FirstElemMatch(node, v);
    if (!at) return false;
    *index = r.index ? r.index : at;
    return true;
  }
  if (LeafTest(node, v)) {
    *index = r.index;
    return true;
  }
  if (v != nullptr && ExpandsArrays(node.op)) {
    if (const auto* a = v->get_if<doc::Array>()) {
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (LeafTest(node, &(*a)[i])) {
          *index = r.index ? r.index : std::optional<std::size_t>(i);
          return true;
        }
      }
    }
  }
  return false;
}

}  // namespace

bool MatchesDocumentWithIndex(const Node& node, const doc::Document& document,
                              std::optional<std::size_t>* index) {
  switch (node.kind) {
    case NodeKind::kAnd:
      // Every child is evaluated with the details; a later child that
      // matched through an array overrides an earlier one, as in MongoDB.
      for (const auto& c : node.children) {
        if (!MatchesDocumentWithIndex(*c, document, index)) return false;
      }
      return true;
    case NodeKind::kOr:
      // MongoDB keeps no array position from $or branches (nor from $nor and
      // $not below), except that a one-branch $or is its branch.
      if (node.children.size() == 1) {
        return MatchesDocumentWithIndex(*node.children[0], document, index);
      }
      return MatchesDocument(node, document);
    case NodeKind::kNor:
    case NodeKind::kNot:
    case NodeKind::kAlways:
    case NodeKind::kNever:
    case NodeKind::kExpr:  // an expression names no array position
    case NodeKind::kDocumentPredicate:  // nor does a schema
      return MatchesDocument(node, document);
    case NodeKind::kLeaf: {
      if (!node.path) return false;
      std::vector<ReachedValue> reached;
      CollectWithMissingIndexed(document, *node.path, &reached);
      for (const ReachedValue& r : reached) {
        std::optional<std::size_t> at;
        if (LeafReachedWithIndex(node, r, &at)) {
          if (at) *index = at;
          return true;
        }
      }
      return false;
    }
  }
  return false;
}

}  // namespace plinth::matcher
