#include "rules/expression.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/hex.h"
#include "base/status.h"
#include "doc/compare.h"
#include "doc/field_path.h"
#include "matcher/matcher.h"

namespace plinth::rules {

// ---------------------------------------------------------------------------
// The compiled tree.

enum class Source {
  kTrue,
  kFalse,
  kUser,
  kRoot,
  kPrevRoot,
  kThis,
  kPrev,
  kValues,
  kEnvironment,
  kRequest
};

// One %%expansion: where it starts and the path below that (none = the whole
// base). For %%user the path is relative to the user object, for
// %%values.<name> relative to the values document, and so on.
struct Expansion {
  Source source = Source::kTrue;
  std::optional<doc::FieldPath> path;
};

enum class Conversion { kStringToOid, kOidToString, kStringToUuid, kUuidToString };

// Something in value position: a literal, an expansion, a conversion, or a
// document/array with expansions somewhere inside (kept as a template).
struct Operand {
  enum class Kind { kLiteral, kExpansion, kConversion, kDocument, kArray };
  Kind kind = Kind::kLiteral;
  doc::Value literal;
  Expansion expansion;
  Conversion conversion = Conversion::kStringToOid;
  std::vector<std::string> names;  // kDocument: field names of `children`
  std::vector<Operand> children;   // kDocument/kArray: members; kConversion: the argument
};

enum class CondOp {
  kEq,
  kNe,
  kGt,
  kGte,
  kLt,
  kLte,
  kIn,
  kNin,
  kExists,
  kAnd,
  kOr,
  kNor,
  kNot,
  kFunction
};

// A test applied to the values a key resolves to.
struct Condition {
  CondOp op = CondOp::kEq;
  Operand operand;  // comparisons, %in/%nin; %function: its arguments (an array)
  bool exists = true;
  std::string function_name;
  std::vector<Condition> children;  // %and/%or/%nor; %not: one child
};

struct Node {
  enum class Kind { kConst, kAnd, kOr, kNor, kNot, kField };
  Kind kind = Kind::kConst;
  bool constant = true;
  std::vector<Node> children;
  Expansion lhs;                      // kField
  std::vector<Condition> conditions;  // kField, ANDed
};

struct ExpressionTree {
  Node node;      // kDocument, kFilterApplyWhen
  Operand query;  // kFilterQuery
  bool uses_function = false;
};

namespace {

base::Status Invalid(std::string message) {
  return base::Status(base::ErrorCode::kInvalidConfig, std::move(message));
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool IsExpansionText(std::string_view s) { return s.size() >= 2 && s.substr(0, 2) == "%%"; }
bool IsOperatorKey(std::string_view s) {
  return !s.empty() && (s[0] == '$' || s[0] == '%') && !IsExpansionText(s);
}

std::optional<Conversion> ConversionNamed(std::string_view name) {
  if (name == "%stringToOid" || name == "%oid") return Conversion::kStringToOid;
  if (name == "%oidToString") return Conversion::kOidToString;
  if (name == "%stringToUuid") return Conversion::kStringToUuid;
  if (name == "%uuidToString") return Conversion::kUuidToString;
  return std::nullopt;
}

// The operator a key names, '%' and '$' spellings alike (%function: '%' only).
std::optional<CondOp> OperatorNamed(std::string_view name) {
  if (name == "%function") return CondOp::kFunction;
  if (name.empty() || (name[0] != '%' && name[0] != '$')) return std::nullopt;
  std::string_view bare = name.substr(1);
  static constexpr std::pair<std::string_view, CondOp> kOps[] = {
      {"eq", CondOp::kEq},   {"ne", CondOp::kNe},   {"gt", CondOp::kGt},
      {"gte", CondOp::kGte}, {"lt", CondOp::kLt},   {"lte", CondOp::kLte},
      {"in", CondOp::kIn},   {"nin", CondOp::kNin}, {"exists", CondOp::kExists},
      {"and", CondOp::kAnd}, {"or", CondOp::kOr},   {"nor", CondOp::kNor},
      {"not", CondOp::kNot},
  };
  for (const auto& [n, op] : kOps) {
    if (n == bare) return op;
  }
  return std::nullopt;
}

bool IsSingleConversion(const doc::Value& v) {
  return v.is_document() && v.as_document().size() == 1 &&
         ConversionNamed(v.as_document().fields()[0].first).has_value();
}

class Compiler {
 public:
  explicit Compiler(ExpressionKind kind) : kind_(kind) {}

  bool uses_function() const { return uses_function_; }

  base::Result<Expansion> CompileExpansion(std::string_view text) const {
    std::string_view body = text.substr(2);
    std::string_view head = body.substr(0, body.find('.'));
    std::string_view rest;
    if (head.size() < body.size()) rest = body.substr(head.size() + 1);
    bool has_rest = head.size() < body.size();
    Expansion e;
    auto unknown = [&] { return Invalid("unknown expansion " + Quote(text)); };
    bool document_expansion = false;
    if (head == "true" || head == "false") {
      if (has_rest) return unknown();
      e.source = head == "true" ? Source::kTrue : Source::kFalse;
      return e;
    } else if (head == "user") {
      e.source = Source::kUser;
      if (has_rest) {
        std::string_view first = rest.substr(0, rest.find('.'));
        bool leaf = first.size() == rest.size();
        if (first == "id" || first == "type") {
          if (!leaf) return unknown();
        } else if (first != "identities" && first != "data" && first != "custom_data") {
          return unknown();
        }
      }
    } else if (head == "root" || head == "prevRoot" || head == "this" || head == "prev") {
      e.source = head == "root"       ? Source::kRoot
                 : head == "prevRoot" ? Source::kPrevRoot
                 : head == "this"     ? Source::kThis
                                      : Source::kPrev;
      document_expansion = true;
    } else if (head == "values") {
      e.source = Source::kValues;
      if (!has_rest) return Invalid("expansion \"%%values\" needs a value name (%%values.<name>)");
    } else if (head == "environment") {
      e.source = Source::kEnvironment;
      if (has_rest) {
        std::string_view first = rest.substr(0, rest.find('.'));
        if (first == "tag") {
          if (first.size() != rest.size()) return unknown();
        } else if (first != "values") {
          return unknown();
        }
      }
    } else if (head == "request") {
      e.source = Source::kRequest;
    } else {
      return unknown();
    }
    if (document_expansion && kind_ != ExpressionKind::kDocument) {
      return Invalid("expansion " + Quote(text) +
                     " reads the document and is not allowed in a filter (filters are applied "
                     "before any document is read)");
    }
    if (has_rest) {
      auto path = doc::FieldPath::Parse(rest);
      if (!path.ok()) {
        return Invalid("invalid path in expansion " + Quote(text) + ": " + path.status().message());
      }
      e.path = std::move(path).value();
    }
    return e;
  }

  base::Result<Operand> CompileOperand(const doc::Value& v, int depth) {
    if (depth > Expression::kMaxDepth) return DepthError();
    Operand o;
    if (v.is_string() && IsExpansionText(v.as_string())) {
      PLINTH_ASSIGN_OR_RETURN(o.expansion, CompileExpansion(v.as_string()));
      o.kind = Operand::Kind::kExpansion;
      return o;
    }
    if (IsSingleConversion(v)) {
      const auto& [name, arg] = v.as_document().fields()[0];
      o.kind = Operand::Kind::kConversion;
      o.conversion = *ConversionNamed(name);
      if (arg.is_document() || arg.is_array()) {
        return Invalid("the argument of " + name + " must be a literal or an expansion");
      }
      PLINTH_ASSIGN_OR_RETURN(Operand inner, CompileOperand(arg, depth + 1));
      o.children.push_back(std::move(inner));
      return o;
    }
    bool all_literal = true;
    if (v.is_document()) {
      o.kind = Operand::Kind::kDocument;
      for (const auto& [name, field] : v.as_document()) {
        if (IsExpansionText(name)) {
          return Invalid("expansion " + Quote(name) + " cannot be a field name inside a value");
        }
        if (!name.empty() && name[0] == '%') {
          if (ConversionNamed(name)) {
            return Invalid("conversion " + name + " must be the only field of its document");
          }
          return Invalid(OperatorNamed(name) ? "operator " + name + " is not allowed inside a value"
                                             : "unknown operator " + Quote(name));
        }
        PLINTH_ASSIGN_OR_RETURN(Operand child, CompileOperand(field, depth + 1));
        all_literal = all_literal && child.kind == Operand::Kind::kLiteral;
        o.names.push_back(name);
        o.children.push_back(std::move(child));
      }
    } else if (v.is_array()) {
      o.kind = Operand::Kind::kArray;
      for (const doc::Value& element : v.as_array()) {
        PLINTH_ASSIGN_OR_RETURN(Operand child, CompileOperand(element, depth + 1));
        all_literal = all_literal && child.kind == Operand::Kind::kLiteral;
        o.children.push_back(std::move(child));
      }
    }
    if (all_literal) {  // no expansion inside: keep the value as is
      o = Operand{};
      o.literal = v;
    }
    return o;
  }

  // The value of a key: an operator document (every key an operator) or a
  // value compared by equality.
  base::Result<std::vector<Condition>> CompileFieldValue(const doc::Value& v, int depth) {
    if (depth > Expression::kMaxDepth) return DepthError();
    std::vector<Condition> out;
    if (v.is_document() && !v.as_document().empty() && !IsSingleConversion(v) &&
        IsOperatorKey(v.as_document().fields()[0].first)) {
      for (const auto& [name, arg] : v.as_document()) {
        if (!IsOperatorKey(name)) {
          return Invalid("field " + Quote(name) + " mixed with operators in one document");
        }
        PLINTH_ASSIGN_OR_RETURN(Condition c, CompileOperator(name, arg, depth + 1));
        out.push_back(std::move(c));
      }
      return out;
    }
    Condition c;
    PLINTH_ASSIGN_OR_RETURN(c.operand, CompileOperand(v, depth + 1));
    out.push_back(std::move(c));
    return out;
  }

  base::Result<Condition> CompileOperator(const std::string& name, const doc::Value& arg,
                                          int depth) {
    if (ConversionNamed(name)) {
      return Invalid("conversion " + name + " must be the only field of its document");
    }
    std::optional<CondOp> op = OperatorNamed(name);
    if (!op) return Invalid("unknown operator " + Quote(name));
    Condition c;
    c.op = *op;
    switch (*op) {
      case CondOp::kEq:
      case CondOp::kNe:
      case CondOp::kGt:
      case CondOp::kGte:
      case CondOp::kLt:
      case CondOp::kLte: {
        PLINTH_ASSIGN_OR_RETURN(c.operand, CompileOperand(arg, depth + 1));
        return c;
      }
      case CondOp::kIn:
      case CondOp::kNin: {
        if (!arg.is_array() && !(arg.is_string() && IsExpansionText(arg.as_string()))) {
          return Invalid(name + " needs an array or an expansion");
        }
        PLINTH_ASSIGN_OR_RETURN(c.operand, CompileOperand(arg, depth + 1));
        return c;
      }
      case CondOp::kExists:
        if (!arg.is_bool()) return Invalid(name + " needs a boolean");
        c.exists = arg.as_bool();
        return c;
      case CondOp::kAnd:
      case CondOp::kOr:
      case CondOp::kNor: {
        if (!arg.is_array() || arg.as_array().empty()) {
          return Invalid(name + " needs a non-empty array");
        }
        for (const doc::Value& element : arg.as_array()) {
          Condition all;
          all.op = CondOp::kAnd;
          PLINTH_ASSIGN_OR_RETURN(all.children, CompileFieldValue(element, depth + 1));
          c.children.push_back(std::move(all));
        }
        return c;
      }
      case CondOp::kNot: {
        Condition all;
        all.op = CondOp::kAnd;
        PLINTH_ASSIGN_OR_RETURN(all.children, CompileFieldValue(arg, depth + 1));
        c.children.push_back(std::move(all));
        return c;
      }
      case CondOp::kFunction:
        return CompileFunction(arg, depth, std::move(c));
    }
    return Invalid("unknown operator " + Quote(name));
  }

  base::Result<Condition> CompileFunction(const doc::Value& arg, int depth, Condition c) {
    if (!arg.is_document()) return Invalid("%function needs a document {name, arguments}");
    const doc::Value* name = arg.as_document().Get("name");
    if (name == nullptr || !name->is_string() || name->as_string().empty()) {
      return Invalid("%function needs a \"name\" string");
    }
    for (const auto& [key, unused] : arg.as_document()) {
      if (key != "name" && key != "arguments") {
        return Invalid("%function: unknown field " + Quote(key));
      }
    }
    const doc::Value* arguments = arg.as_document().Get("arguments");
    doc::Value empty = doc::Array{};
    if (arguments != nullptr && !arguments->is_array()) {
      return Invalid("%function \"arguments\" must be an array");
    }
    PLINTH_ASSIGN_OR_RETURN(c.operand, CompileOperand(arguments ? *arguments : empty, depth + 1));
    c.function_name = name->as_string();
    uses_function_ = true;
    return c;
  }

  base::Result<Node> CompileNode(const doc::Value& raw, int depth) {
    if (depth > Expression::kMaxDepth) return DepthError();
    Node n;
    if (raw.is_bool()) {
      n.constant = raw.as_bool();
      return n;
    }
    if (!raw.is_document()) {
      return Invalid("an expression must be a boolean or a document, got " +
                     std::string(doc::TypeName(raw.type())));
    }
    n.kind = Node::Kind::kAnd;
    for (const auto& [key, value] : raw.as_document()) {
      PLINTH_ASSIGN_OR_RETURN(Node child, CompileField(key, value, depth));
      n.children.push_back(std::move(child));
    }
    return n;
  }

  base::Result<Node> CompileField(const std::string& key, const doc::Value& value, int depth) {
    Node n;
    if (IsOperatorKey(key)) {
      std::optional<CondOp> op = OperatorNamed(key);
      if (!op) return Invalid("unknown operator " + Quote(key));
      if (*op == CondOp::kNot) {
        n.kind = Node::Kind::kNot;
        PLINTH_ASSIGN_OR_RETURN(Node child, CompileNode(value, depth + 1));
        n.children.push_back(std::move(child));
        return n;
      }
      if (*op != CondOp::kAnd && *op != CondOp::kOr && *op != CondOp::kNor) {
        return Invalid("operator " + key + " needs a field or an expansion as its key");
      }
      n.kind = *op == CondOp::kAnd  ? Node::Kind::kAnd
               : *op == CondOp::kOr ? Node::Kind::kOr
                                    : Node::Kind::kNor;
      if (!value.is_array() || value.as_array().empty()) {
        return Invalid(key + " needs a non-empty array of expressions");
      }
      for (const doc::Value& element : value.as_array()) {
        PLINTH_ASSIGN_OR_RETURN(Node child, CompileNode(element, depth + 1));
        n.children.push_back(std::move(child));
      }
      return n;
    }
    n.kind = Node::Kind::kField;
    if (IsExpansionText(key)) {
      PLINTH_ASSIGN_OR_RETURN(n.lhs, CompileExpansion(key));
    } else {
      if (kind_ != ExpressionKind::kDocument) {
        return Invalid("field " + Quote(key) + " (implicitly %%root." + key +
                       ") is not allowed in a filter: filters are applied before any document "
                       "is read");
      }
      auto path = doc::FieldPath::Parse(key);
      if (!path.ok()) {
        return Invalid("invalid field " + Quote(key) + ": " + path.status().message());
      }
      n.lhs.source = Source::kRoot;
      n.lhs.path = std::move(path).value();
    }
    PLINTH_ASSIGN_OR_RETURN(n.conditions, CompileFieldValue(value, depth + 1));
    return n;
  }

 private:
  static base::Status DepthError() {
    return Invalid("expression nested deeper than " + std::to_string(Expression::kMaxDepth) +
                   " levels");
  }

  ExpressionKind kind_;
  bool uses_function_ = false;
};

// ---------------------------------------------------------------------------
// Evaluation.

const doc::Value& StaticBool(bool b) {
  static const doc::Value kTrue = true;
  static const doc::Value kFalse = false;
  return b ? kTrue : kFalse;
}

// The base an expansion starts from: a document or a value (nullptr: absent).
struct Base {
  const doc::Document* document = nullptr;
  const doc::Value* value = nullptr;
};

Base BaseOf(const Expansion& e, const EvalContext& ctx) {
  switch (e.source) {
    case Source::kTrue:
      return {nullptr, &StaticBool(true)};
    case Source::kFalse:
      return {nullptr, &StaticBool(false)};
    case Source::kUser:
      return {ctx.user, nullptr};
    case Source::kRoot:
      return {ctx.root, nullptr};
    case Source::kPrevRoot:
      return {ctx.prev_root, nullptr};
    case Source::kThis:
      return {nullptr, ctx.this_value};
    case Source::kPrev:
      return {nullptr, ctx.prev};
    case Source::kValues:
      return {ctx.values, nullptr};
    case Source::kEnvironment:
      return {ctx.environment, nullptr};
    case Source::kRequest:
      return {ctx.request, nullptr};
  }
  return {};
}

// Value position: the one value at the path (no implicit array traversal);
// nullptr when missing. *owned holds a copy when the whole base document is
// asked for.
const doc::Value* ResolveOne(const Expansion& e, const EvalContext& ctx,
                             std::optional<doc::Value>* owned) {
  Base base = BaseOf(e, ctx);
  if (base.value != nullptr && base.value->is_document())
    base.document = &base.value->as_document();
  if (!e.path) {
    if (base.value != nullptr) return base.value;
    if (base.document == nullptr) return nullptr;
    return &owned->emplace(*base.document);
  }
  if (base.document == nullptr) return nullptr;
  return doc::GetPath(*base.document, *e.path);
}

// Key position: every value a MongoDB query path reaches (arrays traversed).
void ResolveMany(const Expansion& e, const EvalContext& ctx, std::vector<const doc::Value*>* out,
                 std::optional<doc::Value>* owned) {
  if (!e.path) {
    const doc::Value* v = ResolveOne(e, ctx, owned);
    if (v != nullptr) out->push_back(v);
    return;
  }
  Base base = BaseOf(e, ctx);
  if (base.value != nullptr && base.value->is_document())
    base.document = &base.value->as_document();
  if (base.document != nullptr) doc::CollectPathValues(*base.document, *e.path, out);
}

std::optional<doc::Value> Convert(Conversion conversion, const doc::Value& v) {
  switch (conversion) {
    case Conversion::kStringToOid: {
      if (v.get_if<doc::ObjectId>() != nullptr) return v;
      if (!v.is_string()) return std::nullopt;
      const std::string& s = v.as_string();
      if (s.size() == 12) {
        std::array<std::uint8_t, 12> bytes{};
        for (std::size_t i = 0; i < 12; ++i) bytes[i] = static_cast<std::uint8_t>(s[i]);
        return doc::Value(doc::ObjectId(bytes));
      }
      auto oid = doc::ObjectId::FromHex(s);
      if (s.size() != 24 || !oid.ok()) return std::nullopt;
      return doc::Value(*oid);
    }
    case Conversion::kOidToString: {
      const auto* oid = v.get_if<doc::ObjectId>();
      if (oid == nullptr) return std::nullopt;
      return doc::Value(oid->ToHex());
    }
    case Conversion::kStringToUuid: {
      if (!v.is_string() || v.as_string().size() != 36) return std::nullopt;
      const std::string& s = v.as_string();
      std::string bytes;
      for (std::size_t i = 0; i < s.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
          if (s[i] != '-') return std::nullopt;
          ++i;
          continue;
        }
        int hi = base::HexDigitValue(s[i]);
        int lo = base::HexDigitValue(s[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        bytes.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      }
      return doc::Value(doc::Binary{4, std::move(bytes)});
    }
    case Conversion::kUuidToString: {
      const auto* bin = v.get_if<doc::Binary>();
      if (bin == nullptr || bin->subtype != 4 || bin->data.size() != 16) return std::nullopt;
      std::string hex = base::HexEncode(bin->data.data(), bin->data.size());
      return doc::Value(hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                        hex.substr(16, 4) + "-" + hex.substr(20));
    }
  }
  return std::nullopt;
}

std::optional<doc::Value> ResolveOperand(const Operand& o, const EvalContext& ctx) {
  switch (o.kind) {
    case Operand::Kind::kLiteral:
      return o.literal;
    case Operand::Kind::kExpansion: {
      std::optional<doc::Value> owned;
      const doc::Value* v = ResolveOne(o.expansion, ctx, &owned);
      if (v == nullptr) return std::nullopt;
      if (owned) return owned;
      return *v;
    }
    case Operand::Kind::kConversion: {
      std::optional<doc::Value> arg = ResolveOperand(o.children[0], ctx);
      if (!arg) return std::nullopt;
      return Convert(o.conversion, *arg);
    }
    case Operand::Kind::kDocument: {
      doc::Document d;
      for (std::size_t i = 0; i < o.children.size(); ++i) {
        std::optional<doc::Value> v = ResolveOperand(o.children[i], ctx);
        if (!v) return std::nullopt;
        d.Append(o.names[i], std::move(*v));
      }
      return doc::Value(std::move(d));
    }
    case Operand::Kind::kArray: {
      doc::Array a;
      for (const Operand& child : o.children) {
        std::optional<doc::Value> v = ResolveOperand(child, ctx);
        if (!v) return std::nullopt;
        a.Append(std::move(*v));
      }
      return doc::Value(std::move(a));
    }
  }
  return std::nullopt;
}

// MongoDB equality of a key's values with `rhs`: an array matches when it
// equals rhs or contains it; no values (missing) matches only null.
bool AnyEquals(const std::vector<const doc::Value*>& values, const doc::Value& rhs) {
  if (values.empty()) return rhs.is_null();
  for (const doc::Value* v : values) {
    if (doc::ValuesEqual(*v, rhs)) return true;
    if (v->is_array()) {
      for (const doc::Value& element : v->as_array()) {
        if (doc::ValuesEqual(element, rhs)) return true;
      }
    }
  }
  return false;
}

bool RangeHolds(CondOp op, int cmp) {
  switch (op) {
    case CondOp::kGt:
      return cmp > 0;
    case CondOp::kGte:
      return cmp >= 0;
    case CondOp::kLt:
      return cmp < 0;
    case CondOp::kLte:
      return cmp <= 0;
    default:
      return false;
  }
}

// Type-bracketed comparison: only values of rhs's canonical type rank count.
bool AnyInRange(const std::vector<const doc::Value*>& values, CondOp op, const doc::Value& rhs) {
  int rank = doc::CanonicalTypeRank(rhs.type());
  auto test = [&](const doc::Value& v) {
    return doc::CanonicalTypeRank(v.type()) == rank && RangeHolds(op, doc::Compare(v, rhs));
  };
  for (const doc::Value* v : values) {
    if (test(*v)) return true;
    if (v->is_array()) {
      for (const doc::Value& element : v->as_array()) {
        if (test(element)) return true;
      }
    }
  }
  return false;
}

bool EvalCondition(const Condition& c, const std::vector<const doc::Value*>& values,
                   const EvalContext& ctx) {
  switch (c.op) {
    case CondOp::kEq:
    case CondOp::kNe: {
      std::optional<doc::Value> rhs = ResolveOperand(c.operand, ctx);
      bool equal = rhs.has_value() && AnyEquals(values, *rhs);
      return c.op == CondOp::kEq ? equal : !equal;
    }
    case CondOp::kGt:
    case CondOp::kGte:
    case CondOp::kLt:
    case CondOp::kLte: {
      std::optional<doc::Value> rhs = ResolveOperand(c.operand, ctx);
      return rhs.has_value() && AnyInRange(values, c.op, *rhs);
    }
    case CondOp::kIn:
    case CondOp::kNin: {
      std::optional<doc::Value> rhs = ResolveOperand(c.operand, ctx);
      if (!rhs || !rhs->is_array()) return false;
      bool found = false;
      for (const doc::Value& element : rhs->as_array()) {
        if (AnyEquals(values, element)) {
          found = true;
          break;
        }
      }
      return c.op == CondOp::kIn ? found : !found;
    }
    case CondOp::kExists:
      return values.empty() != c.exists;
    case CondOp::kAnd:
      for (const Condition& child : c.children) {
        if (!EvalCondition(child, values, ctx)) return false;
      }
      return true;
    case CondOp::kOr:
      for (const Condition& child : c.children) {
        if (EvalCondition(child, values, ctx)) return true;
      }
      return false;
    case CondOp::kNor:
      for (const Condition& child : c.children) {
        if (EvalCondition(child, values, ctx)) return false;
      }
      return true;
    case CondOp::kNot:
      return !EvalCondition(c.children[0], values, ctx);
    case CondOp::kFunction: {
      if (ctx.functions == nullptr) return false;
      std::optional<doc::Value> args = ResolveOperand(c.operand, ctx);
      if (!args || !args->is_array()) return false;
      base::Result<doc::Value> out = ctx.functions->Call(c.function_name, args->as_array(), ctx);
      return out.ok() && AnyEquals(values, *out);
    }
  }
  return false;
}

bool EvalNode(const Node& n, const EvalContext& ctx) {
  switch (n.kind) {
    case Node::Kind::kConst:
      return n.constant;
    case Node::Kind::kAnd:
      for (const Node& child : n.children) {
        if (!EvalNode(child, ctx)) return false;
      }
      return true;
    case Node::Kind::kOr:
      for (const Node& child : n.children) {
        if (EvalNode(child, ctx)) return true;
      }
      return false;
    case Node::Kind::kNor:
      for (const Node& child : n.children) {
        if (EvalNode(child, ctx)) return false;
      }
      return true;
    case Node::Kind::kNot:
      return !EvalNode(n.children[0], ctx);
    case Node::Kind::kField: {
      std::vector<const doc::Value*> values;
      std::optional<doc::Value> owned;
      ResolveMany(n.lhs, ctx, &values, &owned);
      for (const Condition& c : n.conditions) {
        if (!EvalCondition(c, values, ctx)) return false;
      }
      return true;
    }
  }
  return false;
}

// A stand-in for each expansion/conversion, so Matcher::Parse can check the
// query's shape at compile time. Array-valued operators get an empty array.
doc::Value Placeholder(const Operand& o, std::string_view parent_key) {
  switch (o.kind) {
    case Operand::Kind::kLiteral:
      return o.literal;
    case Operand::Kind::kExpansion:
      if (parent_key == "$in" || parent_key == "$nin" || parent_key == "$all") return doc::Array{};
      return doc::Null{};
    case Operand::Kind::kConversion:
      switch (o.conversion) {
        case Conversion::kStringToOid:
          return doc::ObjectId{};
        case Conversion::kStringToUuid:
          return doc::Binary{4, std::string(16, '\0')};
        default:
          return std::string();
      }
    case Operand::Kind::kDocument: {
      doc::Document d;
      for (std::size_t i = 0; i < o.children.size(); ++i) {
        d.Append(o.names[i], Placeholder(o.children[i], o.names[i]));
      }
      return d;
    }
    case Operand::Kind::kArray: {
      doc::Array a;
      for (const Operand& child : o.children) a.Append(Placeholder(child, ""));
      return a;
    }
  }
  return doc::Null{};
}

bool NodeUsesFunction(const ExpressionTree& tree) { return tree.uses_function; }

}  // namespace

base::Result<Expression> Expression::Compile(const doc::Value& raw, ExpressionKind kind) {
  Compiler compiler(kind);
  auto tree = std::make_shared<ExpressionTree>();
  if (kind == ExpressionKind::kFilterQuery) {
    if (!raw.is_document()) {
      return Invalid("a filter query must be a document, got " +
                     std::string(doc::TypeName(raw.type())));
    }
    PLINTH_ASSIGN_OR_RETURN(tree->query, compiler.CompileOperand(raw, 0));
    doc::Value shape = Placeholder(tree->query, "");
    auto parsed = matcher::Matcher::Parse(shape.as_document());
    if (!parsed.ok()) return Invalid("invalid query: " + parsed.status().message());
  } else {
    PLINTH_ASSIGN_OR_RETURN(tree->node, compiler.CompileNode(raw, 0));
  }
  tree->uses_function = compiler.uses_function();
  Expression e;
  e.kind_ = kind;
  e.raw_ = raw;
  e.tree_ = std::move(tree);
  return e;
}

bool Expression::Evaluate(const EvalContext& ctx) const {
  if (kind_ != ExpressionKind::kFilterQuery) return EvalNode(tree_->node, ctx);
  if (ctx.root == nullptr) return false;
  auto query = ExpandQuery(ctx);
  if (!query.ok()) return false;
  auto m = matcher::Matcher::Parse(*query);
  return m.ok() && (*m)->Matches(*ctx.root);
}

base::Result<doc::Document> Expression::ExpandQuery(const EvalContext& ctx) const {
  if (kind_ != ExpressionKind::kFilterQuery) {
    return base::BadValue("ExpandQuery needs a filter query expression");
  }
  std::optional<doc::Value> expanded = ResolveOperand(tree_->query, ctx);
  if (!expanded || !expanded->is_document()) {
    return doc::Document{{"$alwaysFalse", std::int32_t{1}}};
  }
  return std::move(*expanded).as_document();
}

bool Expression::uses_function() const { return NodeUsesFunction(*tree_); }

// ---------------------------------------------------------------------------
// CheckRuleSet

namespace {

struct Checker {
  std::vector<std::string>* problems;
  std::string owner;  // `roles[0] "owner"`

  void Check(const std::string& field, const doc::Value& raw, ExpressionKind kind) const {
    auto compiled = Expression::Compile(raw, kind);
    if (!compiled.ok()) {
      problems->push_back(owner + ": " + field + ": " + compiled.status().message());
    }
  }
  void CheckOptional(const std::string& field, const std::optional<doc::Value>& raw) const {
    if (raw) Check(field, *raw, ExpressionKind::kDocument);
  }
  void CheckFields(const std::string& prefix, const std::vector<config::FieldRule>& fields) const {
    for (const config::FieldRule& f : fields) {
      std::string at = prefix + "." + f.name;
      CheckOptional(at + ".read", f.read);
      CheckOptional(at + ".write", f.write);
      CheckFields(at + ".fields", f.fields);
    }
  }
};

}  // namespace

std::vector<std::string> CheckRuleSet(const config::RuleSet& rules) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < rules.roles.size(); ++i) {
    const config::Role& role = rules.roles[i];
    Checker c{&problems, "roles[" + std::to_string(i) + "] " + Quote(role.name)};
    c.Check("apply_when", role.apply_when, ExpressionKind::kDocument);
    c.CheckOptional("document_filters.read", role.document_filters.read);
    c.CheckOptional("document_filters.write", role.document_filters.write);
    c.CheckOptional("read", role.read);
    c.CheckOptional("write", role.write);
    c.Check("insert", role.insert, ExpressionKind::kDocument);
    c.Check("delete", role.delete_, ExpressionKind::kDocument);
    c.Check("search", role.search, ExpressionKind::kDocument);
    c.CheckFields("fields", role.fields);
    c.CheckOptional("additional_fields.read", role.additional_fields.read);
    c.CheckOptional("additional_fields.write", role.additional_fields.write);
  }
  for (std::size_t i = 0; i < rules.filters.size(); ++i) {
    const config::Filter& filter = rules.filters[i];
    Checker c{&problems, "filters[" + std::to_string(i) + "] " + Quote(filter.name)};
    c.Check("apply_when", filter.apply_when, ExpressionKind::kFilterApplyWhen);
    c.Check("query", filter.query, ExpressionKind::kFilterQuery);
  }
  return problems;
}

}  // namespace plinth::rules
