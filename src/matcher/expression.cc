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
      if (v == nullptr || !v->is_array()) return false;
      for (const doc::Value& e : v->as_array()) {
        if (const auto* d = e.get_if<doc::Document>()) {
          if (MatchesDocument(*node.children[0], *d)) return true;
        } else if (const auto* a = e.get_if<doc::Array>()) {
          if (MatchesDocument(*node.children[0], ArrayAsDocument(*a))) return true;
        }
      }
      return false;
    case LeafOp::kElemMatchValue:
      if (v == nullptr || !v->is_array()) return false;
      for (const doc::Value& e : v->as_array()) {
        bool all = true;
        for (const auto& child : node.children) {
          if (!MatchesValue(*child, &e)) {
            all = false;
            break;
          }
        }
        if (all) return true;
      }
      return false;
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

}  // namespace plinth::matcher
