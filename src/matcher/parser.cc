#include "matcher/parser.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "doc/compare.h"
#include "doc/decimal128.h"
#include "matcher/bits.h"
#include "matcher/json_schema.h"
#include "matcher/mod.h"

namespace plinth::matcher {
namespace {

using base::Result;
using base::Status;
using NodePtr = std::unique_ptr<const Node>;

Status DepthError(std::size_t max_depth) {
  return Status(base::ErrorCode::kDepthLimitExceeded,
                "exceeded maximum query tree depth of " + std::to_string(max_depth));
}

bool IsDbRefField(std::string_view name) {
  return name == "$ref" || name == "$id" || name == "$db";
}

// MongoDB's rule: an object whose first field is an operator is an operator
// object (all its fields must be operators); otherwise it is a literal.
bool IsExpressionDocument(const doc::Document& d) {
  if (d.empty()) return false;
  const std::string& first = d.fields()[0].first;
  return !first.empty() && first[0] == '$' && !IsDbRefField(first);
}

std::unique_ptr<Node> MakeLeaf(const std::optional<doc::FieldPath>& path, LeafOp op) {
  auto node = std::make_unique<Node>();
  node->kind = NodeKind::kLeaf;
  node->op = op;
  node->path = path;
  return node;
}

NodePtr MakeNot(NodePtr child) {
  auto node = std::make_unique<Node>();
  node->kind = NodeKind::kNot;
  node->children.push_back(std::move(child));
  return node;
}

NodePtr MakeKind(NodeKind kind) {
  auto node = std::make_unique<Node>();
  node->kind = kind;
  return node;
}

// MongoDB's truthiness for $exists operands.
bool TrueValue(const doc::Value& v) {
  if (v.is_null() || v.type() == doc::Type::kUndefined) return false;
  if (v.is_bool()) return v.as_bool();
  if (v.is_number()) return !doc::ValuesEqual(v, doc::Value(0));
  return true;
}

Result<std::int64_t> WholeNumber(const doc::Value& v, std::string_view what) {
  if (const auto* i = v.get_if<std::int32_t>()) return std::int64_t{*i};
  if (const auto* l = v.get_if<std::int64_t>()) return *l;
  if (!v.is_number()) return base::BadValue(std::string(what) + " needs a number");
  double d = 0;
  if (const auto* dd = v.get_if<double>()) {
    d = *dd;
  } else {
    d = std::strtod(doc::Decimal128ToString(v.as_decimal128()).c_str(), nullptr);
  }
  if (std::isnan(d) || d != std::floor(d) || std::fabs(d) > 9.0e15 ||
      !doc::ValuesEqual(v, doc::Value(static_cast<std::int64_t>(d)))) {
    return base::BadValue(std::string(what) + " must be a whole number");
  }
  return static_cast<std::int64_t>(d);
}

struct TypeAlias {
  std::string_view name;
  doc::Type type;
};
constexpr TypeAlias kTypeAliases[] = {
    {"double", doc::Type::kDouble},     {"string", doc::Type::kString},
    {"object", doc::Type::kDocument},   {"array", doc::Type::kArray},
    {"binData", doc::Type::kBinary},    {"undefined", doc::Type::kUndefined},
    {"objectId", doc::Type::kObjectId}, {"bool", doc::Type::kBool},
    {"date", doc::Type::kDate},         {"null", doc::Type::kNull},
    {"regex", doc::Type::kRegex},       {"javascript", doc::Type::kJavaScript},
    {"int", doc::Type::kInt32},         {"timestamp", doc::Type::kTimestamp},
    {"long", doc::Type::kInt64},        {"decimal", doc::Type::kDecimal128},
    {"minKey", doc::Type::kMinKey},     {"maxKey", doc::Type::kMaxKey},
};

// Adds one $type operand (a code or an alias) to *node.
Status AddType(const doc::Value& v, Node* node) {
  if (v.is_string()) {
    const std::string& name = v.as_string();
    if (name == "number") {
      node->type_number = true;
      return Status::Ok();
    }
    // Types the value model cannot hold: valid names that never match.
    if (name == "dbPointer" || name == "symbol" || name == "javascriptWithScope") {
      return Status::Ok();
    }
    for (const TypeAlias& alias : kTypeAliases) {
      if (alias.name == name) {
        node->types.push_back(alias.type);
        return Status::Ok();
      }
    }
    return base::BadValue("Unknown type name alias: " + name);
  }
  if (v.is_number()) {
    auto code = WholeNumber(v, "$type");
    if (!code.ok()) return base::BadValue("Invalid numerical type code");
    const std::int64_t c = *code;
    if (c == 12 || c == 14 || c == 15) return Status::Ok();
    if ((c >= 1 && c <= 19 && c != 12) || c == -1 || c == 127) {
      node->types.push_back(static_cast<doc::Type>(c));
      return Status::Ok();
    }
    return base::BadValue("Invalid numerical type code: " + std::to_string(c));
  }
  return base::BadValue("type must be represented as a number or a string");
}

NodePtr MakePredicateLeaf(const std::optional<doc::FieldPath>& path,
                          std::shared_ptr<const ValuePredicate> predicate) {
  auto leaf = MakeLeaf(path, LeafOp::kPredicate);
  leaf->predicate = std::move(predicate);
  return leaf;
}

// Refusals that say why, so a client does not retry with another syntax.
Status GeoRefusal(const std::string& name) {
  return base::BadValue(name +
                        " is not supported: Plinth has no geospatial queries or 2d/2dsphere "
                        "indexes");
}

Status TextRefusal() {
  return base::BadValue("$text is not supported: Plinth has no text indexes");
}

Status JsonSchemaPlacementError() {
  return base::BadValue("$jsonSchema can only be applied to the top-level document");
}

class Parser {
 public:
  explicit Parser(std::size_t max_depth) : max_depth_(max_depth) {}

  // A filter document: an AND of its fields.
  Result<NodePtr> ParseDocument(const doc::Document& filter, std::size_t depth) {
    if (depth > max_depth_) return DepthError(max_depth_);
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::kAnd;
    for (const auto& [name, value] : filter) {
      if (!name.empty() && name[0] == '$') {
        PLINTH_RETURN_IF_ERROR(ParseTopLevelOperator(name, value, depth, node.get()));
        continue;
      }
      auto path = doc::FieldPath::Parse(name);
      if (!path.ok()) return path.status();
      PLINTH_RETURN_IF_ERROR(ParseField(*path, value, depth, &node->children));
    }
    return NodePtr(std::move(node));
  }

 private:
  Status ParseTopLevelOperator(const std::string& name, const doc::Value& value, std::size_t depth,
                               Node* parent) {
    if (name == "$and" || name == "$or" || name == "$nor") {
      if (!value.is_array()) return base::BadValue(name + " must be an array");
      if (value.as_array().empty()) {
        return base::BadValue("$and/$or/$nor must be a nonempty array");
      }
      auto node = std::make_unique<Node>();
      node->kind = name == "$and" ? NodeKind::kAnd : name == "$or" ? NodeKind::kOr : NodeKind::kNor;
      for (const doc::Value& entry : value.as_array()) {
        if (!entry.is_document()) {
          return base::BadValue("$or/$and/$nor entries need to be full objects");
        }
        PLINTH_ASSIGN_OR_RETURN(NodePtr child, ParseDocument(entry.as_document(), depth + 1));
        node->children.push_back(std::move(child));
      }
      parent->children.push_back(std::move(node));
      return Status::Ok();
    }
    if (name == "$comment") return Status::Ok();
    if (name == "$alwaysTrue" || name == "$alwaysFalse") {
      if (!value.is_number() || !doc::ValuesEqual(value, doc::Value(1))) {
        return base::BadValue(name + " must be an integer value of 1");
      }
      parent->children.push_back(
          MakeKind(name == "$alwaysTrue" ? NodeKind::kAlways : NodeKind::kNever));
      return Status::Ok();
    }
    if (name == "$where" || name == "$function") {
      return base::BadValue(name + " is not supported: Plinth does not run JavaScript in queries");
    }
    if (name == "$expr") {
      if (elem_match_depth_ > 0) {
        return base::BadValue("$expr can only be applied to the top-level document");
      }
      PLINTH_ASSIGN_OR_RETURN(expr::Expression e, expr::Expression::Parse(value));
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::kExpr;
      node->expression = std::move(e);
      node->now_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
      parent->children.push_back(std::move(node));
      return Status::Ok();
    }
    if (name == "$jsonSchema") {
      // MongoDB applies $jsonSchema to the whole document only: inside an
      // $elemMatch it would have to mean the array element instead.
      if (elem_match_depth_ > 0) return JsonSchemaPlacementError();
      PLINTH_ASSIGN_OR_RETURN(auto schema, ParseJsonSchema(value, max_depth_));
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::kDocumentPredicate;
      node->document_predicate = std::move(schema);
      parent->children.push_back(std::move(node));
      return Status::Ok();
    }
    if (name == "$text") return TextRefusal();
    if (name == "$sampleRate") {
      return base::BadValue(name + " is not supported yet");
    }
    return base::BadValue("unknown top level operator: " + name);
  }

  // One "path: value" entry of a filter document.
  Status ParseField(const doc::FieldPath& path, const doc::Value& value, std::size_t depth,
                    std::vector<NodePtr>* out) {
    if (const auto* r = value.get_if<doc::Regex>()) {
      auto leaf = MakeLeaf(path, LeafOp::kRegex);
      PLINTH_ASSIGN_OR_RETURN(auto regex, Regex::Compile(r->pattern, r->options));
      leaf->regexes.push_back(std::move(regex));
      out->push_back(std::move(leaf));
      return Status::Ok();
    }
    if (const auto* d = value.get_if<doc::Document>(); d != nullptr && IsExpressionDocument(*d)) {
      return ParseOperators(path, *d, depth, out);
    }
    auto leaf = MakeLeaf(path, LeafOp::kEq);
    leaf->operand = value;
    out->push_back(std::move(leaf));
    return Status::Ok();
  }

  // An operator object {$gt: 1, $lt: 5, ...} applied at `path` (absent inside
  // $elemMatch's value form). Appends one node per operator.
  Status ParseOperators(const std::optional<doc::FieldPath>& path, const doc::Document& ops,
                        std::size_t depth, std::vector<NodePtr>* out) {
    if (depth > max_depth_) return DepthError(max_depth_);
    const doc::Value* regex_value = nullptr;
    const doc::Value* options_value = nullptr;
    for (const auto& [name, value] : ops) {
      if (name == "$regex") {
        regex_value = &value;
        continue;
      }
      if (name == "$options") {
        options_value = &value;
        continue;
      }
      PLINTH_RETURN_IF_ERROR(ParseOperator(path, name, value, depth, out));
    }
    if (options_value != nullptr && regex_value == nullptr) {
      return base::BadValue("$options needs a $regex");
    }
    if (regex_value != nullptr) {
      std::string pattern;
      std::string options;
      if (const auto* r = regex_value->get_if<doc::Regex>()) {
        pattern = r->pattern;
        options = r->options;
        if (options_value != nullptr && !options.empty()) {
          return base::BadValue("options set in both $regex and $options");
        }
      } else if (regex_value->is_string()) {
        pattern = regex_value->as_string();
      } else {
        return base::BadValue("$regex has to be a string");
      }
      if (options_value != nullptr) {
        if (!options_value->is_string()) return base::BadValue("$options has to be a string");
        options = options_value->as_string();
      }
      auto leaf = MakeLeaf(path, LeafOp::kRegex);
      PLINTH_ASSIGN_OR_RETURN(auto regex, Regex::Compile(pattern, options));
      leaf->regexes.push_back(std::move(regex));
      out->push_back(std::move(leaf));
    }
    return Status::Ok();
  }

  Status ParseOperator(const std::optional<doc::FieldPath>& path, const std::string& name,
                       const doc::Value& value, std::size_t depth, std::vector<NodePtr>* out) {
    struct Cmp {
      std::string_view name;
      LeafOp op;
    };
    static constexpr Cmp kComparisons[] = {{"$eq", LeafOp::kEq},
                                           {"$lt", LeafOp::kLt},
                                           {"$lte", LeafOp::kLte},
                                           {"$gt", LeafOp::kGt},
                                           {"$gte", LeafOp::kGte}};
    for (const Cmp& cmp : kComparisons) {
      if (name == cmp.name) {
        auto leaf = MakeLeaf(path, cmp.op);
        leaf->operand = value;
        out->push_back(std::move(leaf));
        return Status::Ok();
      }
    }
    if (name == "$ne") {
      if (value.type() == doc::Type::kRegex)
        return base::BadValue("Can't have regex as arg to $ne.");
      auto leaf = MakeLeaf(path, LeafOp::kEq);
      leaf->operand = value;
      out->push_back(MakeNot(std::move(leaf)));
      return Status::Ok();
    }
    if (name == "$in" || name == "$nin") {
      if (!value.is_array()) return base::BadValue(name + " needs an array");
      auto leaf = MakeLeaf(path, LeafOp::kIn);
      for (const doc::Value& v : value.as_array()) {
        if (const auto* r = v.get_if<doc::Regex>()) {
          PLINTH_ASSIGN_OR_RETURN(auto regex, Regex::Compile(r->pattern, r->options));
          leaf->regexes.push_back(std::move(regex));
        } else if (const auto* d = v.get_if<doc::Document>();
                   d != nullptr && IsExpressionDocument(*d)) {
          return base::BadValue("cannot nest $ under " + name);
        } else {
          leaf->in_values.push_back(v);
        }
      }
      out->push_back(name == "$in" ? NodePtr(std::move(leaf)) : MakeNot(std::move(leaf)));
      return Status::Ok();
    }
    if (name == "$exists") {
      auto leaf = MakeLeaf(path, LeafOp::kExists);
      out->push_back(TrueValue(value) ? NodePtr(std::move(leaf)) : MakeNot(std::move(leaf)));
      return Status::Ok();
    }
    if (name == "$type") {
      auto leaf = MakeLeaf(path, LeafOp::kType);
      if (const auto* a = value.get_if<doc::Array>()) {
        for (const doc::Value& v : *a) PLINTH_RETURN_IF_ERROR(AddType(v, leaf.get()));
      } else {
        PLINTH_RETURN_IF_ERROR(AddType(value, leaf.get()));
      }
      out->push_back(std::move(leaf));
      return Status::Ok();
    }
    if (name == "$size") {
      if (!value.is_number()) return base::BadValue("$size needs a number");
      PLINTH_ASSIGN_OR_RETURN(std::int64_t size, WholeNumber(value, "$size"));
      if (size < 0) return base::BadValue("$size may not be negative");
      auto leaf = MakeLeaf(path, LeafOp::kSize);
      leaf->size = size;
      out->push_back(std::move(leaf));
      return Status::Ok();
    }
    if (name == "$elemMatch") {
      PLINTH_ASSIGN_OR_RETURN(NodePtr node, ParseElemMatch(path, value, depth));
      out->push_back(std::move(node));
      return Status::Ok();
    }
    if (name == "$all") return ParseAll(path, value, depth, out);
    if (name == "$not") {
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::kAnd;
      if (const auto* r = value.get_if<doc::Regex>()) {
        auto leaf = MakeLeaf(path, LeafOp::kRegex);
        PLINTH_ASSIGN_OR_RETURN(auto regex, Regex::Compile(r->pattern, r->options));
        leaf->regexes.push_back(std::move(regex));
        node->children.push_back(std::move(leaf));
      } else if (const auto* d = value.get_if<doc::Document>()) {
        if (d->empty()) return base::BadValue("$not cannot be empty");
        if (!IsExpressionDocument(*d)) {
          return base::BadValue("unknown operator: " + d->fields()[0].first);
        }
        PLINTH_RETURN_IF_ERROR(ParseOperators(path, *d, depth + 1, &node->children));
      } else {
        return base::BadValue("$not needs a regex or a document");
      }
      out->push_back(MakeNot(std::move(node)));
      return Status::Ok();
    }
    if (name == "$mod") {
      PLINTH_ASSIGN_OR_RETURN(auto predicate, ParseMod(value));
      out->push_back(MakePredicateLeaf(path, std::move(predicate)));
      return Status::Ok();
    }
    if (IsBitTestOperator(name)) {
      PLINTH_ASSIGN_OR_RETURN(auto predicate, ParseBitTest(name, value));
      out->push_back(MakePredicateLeaf(path, std::move(predicate)));
      return Status::Ok();
    }
    if (name == "$geoWithin" || name == "$geoIntersects" || name == "$near" ||
        name == "$nearSphere" || name == "$within") {
      return GeoRefusal(name);
    }
    if (name == "$text") return TextRefusal();
    if (name == "$jsonSchema") return JsonSchemaPlacementError();
    if (name == "$expr" || name == "$where") {
      return base::BadValue(name + " is not supported yet");
    }
    return base::BadValue("unknown operator: " + name);
  }

  Result<NodePtr> ParseElemMatch(const std::optional<doc::FieldPath>& path, const doc::Value& value,
                                 std::size_t depth) {
    if (!value.is_document()) return base::BadValue("$elemMatch needs an Object");
    if (depth + 1 > max_depth_) return DepthError(max_depth_);
    const doc::Document& d = value.as_document();
    bool value_form = false;
    if (IsExpressionDocument(d)) {
      const std::string& first = d.fields()[0].first;
      value_form =
          !(first == "$and" || first == "$or" || first == "$nor" || first == "$where" ||
            first == "$expr" || first == "$text" || first == "$comment" || first == "$jsonSchema" ||
            first == "$alwaysTrue" || first == "$alwaysFalse" || first == "$function");
    }
    if (value_form) {
      auto node = MakeLeaf(path, LeafOp::kElemMatchValue);
      std::vector<NodePtr> children;
      PLINTH_RETURN_IF_ERROR(ParseOperators(std::nullopt, d, depth + 1, &children));
      node->children = std::move(children);
      return NodePtr(std::move(node));
    }
    auto node = MakeLeaf(path, LeafOp::kElemMatchObject);
    ++elem_match_depth_;
    auto parsed = ParseDocument(d, depth + 1);
    --elem_match_depth_;
    PLINTH_ASSIGN_OR_RETURN(NodePtr child, std::move(parsed));
    node->children.push_back(std::move(child));
    return NodePtr(std::move(node));
  }

  Status ParseAll(const std::optional<doc::FieldPath>& path, const doc::Value& value,
                  std::size_t depth, std::vector<NodePtr>* out) {
    if (!value.is_array()) return base::BadValue("$all needs an array");
    const doc::Array& all = value.as_array();
    if (all.empty()) {
      out->push_back(MakeKind(NodeKind::kNever));
      return Status::Ok();
    }
    auto is_elem_match = [](const doc::Value& v) {
      const auto* d = v.get_if<doc::Document>();
      return d != nullptr && !d->empty() && d->fields()[0].first == "$elemMatch";
    };
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::kAnd;
    node->from_all = true;
    if (is_elem_match(all[0])) {
      for (const doc::Value& v : all) {
        if (!is_elem_match(v)) return base::BadValue("$all/$elemMatch has to be consistent");
        if (v.as_document().size() != 1)
          return base::BadValue("$all/$elemMatch has to be consistent");
        PLINTH_ASSIGN_OR_RETURN(NodePtr child,
                                ParseElemMatch(path, v.as_document().fields()[0].second, depth));
        node->children.push_back(std::move(child));
      }
    } else {
      for (const doc::Value& v : all) {
        if (const auto* r = v.get_if<doc::Regex>()) {
          auto leaf = MakeLeaf(path, LeafOp::kRegex);
          PLINTH_ASSIGN_OR_RETURN(auto regex, Regex::Compile(r->pattern, r->options));
          leaf->regexes.push_back(std::move(regex));
          node->children.push_back(std::move(leaf));
        } else if (const auto* d = v.get_if<doc::Document>();
                   d != nullptr && IsExpressionDocument(*d)) {
          return base::BadValue("no $ expressions in $all");
        } else {
          auto leaf = MakeLeaf(path, LeafOp::kEq);
          leaf->operand = v;
          node->children.push_back(std::move(leaf));
        }
      }
    }
    out->push_back(std::move(node));
    return Status::Ok();
  }

  std::size_t max_depth_;
  // How many $elemMatch object forms enclose the document being parsed; 0
  // means the filter's top level (also inside top-level $and/$or/$nor).
  int elem_match_depth_ = 0;
};

}  // namespace

base::Result<std::unique_ptr<const Node>> ParseFilter(const doc::Document& filter,
                                                      std::size_t max_depth) {
  return Parser(max_depth).ParseDocument(filter, 1);
}

}  // namespace plinth::matcher
