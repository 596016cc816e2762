#include "matcher/matcher.h"

#include "doc/compare.h"
#include "matcher/expression.h"
#include "matcher/parser.h"

namespace plinth::matcher {
namespace {

using Equalities = std::vector<std::pair<doc::FieldPath, doc::Value>>;

void AddEquality(const doc::FieldPath& path, const doc::Value& value, Equalities* out) {
  for (const auto& [p, v] : *out) {
    if (p == path) return;  // the first equality on a path wins
  }
  out->emplace_back(path, value);
}

bool UsableValue(const doc::Value& v) { return v.type() != doc::Type::kRegex; }

// Walks the top-level AND (and nested $and nodes) for plain equalities.
void CollectEqualities(const Node& node, Equalities* out) {
  if (node.kind == NodeKind::kAnd && !node.from_all) {
    for (const auto& child : node.children) CollectEqualities(*child, out);
    return;
  }
  if (node.kind != NodeKind::kLeaf || !node.path) return;
  if (node.op == LeafOp::kEq && UsableValue(node.operand)) {
    AddEquality(*node.path, node.operand, out);
  } else if (node.op == LeafOp::kIn && node.in_values.size() == 1 && node.regexes.empty()) {
    AddEquality(*node.path, node.in_values[0], out);
  }
}

// Walks the top-level AND for $in conditions of several values.
void CollectIns(const Node& node, std::vector<InField>* out) {
  if (node.kind == NodeKind::kAnd && !node.from_all) {
    for (const auto& child : node.children) CollectIns(*child, out);
    return;
  }
  if (node.kind != NodeKind::kLeaf || !node.path) return;
  if (node.op == LeafOp::kIn && node.in_values.size() > 1 && node.regexes.empty()) {
    out->push_back(InField{*node.path, node.in_values});
  }
}

}  // namespace

Matcher::~Matcher() = default;

base::Result<std::shared_ptr<const Matcher>> Matcher::Parse(const doc::Document& filter,
                                                            const ParseOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<const Node> root, ParseFilter(filter, options.max_depth));
  std::shared_ptr<Matcher> matcher(new Matcher());
  matcher->matches_everything_ = root->kind == NodeKind::kAnd && root->children.empty();
  CollectEqualities(*root, &matcher->equality_fields_);
  CollectIns(*root, &matcher->in_fields_);
  matcher->root_ = std::move(root);
  return std::shared_ptr<const Matcher>(std::move(matcher));
}

bool Matcher::Matches(const doc::Document& document) const {
  return MatchesDocument(*root_, document);
}

bool Matcher::Matches(const doc::Document& document, MatchDetails* details) const {
  *details = MatchDetails{};
  return MatchesDocumentWithIndex(*root_, document, &details->array_index);
}

}  // namespace plinth::matcher
