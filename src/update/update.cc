#include "update/update.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "doc/compare.h"
#include "doc/ejson.h"
#include "doc/limits.h"
#include "expr/arithmetic.h"
#include "matcher/matcher.h"
#include "matcher/sort.h"

namespace plinth::update {

using base::ErrorCode;
using base::Result;
using base::Status;
using doc::Array;
using doc::Document;
using doc::FieldPath;
using doc::Value;

enum class Kind {
  kSet,
  kUnset,
  kInc,
  kMul,
  kMin,
  kMax,
  kRename,
  kSetOnInsert,
  kCurrentDate,
  kPush,
  kAddToSet,
  kPop,
  kPull,
  kPullAll,
  kBit,
};

enum class BitOp { kAnd, kOr, kXor };

struct Update::Op {
  Op(Kind k, std::string name, FieldPath p)
      : kind(k), op_name(std::move(name)), path(std::move(p)) {}

  Kind kind;
  std::string op_name;      // "$set", for messages
  FieldPath path;           // the field written (for $rename, the destination)
  Value arg;                // $set/$inc/$min/... operand; $pop direction; $pull equality value
  std::vector<Value> each;  // $push/$addToSet elements; $pullAll values
  std::optional<std::int64_t> position;               // $push $position
  std::optional<std::int64_t> slice;                  // $push $slice
  bool timestamp = false;                             // $currentDate {$type: "timestamp"}
  std::optional<FieldPath> from;                      // $rename source
  std::shared_ptr<const matcher::Matcher> condition;  // $pull with a query
  bool wrapped = false;          // condition tests {v: element} rather than the element itself
  bool array_condition = false;  // wrapped condition uses $elemMatch, $size or $all
  int sort_direction = 0;        // $push {$sort: 1 | -1}; 0 = none
  std::optional<matcher::SortSpec> sort_spec;  // $push {$sort: {field: 1 | -1}}
  std::vector<std::pair<BitOp, Value>> bits;   // $bit operations, in order
  bool positional = false;                     // path has "$", "$[]" or "$[<id>]" components
};

// An array filter: the identifier it binds and its query, which tests
// {<identifier>: element}.
struct Update::ArrayFilter {
  std::string identifier;
  std::shared_ptr<const matcher::Matcher> query;
};

namespace {

using expr::Arithmetic;
using expr::ArithmeticOp;
using expr::ZeroLike;

using Op = Update::Op;

constexpr std::string_view kWrappedField = "v";

Status FailedToParse(std::string message) {
  return Status(ErrorCode::kFailedToParse, std::move(message));
}

std::string Json(const Value& v) { return doc::ToRelaxedJson(v); }

std::string TypeName(const Value& v) { return std::string(doc::TypeName(v.type())); }

// "{a: 1}", the way MongoDB shows one element in messages.
std::string ElementText(std::string_view name, const Value& v) {
  return "{" + std::string(name) + ": " + Json(v) + "}";
}

// "{_id: 1}", the document named in messages.
std::string IdText(const Document& d) {
  const Value* id = d.Get("_id");
  return id == nullptr ? "{}" : ElementText("_id", *id);
}

// Path order: component by component; array indexes ("2" < "10") before other
// names, other names by bytes; a prefix before its extensions.
int CompareComponents(const std::string& a, const std::string& b) {
  const std::optional<std::size_t> ia = doc::ArrayIndexOf(a);
  const std::optional<std::size_t> ib = doc::ArrayIndexOf(b);
  if (ia && ib) return *ia < *ib ? -1 : (*ia > *ib ? 1 : 0);
  if (ia) return -1;
  if (ib) return 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int ComparePaths(const FieldPath& a, const FieldPath& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (int c = CompareComponents(a[i], b[i]); c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

bool IsPrefixOf(const FieldPath& prefix, const FieldPath& path) {
  if (prefix.size() > path.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != path[i]) return false;
  }
  return true;
}

// "$[]" or "$[<identifier>]".
bool IsArrayComponent(std::string_view c) {
  return c.size() >= 3 && c.substr(0, 2) == "$[" && c.back() == ']';
}

// The identifier of "$[<identifier>]"; empty for "$[]".
std::string_view IdentifierOf(std::string_view c) { return c.substr(2, c.size() - 3); }

Result<FieldPath> ParseUpdatePath(std::string_view dotted) {
  if (dotted.empty()) return base::BadValue("An empty update path is not valid.");
  if (dotted.front() == '.' || dotted.back() == '.' ||
      dotted.find("..") != std::string_view::npos) {
    return base::BadValue("The update path '" + std::string(dotted) +
                          "' contains an empty field name, which is not allowed.");
  }
  PLINTH_ASSIGN_OR_RETURN(FieldPath path, FieldPath::ParseForUpdate(dotted));
  int dollars = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (c == "$") ++dollars;
    if (i == 0 && c == "$") {
      return base::BadValue(
          "Cannot have positional (i.e. '$') element in the first position in "
          "path '" +
          std::string(dotted) + "'");
    }
    if (i == 0 && IsArrayComponent(c)) {
      return base::BadValue(
          "Cannot have array filter identifier (i.e. '$[<id>]') element in the "
          "first position in path '" +
          std::string(dotted) + "'");
    }
  }
  if (dollars > 1) {
    return base::BadValue("Too many positional (i.e. '$') elements found in path '" +
                          std::string(dotted) + "'");
  }
  return path;
}

bool IsPositionalPath(const FieldPath& path) {
  return std::any_of(path.components().begin(), path.components().end(),
                     [](const std::string& c) { return c == "$" || IsArrayComponent(c); });
}

// An integer operand of $position / $slice: Int32, Int64, or an integral
// Double.
std::optional<std::int64_t> IntegerOf(const Value& v) {
  if (const auto* i = v.get_if<std::int32_t>()) return *i;
  if (const auto* i = v.get_if<std::int64_t>()) return *i;
  if (const auto* d = v.get_if<double>()) {
    if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.0e18) {
      return static_cast<std::int64_t>(*d);
    }
  }
  return std::nullopt;
}

bool IsQueryCombinator(std::string_view name) {
  return name == "$and" || name == "$or" || name == "$nor" || name == "$where" || name == "$expr" ||
         name == "$text" || name == "$comment";
}

// $push's $sort: 1 or -1 sorts whole elements; {field: 1 | -1, ...} sorts
// document elements by those fields.
Status ParsePushSort(const Value& v, Op* op) {
  const Status invalid = base::BadValue(
      "The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort "
      "embedded fields");
  if (v.is_number()) {
    if (doc::ValuesEqual(v, Value(std::int32_t{1}))) {
      op->sort_direction = 1;
    } else if (doc::ValuesEqual(v, Value(std::int32_t{-1}))) {
      op->sort_direction = -1;
    } else {
      return invalid;
    }
    return Status::Ok();
  }
  const Document* spec = v.get_if<Document>();
  if (spec == nullptr) return invalid;
  if (spec->empty()) {
    return base::BadValue("The $sort pattern is empty when it should be a set of fields.");
  }
  for (const auto& [name, dir] : *spec) {
    if (!dir.is_number() || (!doc::ValuesEqual(dir, Value(std::int32_t{1})) &&
                             !doc::ValuesEqual(dir, Value(std::int32_t{-1})))) {
      return base::BadValue("The $sort element value must be either 1 or -1");
    }
    if (name.empty() || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string::npos) {
      return base::BadValue("The $sort field is a dotted field but has an empty part: " + name);
    }
    if (name.front() == '$' || name.find(".$") != std::string::npos) {
      return base::BadValue("The $sort field names may not start with '$': " + name);
    }
  }
  PLINTH_ASSIGN_OR_RETURN(op->sort_spec, matcher::SortSpec::Parse(*spec));
  return Status::Ok();
}

Status ParsePushArg(const Value& arg, Op* op) {
  const Document* d = arg.get_if<Document>();
  if (d == nullptr || !d->Has("$each")) {
    op->each.push_back(arg);
    return Status::Ok();
  }
  for (const auto& [name, v] : *d) {
    if (name == "$each") {
      const Array* a = v.get_if<Array>();
      if (a == nullptr) {
        return base::BadValue(
            "The argument to $each in $push must be an array but it was of type: " + TypeName(v));
      }
      op->each = a->values();
    } else if (name == "$position") {
      op->position = IntegerOf(v);
      if (!op->position) {
        return base::BadValue("The value for $position must be an integer value, not of type: " +
                              TypeName(v));
      }
    } else if (name == "$slice") {
      op->slice = IntegerOf(v);
      if (!op->slice) {
        return base::BadValue("The value for $slice must be an integer value but was given type: " +
                              TypeName(v));
      }
    } else if (name == "$sort") {
      PLINTH_RETURN_IF_ERROR(ParsePushSort(v, op));
    } else {
      return base::BadValue("Unrecognized clause in $push: " + name);
    }
  }
  return Status::Ok();
}

Status ParseAddToSetArg(const Value& arg, Op* op) {
  const Document* d = arg.get_if<Document>();
  if (d == nullptr || d->empty() || d->fields().front().first != "$each") {
    op->each.push_back(arg);
    return Status::Ok();
  }
  if (d->size() != 1) {
    return base::BadValue("Found unexpected fields after $each in $addToSet: " + Json(arg));
  }
  const Value& each = d->fields().front().second;
  const Array* a = each.get_if<Array>();
  if (a == nullptr) {
    return base::BadValue("The argument to $each in $addToSet must be an array but was " +
                          TypeName(each));
  }
  op->each = a->values();
  return Status::Ok();
}

Status ParsePullArg(const Value& arg, Op* op) {
  const Document* d = arg.get_if<Document>();
  if (d == nullptr) {
    op->arg = arg;  // a scalar or an array: removes the elements equal to it
    return Status::Ok();
  }
  Document filter;
  if (d->empty()) {
    // {} is a query matching every element that is a document.
    PLINTH_ASSIGN_OR_RETURN(op->condition, matcher::Matcher::Parse(filter));
    return Status::Ok();
  }
  const std::string& first = d->fields().front().first;
  if (!first.empty() && first[0] == '$' && !IsQueryCombinator(first)) {
    // {$gte: 6}: a condition on the element itself.
    filter.Append(std::string(kWrappedField), arg);
    op->wrapped = true;
    op->array_condition = d->Has("$elemMatch") || d->Has("$size") || d->Has("$all");
  } else {
    // {b: 1, c: {$gt: 2}}: a query on elements that are documents.
    filter = *d;
  }
  PLINTH_ASSIGN_OR_RETURN(op->condition, matcher::Matcher::Parse(filter));
  return Status::Ok();
}

Status ParseCurrentDateArg(const std::string& field, const Value& arg, Op* op) {
  if (arg.is_bool()) return Status::Ok();
  const Document* d = arg.get_if<Document>();
  const std::string bad = field +
                          " is not valid type for $currentDate. Please use a boolean ('true') or "
                          "a $type expression ({$type: 'timestamp/date'}).";
  if (d == nullptr) return base::BadValue(bad);
  if (d->size() != 1 || d->fields().front().first != "$type") {
    return base::BadValue("Unrecognized $currentDate option: " + Json(arg));
  }
  const Value& type = d->fields().front().second;
  if (type.is_string() && type.as_string() == "date") return Status::Ok();
  if (type.is_string() && type.as_string() == "timestamp") {
    op->timestamp = true;
    return Status::Ok();
  }
  return base::BadValue("The '$type' string field is required to be 'date' or 'timestamp': " +
                        Json(arg));
}

constexpr std::string_view kBitFormat = "{$bit: {field: {and/or/xor: #}}";

Status ParseBitArg(const Value& arg, Op* op) {
  const Document* d = arg.get_if<Document>();
  if (d == nullptr) {
    return base::BadValue("The $bit modifier is not compatible with a " + TypeName(arg) +
                          ". You must pass in an embedded document: " + std::string(kBitFormat));
  }
  if (d->empty()) {
    return base::BadValue("You must pass in at least one bitwise operation. The format is: " +
                          std::string(kBitFormat));
  }
  for (const auto& [name, v] : *d) {
    BitOp bit;
    if (name == "and") {
      bit = BitOp::kAnd;
    } else if (name == "or") {
      bit = BitOp::kOr;
    } else if (name == "xor") {
      bit = BitOp::kXor;
    } else {
      return base::BadValue("The $bit modifier only supports 'and', 'or', and 'xor', not '" + name +
                            "' which is an unknown operator: " + ElementText(name, v));
    }
    if (v.type() != doc::Type::kInt32 && v.type() != doc::Type::kInt64) {
      return base::BadValue("The $bit modifier field must be an Integer(32/64 bit); a '" +
                            TypeName(v) + "' is not supported here: " + ElementText(name, v));
    }
    op->bits.emplace_back(bit, v);
  }
  return Status::Ok();
}

// Parses one `field: arg` of operator `name` into *op (path already set).
Status ParseOperand(Kind kind, const std::string& field, const Value& arg, Op* op) {
  switch (kind) {
    case Kind::kSet:
    case Kind::kSetOnInsert:
    case Kind::kMin:
    case Kind::kMax:
      op->arg = arg;
      return Status::Ok();
    case Kind::kUnset:
      return Status::Ok();
    case Kind::kInc:
    case Kind::kMul:
      if (!arg.is_number()) {
        return Status(ErrorCode::kTypeMismatch,
                      std::string(kind == Kind::kInc ? "Cannot increment" : "Cannot multiply") +
                          " with non-numeric argument: " + ElementText(field, arg));
      }
      op->arg = arg;
      return Status::Ok();
    case Kind::kCurrentDate:
      return ParseCurrentDateArg(field, arg, op);
    case Kind::kPush:
      return ParsePushArg(arg, op);
    case Kind::kAddToSet:
      return ParseAddToSetArg(arg, op);
    case Kind::kPop: {
      if (!arg.is_number())
        return base::BadValue("Expected a number in: " + ElementText(field, arg));
      const int c = doc::Compare(arg, Value(std::int32_t{0}));
      if (!doc::ValuesEqual(arg, Value(std::int32_t{1})) &&
          !doc::ValuesEqual(arg, Value(std::int32_t{-1}))) {
        return base::BadValue("$pop expects 1 or -1, found: " + Json(arg));
      }
      op->arg = Value(std::int32_t{c > 0 ? 1 : -1});
      return Status::Ok();
    }
    case Kind::kPull:
      return ParsePullArg(arg, op);
    case Kind::kPullAll: {
      const Array* a = arg.get_if<Array>();
      if (a == nullptr) {
        return base::BadValue("$pullAll requires an array argument but was given a " +
                              TypeName(arg));
      }
      op->each = a->values();
      return Status::Ok();
    }
    case Kind::kBit:
      return ParseBitArg(arg, op);
    case Kind::kRename: {
      if (op->positional) {
        return base::BadValue("The source field for $rename may not be dynamic: " + field);
      }
      if (!arg.is_string()) {
        return base::BadValue("The 'to' field for $rename must be a string: " +
                              ElementText(field, arg));
      }
      PLINTH_ASSIGN_OR_RETURN(FieldPath to, ParseUpdatePath(arg.as_string()));
      if (IsPositionalPath(to)) {
        return base::BadValue("The destination field for $rename may not be dynamic: " +
                              arg.as_string());
      }
      // op->path holds the source until here; the destination is what the op writes.
      if (op->path == to) {
        return base::BadValue("The source and target field for $rename must differ: " +
                              ElementText(field, arg));
      }
      if (IsPrefixOf(op->path, to) || IsPrefixOf(to, op->path)) {
        return base::BadValue(
            "The source and target field for $rename must not be on the same path: " +
            ElementText(field, arg));
      }
      op->from = op->path;
      op->path = std::move(to);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

std::optional<Kind> KindOf(std::string_view name) {
  static constexpr std::pair<std::string_view, Kind> kKinds[] = {
      {"$set", Kind::kSet},
      {"$unset", Kind::kUnset},
      {"$inc", Kind::kInc},
      {"$mul", Kind::kMul},
      {"$min", Kind::kMin},
      {"$max", Kind::kMax},
      {"$rename", Kind::kRename},
      {"$setOnInsert", Kind::kSetOnInsert},
      {"$currentDate", Kind::kCurrentDate},
      {"$push", Kind::kPush},
      {"$addToSet", Kind::kAddToSet},
      {"$pop", Kind::kPop},
      {"$pull", Kind::kPull},
      {"$pullAll", Kind::kPullAll},
      {"$bit", Kind::kBit},
  };
  for (const auto& [n, k] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

// ConflictingUpdateOperators when one path written by the update is a prefix
// of (or equal to) another.
Status CheckConflicts(const std::vector<std::shared_ptr<Op>>& ops) {
  struct Entry {
    const FieldPath* path;
    std::size_t seq;
  };
  std::vector<Entry> entries;
  for (const auto& op : ops) {
    if (op->from) entries.push_back({&*op->from, entries.size()});
    entries.push_back({&op->path, entries.size()});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return ComparePaths(*a.path, *b.path) < 0;
  });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    const Entry& shorter = entries[i - 1];
    const Entry& longer = entries[i];
    if (!IsPrefixOf(*shorter.path, *longer.path)) continue;
    const Entry& later = shorter.seq > longer.seq ? shorter : longer;
    return Status(ErrorCode::kConflictingUpdateOperators,
                  "Updating the path '" + later.path->ToString() +
                      "' would create a conflict at '" + shorter.path->ToString() + "'");
  }
  return Status::Ok();
}

// Where a write to `path` lands in *root.
struct Found {
  Value* value = nullptr;  // the existing value, or nullptr when absent
  Status blocked;          // PathNotViable when a step is a scalar (or an array
                           // met with a non-index component): nothing can be created
};

Found FindForWrite(Document* root, const FieldPath& path) {
  Document* d = root;
  Array* a = nullptr;
  const Value* parent = nullptr;
  for (std::size_t i = 0; i < path.size(); ++i) {
    Value* child = nullptr;
    if (d != nullptr) {
      child = d->GetMutable(path[i]);
    } else {
      const std::optional<std::size_t> index = doc::ArrayIndexOf(path[i]);
      if (!index) {
        return {nullptr, Status(ErrorCode::kPathNotViable, "Cannot create field '" + path[i] +
                                                               "' in element " +
                                                               ElementText(path[i - 1], *parent))};
      }
      std::vector<Value>& values = a->mutable_values();
      child = *index < values.size() ? &values[*index] : nullptr;
    }
    if (child == nullptr || i + 1 == path.size()) return {child, Status::Ok()};
    if (child->is_document()) {
      d = &child->as_document();
      a = nullptr;
    } else if (child->is_array()) {
      a = &child->as_array();
      d = nullptr;
    } else {
      return {nullptr, Status(ErrorCode::kPathNotViable, "Cannot create field '" + path[i + 1] +
                                                             "' in element " +
                                                             ElementText(path[i], *child))};
    }
    parent = child;
  }
  return {};
}

// The result of a creating write: the value, or the reason it cannot be made.
Status Store(Document* work, const FieldPath& path, Value value) {
  Status s = doc::SetPath(work, path, std::move(value));
  if (s.ok() || s.code() != ErrorCode::kTypeMismatch) return s;
  return Status(ErrorCode::kPathNotViable, s.message());
}

bool PullMatches(const Op& op, const Value& element) {
  if (op.condition == nullptr) return doc::ValuesEqual(element, op.arg);
  if (op.wrapped) {
    // MongoDB tests the condition on the element itself, without descending
    // into it when it is an array. The matcher does descend, so an array
    // element goes in one more array (whose own elements the matcher does not
    // enter), except for the array operators, which must see the element.
    Document wrapper;
    if (element.is_array() && !op.array_condition) {
      wrapper.Append(std::string(kWrappedField), Array{element});
    } else {
      wrapper.Append(std::string(kWrappedField), element);
    }
    return op.condition->Matches(wrapper);
  }
  const Document* d = element.get_if<Document>();
  return d != nullptr && op.condition->Matches(*d);
}

bool Contains(const std::vector<Value>& values, const Value& v) {
  return std::any_of(values.begin(), values.end(),
                     [&](const Value& e) { return doc::ValuesEqual(e, v); });
}

Status ApplyPush(const Op& op, const FieldPath& path, const Found& f, const Document& original,
                 Document* work) {
  std::vector<Value> values;
  if (f.value != nullptr) {
    if (!f.value->is_array()) {
      return base::BadValue("The field '" + path.ToString() + "' must be an array but is of type " +
                            TypeName(*f.value) + " in document " + IdText(original));
    }
    values = f.value->as_array().values();
  }
  const auto size = static_cast<std::int64_t>(values.size());
  std::int64_t at = size;
  if (op.position) {
    at = *op.position >= 0 ? std::min(*op.position, size)
                           : std::max<std::int64_t>(0, size + *op.position);
  }
  values.insert(values.begin() + at, op.each.begin(), op.each.end());
  if (op.sort_direction != 0) {
    std::stable_sort(values.begin(), values.end(), [&](const Value& a, const Value& b) {
      return doc::Compare(a, b) * op.sort_direction < 0;
    });
  } else if (op.sort_spec) {
    // Elements that are not documents sort as documents without the fields.
    static const Document kEmpty;
    auto as_doc = [](const Value& v) -> const Document& {
      const Document* d = v.get_if<Document>();
      return d != nullptr ? *d : kEmpty;
    };
    std::stable_sort(values.begin(), values.end(), [&](const Value& a, const Value& b) {
      return op.sort_spec->Compare(as_doc(a), as_doc(b)) < 0;
    });
  }
  if (op.slice) {
    const auto n = static_cast<std::int64_t>(values.size());
    if (*op.slice >= 0) {
      if (*op.slice < n) values.erase(values.begin() + *op.slice, values.end());
    } else if (-*op.slice < n) {
      values.erase(values.begin(), values.end() + *op.slice);
    }
  }
  Array out;
  out.mutable_values() = std::move(values);
  return Store(work, path, Value(std::move(out)));
}

Status ApplyAddToSet(const Op& op, const FieldPath& path, const Found& f, Document* work) {
  std::vector<Value> values;
  if (f.value != nullptr) {
    if (!f.value->is_array()) {
      return base::BadValue("Cannot apply $addToSet to non-array field. Field named '" +
                            path[path.size() - 1] + "' has non-array type " + TypeName(*f.value));
    }
    values = f.value->as_array().values();
  }
  for (const Value& v : op.each) {
    if (!Contains(values, v)) values.push_back(v);
  }
  Array out;
  out.mutable_values() = std::move(values);
  return Store(work, path, Value(std::move(out)));
}

Status ApplyArithmetic(const Op& op, const FieldPath& path, const Found& f,
                       const Document& original, Document* work) {
  if (f.value == nullptr) {
    return Store(work, path, op.kind == Kind::kInc ? op.arg : ZeroLike(op.arg));
  }
  if (!f.value->is_number()) {
    return Status(ErrorCode::kTypeMismatch,
                  "Cannot apply " + op.op_name + " to a value of non-numeric type. " +
                      IdText(original) + " has the field '" + path[path.size() - 1] +
                      "' of non-numeric type " + TypeName(*f.value));
  }
  std::optional<Value> r = Arithmetic(
      *f.value, op.arg, op.kind == Kind::kInc ? ArithmeticOp::kAdd : ArithmeticOp::kMultiply);
  if (!r) {
    return base::BadValue("Failed to apply " + op.op_name + " operations to current value ((" +
                          (f.value->type() == doc::Type::kInt32 ? "NumberInt" : "NumberLong") +
                          ")" + Json(*f.value) + ") for document " + IdText(original));
  }
  *f.value = std::move(*r);
  return Status::Ok();
}

// $bit: and/or/xor in order on an Int32 or Int64 (a missing field starts at
// Int32 0); an Int64 on either side makes the result Int64.
Status ApplyBit(const Op& op, const FieldPath& path, const Found& f, const Document& original,
                Document* work) {
  Value current = f.value != nullptr ? *f.value : Value(std::int32_t{0});
  if (current.type() != doc::Type::kInt32 && current.type() != doc::Type::kInt64) {
    return base::BadValue("Cannot apply $bit to a value of non-integral type." + IdText(original) +
                          " has the field " + path[path.size() - 1] + " of non-integer type " +
                          TypeName(current));
  }
  for (const auto& [bit, operand] : op.bits) {
    const bool wide = current.type() == doc::Type::kInt64 || operand.type() == doc::Type::kInt64;
    auto as64 = [](const Value& v) -> std::int64_t {
      return v.type() == doc::Type::kInt64 ? *v.get_if<std::int64_t>()
                                           : static_cast<std::int64_t>(v.as_int32());
    };
    const std::int64_t a = as64(current);
    const std::int64_t b = as64(operand);
    std::int64_t r = 0;
    switch (bit) {
      case BitOp::kAnd:
        r = a & b;
        break;
      case BitOp::kOr:
        r = a | b;
        break;
      case BitOp::kXor:
        r = a ^ b;
        break;
    }
    current = wide ? Value(r) : Value(static_cast<std::int32_t>(r));
  }
  if (f.value != nullptr) {
    *f.value = std::move(current);
    return Status::Ok();
  }
  return Store(work, path, std::move(current));
}

// Walks a $rename path that must not go through arrays. Returns the value
// (nullptr when absent); an error when an array is on the way.
Result<const Value*> FindRenamePath(const Document& root, const FieldPath& path, bool source) {
  const Value* v = root.Get(path[0]);
  for (std::size_t i = 0; v != nullptr; ++i) {
    if (v->is_array() && i + 1 < path.size()) {
      return base::BadValue(std::string(source ? "The source" : "The destination") +
                            " field cannot be an array element, '" + path.ToString() +
                            "' in doc with " + ElementText(path[0], *root.Get(path[0])));
    }
    if (i + 1 == path.size()) return v;
    if (!v->is_document()) {
      if (source) return static_cast<const Value*>(nullptr);
      return Status(ErrorCode::kPathNotViable, "Cannot create field '" + path[i + 1] +
                                                   "' in element " + ElementText(path[i], *v));
    }
    v = v->as_document().Get(path[i + 1]);
  }
  return v;
}

Status ApplyRename(const Op& op, Document* work) {
  PLINTH_ASSIGN_OR_RETURN(const Value* source, FindRenamePath(*work, *op.from, true));
  if (source == nullptr) return Status::Ok();
  PLINTH_ASSIGN_OR_RETURN(const Value* target, FindRenamePath(*work, op.path, false));
  (void)target;
  Value moved = *source;
  doc::RemovePath(work, *op.from);
  doc::RemovePath(work, op.path);
  return Store(work, op.path, std::move(moved));
}

// Applies `op` at `path` (op.path, or one concrete expansion of a positional
// op.path).
Status ApplyOp(const Op& op, const FieldPath& path, const Document& original,
               const ApplyContext& context, Document* work) {
  if (op.kind == Kind::kRename) return ApplyRename(op, work);
  if (op.kind == Kind::kUnset) {
    doc::RemovePath(work, path);
    return Status::Ok();
  }
  if (op.kind == Kind::kSetOnInsert && !context.is_upsert_insert) return Status::Ok();
  const Found f = FindForWrite(work, path);
  const bool creates = op.kind != Kind::kPop && op.kind != Kind::kPull && op.kind != Kind::kPullAll;
  if (!f.blocked.ok()) return creates ? f.blocked : Status::Ok();
  switch (op.kind) {
    case Kind::kSet:
    case Kind::kSetOnInsert:
      if (f.value != nullptr) {
        *f.value = op.arg;
        return Status::Ok();
      }
      return Store(work, path, op.arg);
    case Kind::kInc:
    case Kind::kMul:
      return ApplyArithmetic(op, path, f, original, work);
    case Kind::kMin:
    case Kind::kMax: {
      if (f.value == nullptr) return Store(work, path, op.arg);
      const int c = doc::Compare(op.arg, *f.value);
      if ((op.kind == Kind::kMin && c < 0) || (op.kind == Kind::kMax && c > 0)) *f.value = op.arg;
      return Status::Ok();
    }
    case Kind::kCurrentDate: {
      Value now =
          op.timestamp
              ? Value(doc::Timestamp{static_cast<std::uint32_t>(context.now_millis / 1000), 1})
              : Value(doc::DateTime{context.now_millis});
      return Store(work, path, std::move(now));
    }
    case Kind::kPush:
      return ApplyPush(op, path, f, original, work);
    case Kind::kAddToSet:
      return ApplyAddToSet(op, path, f, work);
    case Kind::kPop: {
      if (f.value == nullptr) return Status::Ok();
      if (!f.value->is_array()) {
        return base::BadValue("Path '" + path.ToString() +
                              "' contains an element of non-array type '" + TypeName(*f.value) +
                              "'");
      }
      std::vector<Value>& values = f.value->as_array().mutable_values();
      if (values.empty()) return Status::Ok();
      if (op.arg.as_int32() > 0) {
        values.pop_back();
      } else {
        values.erase(values.begin());
      }
      return Status::Ok();
    }
    case Kind::kPull:
    case Kind::kPullAll: {
      if (f.value == nullptr) return Status::Ok();
      if (!f.value->is_array()) return base::BadValue("Cannot apply $pull to a non-array value");
      std::vector<Value>& values = f.value->as_array().mutable_values();
      std::erase_if(values, [&](const Value& e) {
        return op.kind == Kind::kPull ? PullMatches(op, e) : Contains(op.each, e);
      });
      return Status::Ok();
    }
    case Kind::kBit:
      return ApplyBit(op, path, f, original, work);
    case Kind::kUnset:
    case Kind::kRename:
      break;
  }
  return Status::Ok();
}

// One write of an applied update: an op and the concrete path it writes.
struct Target {
  const Op* op;
  FieldPath path;
};

bool ValidIdentifier(std::string_view id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// The top-level identifiers a filter's conditions name: the first component
// of each path, looking through $and/$or/$nor.
void CollectIdentifiers(const Document& filter, std::vector<std::string>* out) {
  for (const auto& [name, value] : filter) {
    if (name == "$and" || name == "$or" || name == "$nor") {
      if (const Array* a = value.get_if<Array>()) {
        for (const Value& e : *a) {
          if (const Document* d = e.get_if<Document>()) CollectIdentifiers(*d, out);
        }
      }
      continue;
    }
    if (!name.empty() && name[0] == '$') continue;  // $comment; others fail in the matcher
    out->push_back(name.substr(0, name.find('.')));
  }
}

Status ArrayFilterError(std::string message) {
  return FailedToParse("Error parsing array filter :: caused by :: " + std::move(message));
}

const Update::ArrayFilter* FindFilter(const std::vector<Update::ArrayFilter>& filters,
                                      std::string_view id) {
  for (const auto& f : filters) {
    if (f.identifier == id) return &f;
  }
  return nullptr;
}

// Walks op.path through `original`, expanding "$", "$[]" and "$[<id>]"
// into the concrete paths they stand for (appended to *out). `at` is the
// value reached so far (nullptr: missing), `prefix` the concrete components.
Status Expand(const Op& op, const std::vector<Update::ArrayFilter>& filters,
              const ApplyContext& context, const Value* at, std::size_t i,
              std::vector<std::string>* prefix, std::vector<Target>* out) {
  const FieldPath& path = op.path;
  if (i == path.size()) {
    std::string dotted;
    for (const std::string& c : *prefix) {
      if (!dotted.empty()) dotted += '.';
      dotted += c;
    }
    PLINTH_ASSIGN_OR_RETURN(FieldPath concrete, FieldPath::ParseForUpdate(dotted));
    out->push_back({&op, std::move(concrete)});
    return Status::Ok();
  }
  const std::string& c = path[i];
  auto step = [&](const std::string& name, const Value* next) -> Status {
    prefix->push_back(name);
    Status s = Expand(op, filters, context, next, i + 1, prefix, out);
    prefix->pop_back();
    return s;
  };
  auto child_of = [](const Value* v, const std::string& name) -> const Value* {
    if (v == nullptr) return nullptr;
    if (const Document* d = v->get_if<Document>()) return d->Get(name);
    if (const Array* a = v->get_if<Array>()) {
      const std::optional<std::size_t> index = doc::ArrayIndexOf(name);
      if (index && *index < a->size()) return &(*a)[*index];
    }
    return nullptr;
  };
  if (c == "$") {
    if (!context.positional_index) {
      return base::BadValue(
          "The positional operator did not find the match needed from the query.");
    }
    const std::string index = std::to_string(*context.positional_index);
    return step(index, child_of(at, index));
  }
  if (!IsArrayComponent(c)) return step(c, child_of(at, c));
  std::string here;
  for (const std::string& p : *prefix) here += (here.empty() ? "" : ".") + p;
  if (at == nullptr) {
    return base::BadValue("The path '" + here +
                          "' must exist in the document in order to apply array updates.");
  }
  const Array* array = at->get_if<Array>();
  if (array == nullptr) {
    return base::BadValue("Cannot apply array updates to non-array element " +
                          ElementText(prefix->back(), *at));
  }
  const std::string_view id = IdentifierOf(c);
  const Update::ArrayFilter* filter = id.empty() ? nullptr : FindFilter(filters, id);
  for (std::size_t k = 0; k < array->size(); ++k) {
    const Value& element = (*array)[k];
    if (filter != nullptr) {
      Document wrapper;
      wrapper.Append(filter->identifier, element);
      if (!filter->query->Matches(wrapper)) continue;
    }
    PLINTH_RETURN_IF_ERROR(step(std::to_string(k), &element));
  }
  return Status::Ok();
}

Status CheckIdValue(const Document& d) {
  const Value* id = d.Get("_id");
  if (id == nullptr) return Status::Ok();
  const doc::Type t = id->type();
  if (t == doc::Type::kArray || t == doc::Type::kRegex || t == doc::Type::kUndefined) {
    return Status(ErrorCode::kInvalidIdField, "The '_id' value cannot be of type " + TypeName(*id));
  }
  return Status::Ok();
}

void MoveIdToFront(Document* d) {
  auto& fields = d->mutable_fields();
  auto it = std::find_if(fields.begin(), fields.end(),
                         [](const Document::Field& f) { return f.first == "_id"; });
  if (it != fields.end() && it != fields.begin()) std::rotate(fields.begin(), it, it + 1);
}

}  // namespace

Update::Update(std::vector<std::shared_ptr<const Op>> ops,
               std::shared_ptr<const doc::Document> replacement,
               std::vector<ArrayFilter> array_filters)
    : ops_(std::move(ops)),
      replacement_(std::move(replacement)),
      array_filters_(std::move(array_filters)),
      positional_(
          std::any_of(ops_.begin(), ops_.end(), [](const auto& op) { return op->positional; })) {
  for (const auto& op : ops_) {
    const auto& c = op->path.components();
    if (std::find(c.begin(), c.end(), "$") != c.end()) needs_match_position_ = true;
  }
}

Update::~Update() = default;

namespace {

Result<std::vector<Update::ArrayFilter>> ParseArrayFilters(const std::vector<Document>& filters) {
  std::vector<Update::ArrayFilter> out;
  for (const Document& filter : filters) {
    std::vector<std::string> ids;
    CollectIdentifiers(filter, &ids);
    if (ids.empty()) {
      return FailedToParse(
          "Cannot use an expression without a top-level field name in "
          "arrayFilters");
    }
    for (const std::string& id : ids) {
      if (id != ids.front()) {
        return ArrayFilterError("Expected a single top-level field name, found '" + ids.front() +
                                "' and '" + id + "'");
      }
    }
    if (!ValidIdentifier(ids.front())) {
      return Status(ErrorCode::kBadValue,
                    "Error parsing array filter :: caused by :: The top-level field name must be "
                    "an alphanumeric string beginning with a lowercase letter, found '" +
                        ids.front() + "'");
    }
    if (FindFilter(out, ids.front()) != nullptr) {
      return FailedToParse("Found multiple array filters with the same top-level field name " +
                           ids.front());
    }
    PLINTH_ASSIGN_OR_RETURN(auto query, matcher::Matcher::Parse(filter));
    out.push_back({ids.front(), std::move(query)});
  }
  return out;
}

// A whole new document (a replacement, or a pipeline's output) keeps the
// _id it drops, and may not change it (MongoDB's immutable _id).
Status KeepId(const Value* old_id, Document* work) {
  if (old_id == nullptr) return Status::Ok();
  const Value* new_id = work->Get("_id");
  if (new_id == nullptr) {
    work->mutable_fields().insert(work->mutable_fields().begin(), {"_id", *old_id});
  } else if (!doc::ValuesEqual(*old_id, *new_id)) {
    return Status(ErrorCode::kImmutableField,
                  "After applying the update, the (immutable) field '_id' was found to have "
                  "been altered to _id: " +
                      Json(*new_id));
  }
  return Status::Ok();
}

// Every "$[<id>]" needs its filter and every filter must be used.
Status CheckFiltersUsed(const std::vector<std::shared_ptr<Op>>& ops,
                        const std::vector<Update::ArrayFilter>& filters, const Document& update) {
  std::vector<bool> used(filters.size(), false);
  for (const auto& op : ops) {
    for (const std::string& c : op->path.components()) {
      if (!IsArrayComponent(c) || IdentifierOf(c).empty()) continue;
      const Update::ArrayFilter* f = FindFilter(filters, IdentifierOf(c));
      if (f == nullptr) {
        return base::BadValue("No array filter found for identifier '" +
                              std::string(IdentifierOf(c)) + "' in path '" + op->path.ToString() +
                              "'");
      }
      used[static_cast<std::size_t>(f - filters.data())] = true;
    }
  }
  for (std::size_t i = 0; i < filters.size(); ++i) {
    if (!used[i]) {
      return FailedToParse("The array filter for identifier '" + filters[i].identifier +
                           "' was not used in the update " + doc::ToRelaxedJson(Value(update)));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const Update>> Update::Parse(const Document& update,
                                                    const std::vector<Document>& array_filters) {
  PLINTH_ASSIGN_OR_RETURN(std::vector<ArrayFilter> filters, ParseArrayFilters(array_filters));
  const bool any_operator = std::any_of(update.begin(), update.end(), [](const auto& f) {
    return !f.first.empty() && f.first[0] == '$';
  });
  if (!any_operator) return FailedToParse("Update document requires atomic operators");
  std::vector<std::shared_ptr<Op>> ops;
  for (const auto& [name, operand] : update) {
    const std::optional<Kind> kind = KindOf(name);
    if (!kind) {
      return FailedToParse("Unknown modifier: " + name +
                           ". Expected a valid update modifier or pipeline-style update "
                           "specified as an array");
    }
    const Document* fields = operand.get_if<Document>();
    if (fields == nullptr) {
      return FailedToParse("Modifiers operate on fields but we found type " + TypeName(operand) +
                           " instead. For example: {$mod: {<field>: ...}} not {" + name + ": " +
                           Json(operand) + "}");
    }
    for (const auto& [field, arg] : *fields) {
      PLINTH_ASSIGN_OR_RETURN(FieldPath path, ParseUpdatePath(field));
      auto op = std::make_shared<Op>(*kind, name, std::move(path));
      op->positional = IsPositionalPath(op->path);
      PLINTH_RETURN_IF_ERROR(ParseOperand(*kind, field, arg, op.get()));
      ops.push_back(std::move(op));
    }
  }
  PLINTH_RETURN_IF_ERROR(CheckConflicts(ops));
  PLINTH_RETURN_IF_ERROR(CheckFiltersUsed(ops, filters, update));
  std::stable_sort(ops.begin(), ops.end(),
                   [](const auto& a, const auto& b) { return ComparePaths(a->path, b->path) < 0; });
  std::vector<std::shared_ptr<const Op>> frozen(ops.begin(), ops.end());
  return std::make_shared<const Update>(std::move(frozen), nullptr, std::move(filters));
}

Result<std::shared_ptr<const Update>> Update::ParseReplacement(const Document& replacement) {
  for (const auto& [name, value] : replacement) {
    if (!name.empty() && name[0] == '$') {
      return base::BadValue(
          "the replace operation document must not contain atomic operators (found '" + name +
          "')");
    }
  }
  PLINTH_RETURN_IF_ERROR(CheckIdValue(replacement));
  return std::make_shared<const Update>(std::vector<std::shared_ptr<const Op>>{},
                                        std::make_shared<const Document>(replacement),
                                        std::vector<ArrayFilter>{});
}

Result<std::shared_ptr<const Update>> Update::ParsePipeline(
    const std::vector<Document>& stages, const std::vector<Document>& array_filters) {
  if (!array_filters.empty()) {
    return FailedToParse("arrayFilters may not be specified for pipeline-style updates");
  }
  PLINTH_ASSIGN_OR_RETURN(UpdatePipeline pipeline, UpdatePipeline::Parse(stages));
  auto update = std::make_shared<Update>(std::vector<std::shared_ptr<const Op>>{}, nullptr,
                                         std::vector<ArrayFilter>{});
  update->pipeline_ = std::make_shared<const UpdatePipeline>(std::move(pipeline));
  return std::shared_ptr<const Update>(std::move(update));
}

Result<bool> Update::Apply(Document* document, const ApplyContext& context) const {
  const Document& original = *document;
  const Value* old_id = original.Get("_id");
  Document work;
  if (pipeline_ != nullptr) {
    PLINTH_ASSIGN_OR_RETURN(work, pipeline_->Run(original, context.now_millis));
    // MongoDB keeps the _id a pipeline drops ($project, $replaceWith) and
    // refuses one it changes.
    PLINTH_RETURN_IF_ERROR(KeepId(old_id, &work));
    PLINTH_RETURN_IF_ERROR(CheckIdValue(work));
  } else if (replacement_ != nullptr) {
    work = *replacement_;
    PLINTH_RETURN_IF_ERROR(KeepId(old_id, &work));
  } else {
    work = original;
    if (!positional_) {
      for (const auto& op : ops_) {
        PLINTH_RETURN_IF_ERROR(ApplyOp(*op, op->path, original, context, &work));
      }
    } else {
      PLINTH_RETURN_IF_ERROR(ApplyPositional(original, context, &work));
    }
    const Value* new_id = work.Get("_id");
    if (old_id != nullptr && (new_id == nullptr || !doc::ValuesEqual(*old_id, *new_id))) {
      return Status(ErrorCode::kImmutableField,
                    "Performing an update on the path '_id' would modify the immutable field "
                    "'_id'");
    }
    PLINTH_RETURN_IF_ERROR(CheckIdValue(work));
    if (!original.empty() && original.fields().front().first == "_id") MoveIdToFront(&work);
  }
  PLINTH_RETURN_IF_ERROR(doc::CheckLimits(work, doc::Limits{}));
  if (work == original) return false;
  *document = std::move(work);
  return true;
}

Status Update::ApplyPositional(const Document& original, const ApplyContext& context,
                               Document* work) const {
  // Every path is made concrete against the original document first (the
  // writes are disjoint, checked below, so none changes what another sees),
  // then the writes run in path order, like plain ones.
  std::vector<Target> targets;
  for (const auto& op : ops_) {
    if (!op->positional) {
      targets.push_back({op.get(), op->path});
      continue;
    }
    std::vector<std::string> prefix;
    const Value* first = original.Get(op->path[0]);
    prefix.push_back(op->path[0]);
    PLINTH_RETURN_IF_ERROR(Expand(*op, array_filters_, context, first, 1, &prefix, &targets));
  }
  std::stable_sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) {
    return ComparePaths(a.path, b.path) < 0;
  });
  for (std::size_t i = 1; i < targets.size(); ++i) {
    if (IsPrefixOf(targets[i - 1].path, targets[i].path) ||
        (targets[i - 1].op->from && IsPrefixOf(*targets[i - 1].op->from, targets[i].path))) {
      return Status(ErrorCode::kConflictingUpdateOperators,
                    "Update created a conflict at '" + targets[i - 1].path.ToString() + "'");
    }
  }
  for (const Target& t : targets) {
    PLINTH_RETURN_IF_ERROR(ApplyOp(*t.op, t.path, original, context, work));
  }
  return Status::Ok();
}

Result<Document> BuildUpsertDocument(const matcher::Matcher& filter, const Update& update,
                                     const ApplyContext& context) {
  const auto& equalities = filter.EqualityFields();
  if (update.is_replacement()) {
    Document out = update.replacement();
    if (!out.Has("_id")) {
      for (const auto& [path, value] : equalities) {
        if (path.size() == 1 && path[0] == "_id") {
          out.mutable_fields().insert(out.mutable_fields().begin(), {"_id", value});
          break;
        }
      }
    }
    PLINTH_RETURN_IF_ERROR(CheckIdValue(out));
    PLINTH_RETURN_IF_ERROR(doc::CheckLimits(out, doc::Limits{}));
    return out;
  }
  std::vector<const std::pair<FieldPath, Value>*> sorted;
  for (const auto& e : equalities) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return ComparePaths(a->first, b->first) < 0;
  });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (IsPrefixOf(sorted[i - 1]->first, sorted[i]->first)) {
      return base::BadValue("cannot infer query fields to set, path '" +
                            sorted[i - 1]->first.ToString() + "' is matched twice");
    }
  }
  Document seed;
  for (const auto& [path, value] : equalities) {
    PLINTH_RETURN_IF_ERROR(Store(&seed, path, value));
  }
  ApplyContext insert_context = context;
  insert_context.is_upsert_insert = true;
  PLINTH_ASSIGN_OR_RETURN(bool changed, update.Apply(&seed, insert_context));
  (void)changed;
  MoveIdToFront(&seed);
  return seed;
}

}  // namespace plinth::update
