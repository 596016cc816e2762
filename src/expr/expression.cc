#include "expr/expression.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include "doc/compare.h"
#include "doc/ejson.h"
#include "expr/internal.h"

namespace plinth::expr {
namespace {

using base::Result;
using base::Status;
using doc::Value;
using NodePtr = std::unique_ptr<const ExprNode>;

Status DepthError() {
  return Status(
      base::ErrorCode::kDepthLimitExceeded,
      "expression nesting exceeds the limit of " + std::to_string(kMaxExpressionDepth) + " levels");
}

// MongoDB operators Plinth does not evaluate yet: refused by name, so the
// message says "not supported" rather than "unrecognized".
constexpr std::array<std::string_view, 52> kLaterOperators = {"$regexMatch",
                                                              "$regexFind",
                                                              "$regexFindAll",
                                                              "$replaceOne",
                                                              "$replaceAll",
                                                              "$dateAdd",
                                                              "$dateSubtract",
                                                              "$dateDiff",
                                                              "$dateTrunc",
                                                              "$dateFromString",
                                                              "$dateFromParts",
                                                              "$dateToParts",
                                                              "$mergeObjects",
                                                              "$objectToArray",
                                                              "$arrayToObject",
                                                              "$setUnion",
                                                              "$setIntersection",
                                                              "$setDifference",
                                                              "$setEquals",
                                                              "$setIsSubset",
                                                              "$anyElementTrue",
                                                              "$allElementsTrue",
                                                              "$zip",
                                                              "$sortArray",
                                                              "$getField",
                                                              "$setField",
                                                              "$unsetField",
                                                              "$rand",
                                                              "$sampleRate",
                                                              "$binarySize",
                                                              "$bsonSize",
                                                              "$sin",
                                                              "$cos",
                                                              "$tan",
                                                              "$asin",
                                                              "$acos",
                                                              "$atan",
                                                              "$atan2",
                                                              "$degreesToRadians",
                                                              "$radiansToDegrees",
                                                              "$meta",
                                                              "$sum",
                                                              "$avg",
                                                              "$min",
                                                              "$max",
                                                              "$stdDevPop",
                                                              "$stdDevSamp",
                                                              "$firstN",
                                                              "$lastN",
                                                              "$tsSecond",
                                                              "$tsIncrement",
                                                              "$toHashedIndexKey"};

// The user variable name rule: a lower-case ASCII letter or a non-ASCII
// byte first, then letters, digits, '_' or non-ASCII bytes.
Status CheckUserVariableName(std::string_view name) {
  if (name.empty()) return base::BadValue("empty variable names are not allowed");
  const auto c0 = static_cast<unsigned char>(name[0]);
  if (!((c0 >= 'a' && c0 <= 'z') || c0 >= 0x80)) {
    return base::BadValue("'" + std::string(name) +
                          "' starts with an invalid character for a user variable name");
  }
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '_' || c >= 0x80)) {
      return base::BadValue("'" + std::string(name) +
                            "' contains an invalid character for a variable name: '" +
                            std::string(1, ch) + "'");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SplitFieldPath(std::string_view dotted) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    std::string_view part =
        dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start);
    if (part.empty()) {
      return base::BadValue(dot == std::string_view::npos
                                ? "FieldPath must not end with a '.'."
                                : "FieldPath field names may not be empty strings.");
    }
    if (part[0] == '$') return base::BadValue("FieldPath field names may not start with '$'.");
    if (part.find('\0') != std::string_view::npos) {
      return base::BadValue("FieldPath field names may not contain '\\0'.");
    }
    out.emplace_back(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

bool IsDateOpName(std::string_view name) { return FindDateOp(name) != nullptr; }

class Parser {
 public:
  explicit Parser(const ParseContext& ctx) : scope_(ctx.variables) {}

  Result<NodePtr> Parse(const Value& raw, std::size_t depth) {
    if (depth > kMaxExpressionDepth) return DepthError();
    if (const auto* s = raw.get_if<std::string>(); s != nullptr && !s->empty() && (*s)[0] == '$') {
      return ParseReference(*s);
    }
    if (const auto* a = raw.get_if<doc::Array>()) {
      auto node = std::make_unique<ExprNode>();
      node->kind = ExprNode::Kind::kArray;
      for (const Value& v : *a) {
        PLINTH_ASSIGN_OR_RETURN(NodePtr child, Parse(v, depth + 1));
        node->constant_tree = node->constant_tree && child->constant_tree;
        node->args.push_back(std::move(child));
      }
      return NodePtr(std::move(node));
    }
    if (const auto* d = raw.get_if<doc::Document>(); d != nullptr && !d->empty()) {
      const std::string& first = d->fields()[0].first;
      if (!first.empty() && first[0] == '$') {
        if (d->size() != 1) {
          return base::BadValue(
              "an expression specification must contain exactly one field, the name of the "
              "expression. Found " +
              std::to_string(d->size()) + " fields in " + doc::ToRelaxedJson(*d));
        }
        return ParseOperator(first, d->fields()[0].second, depth);
      }
      auto node = std::make_unique<ExprNode>();
      node->kind = ExprNode::Kind::kObject;
      for (const auto& [name, value] : *d) {
        if (name.empty()) return base::BadValue("field names may not be empty strings");
        if (name[0] == '$') {
          return base::BadValue(
              "field names may not start with '$' (in an object literal: " + name + ")");
        }
        if (name.find('.') != std::string::npos) {
          return base::BadValue("FieldPath field names may not contain '.'. (" + name + ")");
        }
        if (std::find(node->names.begin(), node->names.end(), name) != node->names.end()) {
          return base::BadValue("duplicate field name in an object literal: " + name);
        }
        PLINTH_ASSIGN_OR_RETURN(NodePtr child, Parse(value, depth + 1));
        node->constant_tree = node->constant_tree && child->constant_tree;
        node->names.push_back(name);
        node->args.push_back(std::move(child));
      }
      return NodePtr(std::move(node));
    }
    return Constant(raw);
  }

 private:
  static NodePtr Constant(Value v) {
    auto node = std::make_unique<ExprNode>();
    node->kind = ExprNode::Kind::kConstant;
    node->constant = std::move(v);
    return node;
  }

  Result<NodePtr> ParseReference(const std::string& s) {
    auto node = std::make_unique<ExprNode>();
    node->constant_tree = false;
    if (s.size() >= 2 && s[1] == '$') {
      const std::string_view rest = std::string_view(s).substr(2);
      const std::size_t dot = rest.find('.');
      const std::string name(rest.substr(0, dot));
      if (dot != std::string_view::npos) {
        PLINTH_ASSIGN_OR_RETURN(node->path, SplitFieldPath(rest.substr(dot + 1)));
      }
      node->kind = ExprNode::Kind::kVariable;
      node->var = name;
      if (name == "ROOT" || name == "CURRENT" || name == "NOW" || name == "REMOVE") {
        return NodePtr(std::move(node));
      }
      if (name == "CLUSTER_TIME" || name == "SEARCH_META" || name == "USER_ROLES" ||
          name == "DESCEND" || name == "PRUNE" || name == "KEEP") {
        return base::BadValue("system variable $$" + name + " is not supported");
      }
      if (name.empty()) return base::BadValue("empty variable names are not allowed");
      PLINTH_RETURN_IF_ERROR(CheckUserVariableName(name));
      if (std::find(scope_.rbegin(), scope_.rend(), name) == scope_.rend()) {
        return base::BadValue("Use of undefined variable: " + name);
      }
      return NodePtr(std::move(node));
    }
    if (s.size() == 1) return base::BadValue("'$' by itself is not a valid FieldPath");
    node->kind = ExprNode::Kind::kPath;
    PLINTH_ASSIGN_OR_RETURN(node->path, SplitFieldPath(std::string_view(s).substr(1)));
    return NodePtr(std::move(node));
  }

  // The argument list of a positional operator: an array literal is the
  // list; any other value is the single argument.
  Result<std::vector<NodePtr>> ParseArgs(const Value& raw, std::size_t depth, bool* constant) {
    std::vector<NodePtr> out;
    auto add = [&](const Value& v) -> Status {
      PLINTH_ASSIGN_OR_RETURN(NodePtr child, Parse(v, depth + 1));
      *constant = *constant && child->constant_tree;
      out.push_back(std::move(child));
      return Status::Ok();
    };
    if (const auto* a = raw.get_if<doc::Array>()) {
      for (const Value& v : *a) PLINTH_RETURN_IF_ERROR(add(v));
    } else {
      PLINTH_RETURN_IF_ERROR(add(raw));
    }
    return out;
  }

  // An operator taking named arguments ({input: ..., as: ...}). `allowed`
  // lists the names in the order they are stored in node->args (absent ones
  // as nullptr); `required` those that must be present. Names in
  // `not_expressions` are taken as they are (the "as" names), not parsed.
  Status ParseNamed(const std::string& op, const Value& raw,
                    std::initializer_list<std::string_view> allowed,
                    std::initializer_list<std::string_view> required, ExprNode* node,
                    std::vector<const Value*>* raw_values) {
    if (!raw.is_document()) {
      return base::BadValue(op + " only supports an object as its argument");
    }
    raw_values->assign(allowed.size(), nullptr);
    for (const auto& [name, value] : raw.as_document()) {
      auto it = std::find(allowed.begin(), allowed.end(), name);
      if (it == allowed.end()) {
        return base::BadValue("Unrecognized parameter to " + op + ": " + name);
      }
      (*raw_values)[static_cast<std::size_t>(it - allowed.begin())] = &value;
    }
    std::size_t i = 0;
    for (std::string_view name : allowed) {
      if ((*raw_values)[i] == nullptr &&
          std::find(required.begin(), required.end(), name) != required.end()) {
        return base::BadValue("Missing '" + std::string(name) + "' parameter to " + op);
      }
      ++i;
    }
    node->args.resize(allowed.size());
    return Status::Ok();
  }

  Status ParseInto(const Value* raw, std::size_t depth, ExprNode* node, std::size_t slot) {
    if (raw == nullptr) return Status::Ok();
    PLINTH_ASSIGN_OR_RETURN(NodePtr child, Parse(*raw, depth + 1));
    node->constant_tree = node->constant_tree && child->constant_tree;
    node->args[slot] = std::move(child);
    return Status::Ok();
  }

  Result<std::string> AsName(const std::string& op, const Value* raw) {
    if (raw == nullptr) return std::string("this");
    if (!raw->is_string()) return base::BadValue(op + " 'as' must be a string");
    PLINTH_RETURN_IF_ERROR(CheckUserVariableName(raw->as_string()));
    return raw->as_string();
  }

  Result<NodePtr> ParseOperator(const std::string& op, const Value& raw, std::size_t depth) {
    if (depth + 1 > kMaxExpressionDepth) return DepthError();
    auto node = std::make_unique<ExprNode>();
    node->op_name = op;
    node->kind = ExprNode::Kind::kSpecial;
    std::vector<const Value*> named;
    if (op == "$literal") return Constant(raw);
    if (op == "$let") {
      node->special = Special::kLet;
      PLINTH_RETURN_IF_ERROR(
          ParseNamed(op, raw, {"vars", "in"}, {"vars", "in"}, node.get(), &named));
      if (!named[0]->is_document())
        return base::BadValue("invalid parameter: expected an object (vars)");
      std::vector<NodePtr> values;
      for (const auto& [name, value] : named[0]->as_document()) {
        PLINTH_RETURN_IF_ERROR(CheckUserVariableName(name));
        PLINTH_ASSIGN_OR_RETURN(NodePtr v, Parse(value, depth + 1));
        node->constant_tree = node->constant_tree && v->constant_tree;
        node->names.push_back(name);
        values.push_back(std::move(v));
      }
      const std::size_t mark = scope_.size();
      scope_.insert(scope_.end(), node->names.begin(), node->names.end());
      auto in = Parse(*named[1], depth + 1);
      scope_.resize(mark);
      if (!in.ok()) return in.status();
      node->constant_tree = node->constant_tree && (*in)->constant_tree;
      node->args.clear();
      node->args.push_back(std::move(in).value());
      for (auto& v : values) node->args.push_back(std::move(v));
      return NodePtr(std::move(node));
    }
    if (op == "$map" || op == "$filter") {
      const bool is_map = op == "$map";
      node->special = is_map ? Special::kMap : Special::kFilter;
      if (is_map) {
        PLINTH_RETURN_IF_ERROR(
            ParseNamed(op, raw, {"input", "in", "as"}, {"input", "in"}, node.get(), &named));
      } else {
        PLINTH_RETURN_IF_ERROR(ParseNamed(op, raw, {"input", "cond", "as", "limit"},
                                          {"input", "cond"}, node.get(), &named));
      }
      PLINTH_ASSIGN_OR_RETURN(std::string as, AsName(op, named[2]));
      PLINTH_RETURN_IF_ERROR(ParseInto(named[0], depth, node.get(), 0));
      if (!is_map) PLINTH_RETURN_IF_ERROR(ParseInto(named[3], depth, node.get(), 3));
      scope_.push_back(as);
      Status s = ParseInto(named[1], depth, node.get(), 1);
      scope_.pop_back();
      PLINTH_RETURN_IF_ERROR(s);
      node->names.push_back(as);
      node->constant_tree = false;
      return NodePtr(std::move(node));
    }
    if (op == "$reduce") {
      node->special = Special::kReduce;
      PLINTH_RETURN_IF_ERROR(ParseNamed(op, raw, {"input", "initialValue", "in"},
                                        {"input", "initialValue", "in"}, node.get(), &named));
      PLINTH_RETURN_IF_ERROR(ParseInto(named[0], depth, node.get(), 0));
      PLINTH_RETURN_IF_ERROR(ParseInto(named[1], depth, node.get(), 1));
      scope_.push_back("this");
      scope_.push_back("value");
      Status s = ParseInto(named[2], depth, node.get(), 2);
      scope_.resize(scope_.size() - 2);
      PLINTH_RETURN_IF_ERROR(s);
      node->constant_tree = false;
      return NodePtr(std::move(node));
    }
    if (op == "$cond") {
      node->special = Special::kCond;
      if (raw.is_document()) {
        PLINTH_RETURN_IF_ERROR(ParseNamed(op, raw, {"if", "then", "else"}, {"if", "then", "else"},
                                          node.get(), &named));
        for (std::size_t i = 0; i < 3; ++i) {
          PLINTH_RETURN_IF_ERROR(ParseInto(named[i], depth, node.get(), i));
        }
        return NodePtr(std::move(node));
      }
      bool constant = true;
      PLINTH_ASSIGN_OR_RETURN(node->args, ParseArgs(raw, depth, &constant));
      node->constant_tree = constant;
      if (node->args.size() != 3) return ArgCountError(op, 3, node->args.size());
      return NodePtr(std::move(node));
    }
    if (op == "$ifNull" || op == "$and" || op == "$or") {
      node->special = op == "$ifNull" ? Special::kIfNull
                      : op == "$and"  ? Special::kAnd
                                      : Special::kOr;
      bool constant = true;
      PLINTH_ASSIGN_OR_RETURN(node->args, ParseArgs(raw, depth, &constant));
      node->constant_tree = constant;
      if (op == "$ifNull" && node->args.size() < 2) {
        return base::BadValue("$ifNull needs at least two arguments, had: " +
                              std::to_string(node->args.size()));
      }
      return NodePtr(std::move(node));
    }
    if (op == "$switch") {
      node->special = Special::kSwitch;
      PLINTH_RETURN_IF_ERROR(
          ParseNamed(op, raw, {"branches", "default"}, {"branches"}, node.get(), &named));
      if (!named[0]->is_array()) {
        return base::BadValue("$switch expected an array for 'branches', found: " +
                              std::string(doc::TypeName(named[0]->type())));
      }
      if (named[0]->as_array().empty())
        return base::BadValue("$switch requires at least one branch.");
      node->args.clear();
      // args: default (or nullptr), then case, then, case, then, ...
      node->args.push_back(nullptr);
      for (const Value& branch : named[0]->as_array()) {
        if (!branch.is_document()) {
          return base::BadValue("$switch expected each branch to be an object, found: " +
                                std::string(doc::TypeName(branch.type())));
        }
        const Value* c = nullptr;
        const Value* t = nullptr;
        for (const auto& [name, value] : branch.as_document()) {
          if (name == "case") {
            c = &value;
          } else if (name == "then") {
            t = &value;
          } else {
            return base::BadValue("$switch found an unknown argument to a branch: " + name);
          }
        }
        if (c == nullptr)
          return base::BadValue("$switch requires each branch have a 'case' expression");
        if (t == nullptr)
          return base::BadValue("$switch requires each branch have a 'then' expression.");
        PLINTH_ASSIGN_OR_RETURN(NodePtr cn, Parse(*c, depth + 1));
        PLINTH_ASSIGN_OR_RETURN(NodePtr tn, Parse(*t, depth + 1));
        node->constant_tree = node->constant_tree && cn->constant_tree && tn->constant_tree;
        node->args.push_back(std::move(cn));
        node->args.push_back(std::move(tn));
      }
      if (named[1] != nullptr) {
        PLINTH_ASSIGN_OR_RETURN(node->args[0], Parse(*named[1], depth + 1));
        node->constant_tree = node->constant_tree && node->args[0]->constant_tree;
      }
      return NodePtr(std::move(node));
    }
    if (op == "$convert") {
      node->special = Special::kConvert;
      PLINTH_RETURN_IF_ERROR(ParseNamed(op, raw, {"input", "to", "onError", "onNull"},
                                        {"input", "to"}, node.get(), &named));
      for (std::size_t i = 0; i < 4; ++i) {
        PLINTH_RETURN_IF_ERROR(ParseInto(named[i], depth, node.get(), i));
      }
      return NodePtr(std::move(node));
    }

    // Everything else evaluates its arguments first.
    node->kind = ExprNode::Kind::kEager;
    if (op == "$dateToString") {
      node->op = FindDateOp(op);
      PLINTH_RETURN_IF_ERROR(ParseNamed(op, raw, {"date", "format", "timezone", "onNull"}, {"date"},
                                        node.get(), &named));
      for (std::size_t i = 0; i < 4; ++i) {
        PLINTH_RETURN_IF_ERROR(ParseInto(named[i], depth, node.get(), i));
      }
      // Absent format and onNull stay nullptr (evaluated as missing): the
      // operator then picks the default format for the time zone and
      // returns null for a null date.
      if (node->args[2] == nullptr) node->args[2] = Constant(Value("UTC"));
      return NodePtr(std::move(node));
    }
    if (op == "$trim" || op == "$ltrim" || op == "$rtrim") {
      node->op = FindEagerOp(op);
      if (!raw.is_document()) {
        return base::BadValue(op + " requires an object as an argument, found: " +
                              std::string(doc::TypeName(raw.type())));
      }
      PLINTH_RETURN_IF_ERROR(
          ParseNamed(op, raw, {"input", "chars"}, {"input"}, node.get(), &named));
      for (std::size_t i = 0; i < 2; ++i) {
        PLINTH_RETURN_IF_ERROR(ParseInto(named[i], depth, node.get(), i));
      }
      if (node->args[1] == nullptr) node->args.pop_back();
      return NodePtr(std::move(node));
    }
    if (IsDateOpName(op) && raw.is_document() && !raw.as_document().empty() &&
        raw.as_document().fields()[0].first[0] != '$') {
      // The object form {date: ..., timezone: ...} of the date part operators.
      node->op = FindDateOp(op);
      PLINTH_RETURN_IF_ERROR(
          ParseNamed(op, raw, {"date", "timezone"}, {"date"}, node.get(), &named));
      for (std::size_t i = 0; i < 2; ++i) {
        PLINTH_RETURN_IF_ERROR(ParseInto(named[i], depth, node.get(), i));
      }
      if (node->args[1] == nullptr) node->args.pop_back();
      return NodePtr(std::move(node));
    }
    const EagerOp* eager = FindEagerOp(op);
    if (eager == nullptr) eager = FindDateOp(op);
    if (eager == nullptr) eager = FindConvertOp(op);
    if (eager == nullptr) {
      if (op == "$function" || op == "$accumulator") {
        return base::BadValue(op + " is not supported: Plinth does not run JavaScript in queries");
      }
      if (std::find(kLaterOperators.begin(), kLaterOperators.end(), op) != kLaterOperators.end()) {
        return base::BadValue("expression " + op + " is not supported yet");
      }
      return base::BadValue("Unrecognized expression '" + op + "'");
    }
    node->op = eager;
    bool constant = true;
    PLINTH_ASSIGN_OR_RETURN(node->args, ParseArgs(raw, depth, &constant));
    node->constant_tree = constant;
    const auto n = node->args.size();
    const auto min = static_cast<std::size_t>(eager->min_args);
    if (eager->max_args >= 0 && eager->min_args == eager->max_args && n != min) {
      return ArgCountError(op, eager->min_args, n);
    }
    if (n < min || (eager->max_args >= 0 && n > static_cast<std::size_t>(eager->max_args))) {
      return base::BadValue(
          "Expression " + op + " takes at least " + std::to_string(eager->min_args) + " arguments" +
          (eager->max_args >= 0 ? ", and at most " + std::to_string(eager->max_args) : "") +
          ", but " + std::to_string(n) + " were passed in.");
    }
    return NodePtr(std::move(node));
  }

  std::vector<std::string> scope_;
};

// ---- Evaluation ----

Opt WalkValue(const Value& v, const std::vector<std::string>& path, std::size_t i);

Opt WalkDocument(const doc::Document& d, const std::vector<std::string>& path, std::size_t i) {
  if (i == path.size()) return Value(d);
  const Value* f = d.Get(path[i]);
  if (f == nullptr) return std::nullopt;
  return WalkValue(*f, path, i + 1);
}

// MongoDB's aggregation path rule: through an array, the path applies to
// each element that is a document or an array, and the results (missing
// ones left out) form an array. Numeric components are field names here,
// never array indexes.
Opt WalkValue(const Value& v, const std::vector<std::string>& path, std::size_t i) {
  if (i == path.size()) return v;
  if (const auto* d = v.get_if<doc::Document>()) return WalkDocument(*d, path, i);
  if (const auto* a = v.get_if<doc::Array>()) {
    doc::Array out;
    for (const Value& e : *a) {
      if (!e.is_document() && !e.is_array()) continue;
      Opt r = WalkValue(e, path, i);
      if (r.has_value()) out.Append(std::move(*r));
    }
    return Value(std::move(out));
  }
  return std::nullopt;
}

Result<Opt> Eval(const ExprNode& node, const EvalContext& ctx);

Result<Opt> EvalSpecial(const ExprNode& node, const EvalContext& ctx) {
  switch (node.special) {
    case Special::kLet: {
      Variables scope(ctx.variables);
      for (std::size_t i = 0; i < node.names.size(); ++i) {
        PLINTH_ASSIGN_OR_RETURN(Opt v, Eval(*node.args[i + 1], ctx));
        // A variable bound to "missing" reads as missing; Variables holds
        // values, so it is stored as undefined and read back as missing.
        scope.Set(node.names[i], v.has_value() ? std::move(*v) : Value(doc::Undefined{}));
      }
      EvalContext inner = ctx;
      inner.variables = &scope;
      return Eval(*node.args[0], inner);
    }
    case Special::kMap:
    case Special::kFilter: {
      const bool is_map = node.special == Special::kMap;
      PLINTH_ASSIGN_OR_RETURN(Opt input, Eval(*node.args[0], ctx));
      if (IsNullish(input)) return Opt(Value());
      if (!input->is_array()) {
        return TypeMismatch("input to " + node.op_name + " must be an array not " +
                            TypeNameOf(input));
      }
      std::optional<std::int64_t> limit;
      if (!is_map && node.args[3] != nullptr) {
        PLINTH_ASSIGN_OR_RETURN(Opt l, Eval(*node.args[3], ctx));
        if (!IsNullish(l)) {
          std::optional<std::int64_t> n = l->is_number() ? WholeNumber(*l) : std::nullopt;
          if (!n.has_value() || *n > INT32_MAX || *n < INT32_MIN) {
            return base::BadValue("$filter: limit must be represented as a 32-bit integral value");
          }
          if (*n < 1) return base::BadValue("$filter: limit must be greater than 0");
          limit = *n;
        }
      }
      Variables scope(ctx.variables);
      EvalContext inner = ctx;
      inner.variables = &scope;
      doc::Array out;
      for (const Value& e : input->as_array()) {
        scope.Set(node.names[0], e);
        PLINTH_ASSIGN_OR_RETURN(Opt r, Eval(*node.args[1], inner));
        if (is_map) {
          out.Append(r.has_value() ? std::move(*r) : Value());
        } else if (IsTruthy(r)) {
          out.Append(e);
          if (limit.has_value() && static_cast<std::int64_t>(out.size()) >= *limit) break;
        }
      }
      return Opt(Value(std::move(out)));
    }
    case Special::kReduce: {
      PLINTH_ASSIGN_OR_RETURN(Opt input, Eval(*node.args[0], ctx));
      if (IsNullish(input)) return Opt(Value());
      if (!input->is_array()) {
        return TypeMismatch("$reduce requires that 'input' be an array, found: " +
                            TypeNameOf(input));
      }
      PLINTH_ASSIGN_OR_RETURN(Opt acc, Eval(*node.args[1], ctx));
      Variables scope(ctx.variables);
      EvalContext inner = ctx;
      inner.variables = &scope;
      for (const Value& e : input->as_array()) {
        scope.Set("this", e);
        scope.Set("value", acc.has_value() ? std::move(*acc) : Value(doc::Undefined{}));
        PLINTH_ASSIGN_OR_RETURN(acc, Eval(*node.args[2], inner));
      }
      return acc;
    }
    case Special::kCond: {
      PLINTH_ASSIGN_OR_RETURN(Opt c, Eval(*node.args[0], ctx));
      return Eval(*node.args[IsTruthy(c) ? 1 : 2], ctx);
    }
    case Special::kIfNull: {
      for (std::size_t i = 0; i + 1 < node.args.size(); ++i) {
        PLINTH_ASSIGN_OR_RETURN(Opt v, Eval(*node.args[i], ctx));
        if (!IsNullish(v)) return v;
      }
      return Eval(*node.args.back(), ctx);
    }
    case Special::kSwitch: {
      for (std::size_t i = 1; i + 1 < node.args.size(); i += 2) {
        PLINTH_ASSIGN_OR_RETURN(Opt c, Eval(*node.args[i], ctx));
        if (IsTruthy(c)) return Eval(*node.args[i + 1], ctx);
      }
      if (node.args[0] == nullptr) {
        return base::BadValue(
            "$switch could not find a matching branch for an input, and no default was "
            "specified.");
      }
      return Eval(*node.args[0], ctx);
    }
    case Special::kAnd:
    case Special::kOr: {
      const bool is_and = node.special == Special::kAnd;
      for (const auto& arg : node.args) {
        PLINTH_ASSIGN_OR_RETURN(Opt v, Eval(*arg, ctx));
        if (IsTruthy(v) != is_and) return Opt(Value(!is_and));
      }
      return Opt(Value(is_and));
    }
    case Special::kConvert: {
      PLINTH_ASSIGN_OR_RETURN(Opt input, Eval(*node.args[0], ctx));
      PLINTH_ASSIGN_OR_RETURN(Opt to, Eval(*node.args[1], ctx));
      if (IsNullish(to)) return Opt(Value());
      PLINTH_ASSIGN_OR_RETURN(doc::Type type, ConvertTargetType(*to));
      if (IsNullish(input)) {
        if (node.args[3] != nullptr) return Eval(*node.args[3], ctx);
        return Opt(Value());
      }
      Result<Value> converted = ConvertTo(*input, type);
      if (!converted.ok()) {
        if (node.args[2] != nullptr) return Eval(*node.args[2], ctx);
        return converted.status();
      }
      return Opt(std::move(converted).value());
    }
  }
  return base::Internal("unknown expression node");
}

Result<Opt> Eval(const ExprNode& node, const EvalContext& ctx) {
  switch (node.kind) {
    case ExprNode::Kind::kConstant:
      return Opt(node.constant);
    case ExprNode::Kind::kPath:
      if (ctx.root == nullptr) return Opt();
      return WalkDocument(*ctx.root, node.path, 0);
    case ExprNode::Kind::kVariable: {
      if (node.var == "ROOT" || node.var == "CURRENT") {
        if (ctx.root == nullptr) return Opt();
        return WalkDocument(*ctx.root, node.path, 0);
      }
      if (node.var == "NOW") return WalkValue(Value(doc::DateTime{ctx.now_millis}), node.path, 0);
      if (node.var == "REMOVE") return Opt();
      const Value* v = ctx.variables != nullptr ? ctx.variables->Get(node.var) : nullptr;
      if (v == nullptr) return base::BadValue("Use of undefined variable: " + node.var);
      if (v->type() == doc::Type::kUndefined && node.path.empty()) return Opt();
      return WalkValue(*v, node.path, 0);
    }
    case ExprNode::Kind::kObject: {
      doc::Document out;
      for (std::size_t i = 0; i < node.args.size(); ++i) {
        PLINTH_ASSIGN_OR_RETURN(Opt v, Eval(*node.args[i], ctx));
        if (v.has_value()) out.Append(node.names[i], std::move(*v));
      }
      return Opt(Value(std::move(out)));
    }
    case ExprNode::Kind::kArray: {
      doc::Array out;
      for (const auto& arg : node.args) {
        PLINTH_ASSIGN_OR_RETURN(Opt v, Eval(*arg, ctx));
        out.Append(v.has_value() ? std::move(*v) : Value());
      }
      return Opt(Value(std::move(out)));
    }
    case ExprNode::Kind::kEager: {
      Args args;
      args.reserve(node.args.size());
      for (const auto& arg : node.args) {
        if (arg == nullptr) {
          args.emplace_back();
          continue;
        }
        PLINTH_ASSIGN_OR_RETURN(Opt v, Eval(*arg, ctx));
        args.push_back(std::move(v));
      }
      return node.op->fn(node.op_name, args);
    }
    case ExprNode::Kind::kSpecial:
      return EvalSpecial(node, ctx);
  }
  return base::Internal("unknown expression node");
}

}  // namespace

Expression::Expression() {
  auto node = std::make_shared<ExprNode>();
  node->kind = ExprNode::Kind::kConstant;
  root_ = std::move(node);
}
Expression::~Expression() = default;
Expression::Expression(const Expression&) = default;
Expression& Expression::operator=(const Expression&) = default;

Result<Expression> Expression::Parse(const Value& raw, const ParseContext& ctx) {
  for (const std::string& name : ctx.variables) PLINTH_RETURN_IF_ERROR(CheckUserVariableName(name));
  Parser parser(ctx);
  PLINTH_ASSIGN_OR_RETURN(NodePtr root, parser.Parse(raw, 1));
  return Expression(std::shared_ptr<const ExprNode>(std::move(root)));
}

Result<std::optional<Value>> Expression::Evaluate(const EvalContext& ctx) const {
  return Eval(*root_, ctx);
}

bool Expression::is_constant() const { return root_->constant_tree; }

bool IsTruthy(const std::optional<Value>& value) {
  if (!value.has_value()) return false;
  const Value& v = *value;
  if (v.is_null() || v.type() == doc::Type::kUndefined) return false;
  if (v.is_bool()) return v.as_bool();
  if (v.is_number()) return !doc::ValuesEqual(v, Value(0));
  return true;
}

}  // namespace plinth::expr
