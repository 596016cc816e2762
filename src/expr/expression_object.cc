#include "expr/expression_object.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "doc/ejson.h"

namespace plinth::expr {

struct ExpressionObject::Node {
  std::vector<std::pair<std::string, Node>> children;  // spec order
  bool include = false;                                // $project 1/true
  bool exclude = false;                                // $project _id: 0
  std::optional<Expression> expr;
  bool has_computed = false;  // this subtree holds an expression

  Node* Find(std::string_view name) {
    for (auto& [n, child] : children) {
      if (n == name) return &child;
    }
    return nullptr;
  }
  const Node* Find(std::string_view name) const {
    for (const auto& [n, child] : children) {
      if (n == name) return &child;
    }
    return nullptr;
  }
  bool is_subtree() const { return !include && !exclude && !expr.has_value(); }
};

namespace {

using base::Result;
using base::Status;
using Node = ExpressionObject::Node;
using Mode = ExpressionObject::Mode;

bool IsOperatorDocument(const doc::Value& v) {
  const auto* d = v.get_if<doc::Document>();
  return d != nullptr && !d->empty() && !d->fields()[0].first.empty() &&
         d->fields()[0].first[0] == '$';
}

bool IsNestedSpec(const doc::Value& v) {
  const auto* d = v.get_if<doc::Document>();
  return d != nullptr && !d->empty() && !IsOperatorDocument(v);
}

std::string Stage(Mode mode) { return mode == Mode::kProject ? "$project" : "$addFields"; }

Status ParseInto(const doc::Document& spec, Mode mode, const ParseContext& ctx, Node* node,
                 const std::string& prefix, std::size_t depth) {
  if (depth > kMaxExpressionDepth) {
    return Status(base::ErrorCode::kDepthLimitExceeded,
                  Stage(mode) + " specification nests deeper than " +
                      std::to_string(kMaxExpressionDepth) + " levels");
  }
  for (const auto& [name, value] : spec) {
    if (name.empty())
      return base::BadValue("Invalid " + Stage(mode) +
                            " :: caused by :: FieldPath cannot be constructed with empty string");
    if (name[0] == '$') {
      return base::BadValue("Invalid " + Stage(mode) +
                            " :: caused by :: FieldPath field names may not start with '$'. "
                            "Consider using $getField or $setField.");
    }
    // Walk (and create) the dotted path.
    Node* at = node;
    std::string full = prefix;
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = name.find('.', start);
      const std::string part =
          name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (part.empty() || part[0] == '$') {
        return base::BadValue("Invalid " + Stage(mode) + " :: caused by :: invalid field path '" +
                              name + "'");
      }
      full += full.empty() ? part : "." + part;
      Node* child = at->Find(part);
      const bool last = dot == std::string::npos;
      if (child != nullptr && (!child->is_subtree() || last)) {
        return base::BadValue("Invalid " + Stage(mode) + " :: caused by :: Path collision at " +
                              full);
      }
      if (child == nullptr) {
        at->children.emplace_back(part, Node{});
        child = &at->children.back().second;
      }
      at = child;
      if (last) break;
      start = dot + 1;
    }
    if (mode == Mode::kProject && (value.is_number() || value.is_bool())) {
      if (IsTruthy(value)) {
        at->include = true;
      } else if (full == "_id") {
        at->exclude = true;
      } else {
        return base::BadValue("Invalid $project :: caused by :: Cannot do exclusion on field " +
                              full + " in inclusion projection");
      }
    } else if (IsNestedSpec(value)) {
      PLINTH_RETURN_IF_ERROR(ParseInto(value.as_document(), mode, ctx, at, full, depth + 1));
      if (at->children.empty()) {
        return base::BadValue("Invalid " + Stage(mode) +
                              " :: caused by :: An empty sub-projection is not a valid value. "
                              "Found empty object at path");
      }
    } else if (mode == Mode::kProject && value.is_document() && value.as_document().empty()) {
      return base::BadValue(
          "Invalid $project :: caused by :: An empty sub-projection is not a valid value. Found "
          "empty object at path");
    } else {
      PLINTH_ASSIGN_OR_RETURN(Expression e, Expression::Parse(value, ctx));
      at->expr = std::move(e);
    }
  }
  return Status::Ok();
}

// Marks every node whose subtree holds an expression, so $project can build
// a sub-document that the input lacks ({"b.e": <expr>} without b).
bool MarkComputed(Node* node) {
  bool any = false;
  for (auto& [n, child] : node->children) {
    if (MarkComputed(&child) || child.expr.has_value()) any = true;
  }
  node->has_computed = any;
  return any;
}

bool HasExpressions(const doc::Document& spec) {
  for (const auto& [name, value] : spec) {
    if (value.is_number() || value.is_bool()) continue;
    if (IsNestedSpec(value)) {
      if (HasExpressions(value.as_document())) return true;
      continue;
    }
    return true;
  }
  return false;
}

Result<doc::Document> AddTo(const Node& node, doc::Document out, const EvalContext& ctx);

Result<doc::Value> AddToValue(const Node& node, const doc::Value* existing,
                              const EvalContext& ctx) {
  if (existing != nullptr && existing->is_document()) {
    PLINTH_ASSIGN_OR_RETURN(doc::Document d, AddTo(node, existing->as_document(), ctx));
    return doc::Value(std::move(d));
  }
  if (existing != nullptr && existing->is_array()) {
    doc::Array out;
    for (const doc::Value& e : existing->as_array()) {
      PLINTH_ASSIGN_OR_RETURN(doc::Value v, AddToValue(node, &e, ctx));
      out.Append(std::move(v));
    }
    return doc::Value(std::move(out));
  }
  PLINTH_ASSIGN_OR_RETURN(doc::Document d, AddTo(node, doc::Document{}, ctx));
  return doc::Value(std::move(d));
}

Result<doc::Document> AddTo(const Node& node, doc::Document out, const EvalContext& ctx) {
  for (const auto& [name, child] : node.children) {
    if (child.expr.has_value()) {
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> v, child.expr->Evaluate(ctx));
      if (v.has_value()) {
        out.Set(name, std::move(*v));
      } else {
        out.Remove(name);
      }
      continue;
    }
    PLINTH_ASSIGN_OR_RETURN(doc::Value v, AddToValue(child, out.Get(name), ctx));
    out.Set(name, std::move(v));
  }
  return out;
}

Result<doc::Document> Project(const Node& node, const doc::Document& in, const EvalContext& ctx,
                              bool top);

Result<doc::Array> ProjectArray(const Node& node, const doc::Array& in, const EvalContext& ctx) {
  doc::Array out;
  for (const doc::Value& e : in) {
    if (e.is_document()) {
      PLINTH_ASSIGN_OR_RETURN(doc::Document d, Project(node, e.as_document(), ctx, false));
      out.Append(doc::Value(std::move(d)));
    } else if (e.is_array()) {
      PLINTH_ASSIGN_OR_RETURN(doc::Array a, ProjectArray(node, e.as_array(), ctx));
      out.Append(doc::Value(std::move(a)));
    }
  }
  return out;
}

Result<doc::Document> Project(const Node& node, const doc::Document& in, const EvalContext& ctx,
                              bool top) {
  doc::Document out;
  if (top && node.Find("_id") == nullptr) {
    if (const doc::Value* id = in.Get("_id")) out.Append("_id", *id);
  }
  for (const auto& [name, v] : in) {
    const Node* child = node.Find(name);
    if (child == nullptr || child->exclude || child->expr.has_value() || out.Has(name)) continue;
    if (child->include) {
      out.Append(name, v);
    } else if (v.is_document()) {
      PLINTH_ASSIGN_OR_RETURN(doc::Document d, Project(*child, v.as_document(), ctx, false));
      out.Append(name, doc::Value(std::move(d)));
    } else if (v.is_array()) {
      PLINTH_ASSIGN_OR_RETURN(doc::Array a, ProjectArray(*child, v.as_array(), ctx));
      out.Append(name, doc::Value(std::move(a)));
    }
  }
  for (const auto& [name, child] : node.children) {
    if (child.expr.has_value()) {
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> v, child.expr->Evaluate(ctx));
      if (v.has_value()) out.Set(name, std::move(*v));
    } else if (child.has_computed && !out.Has(name)) {
      PLINTH_ASSIGN_OR_RETURN(doc::Document d, Project(child, doc::Document{}, ctx, false));
      out.Append(name, doc::Value(std::move(d)));
    }
  }
  return out;
}

}  // namespace

Result<ExpressionObject> ExpressionObject::Parse(const doc::Document& spec, Mode mode,
                                                 const ParseContext& ctx) {
  if (spec.empty()) {
    return base::BadValue("Invalid " + Stage(mode) +
                          " :: caused by :: specification must have at least one field");
  }
  auto root = std::make_shared<Node>();
  PLINTH_RETURN_IF_ERROR(ParseInto(spec, mode, ctx, root.get(), "", 1));
  MarkComputed(root.get());
  ExpressionObject out;
  out.root_ = std::move(root);
  out.mode_ = mode;
  return out;
}

bool ExpressionObject::ProjectHasExpressions(const doc::Document& spec) {
  return HasExpressions(spec);
}

Result<doc::Document> ExpressionObject::Apply(const doc::Document& input,
                                              const EvalContext& ctx) const {
  if (mode_ == Mode::kAddFields) return AddTo(*root_, input, ctx);
  return Project(*root_, input, ctx, true);
}

base::Result<doc::Document> EvaluateNewRoot(const Expression& new_root, const EvalContext& ctx) {
  PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> v, new_root.Evaluate(ctx));
  if (!v.has_value() || !v->is_document()) {
    return base::BadValue(
        "'newRoot' expression must evaluate to an object, but resulting value was: " +
        std::string(v.has_value() ? doc::ToRelaxedJson(*v) : "MISSING") +
        ". Type of resulting value: '" +
        std::string(v.has_value() ? doc::TypeName(v->type()) : "missing") + "'.");
  }
  return std::move(v->as_document());
}

}  // namespace plinth::expr
