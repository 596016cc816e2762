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
};

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

Result<FieldPath> ParseUpdatePath(std::string_view dotted) {
  if (dotted.empty()) return base::BadValue("An empty update path is not valid.");
  if (dotted.front() == '.' || dotted.back() == '.' ||
      dotted.find("..") != std::string_view::npos) {
    return base::BadValue("The update path '" + std::string(dotted) +
                          "' contains an empty field name, which is not allowed.");
  }
  PLINTH_ASSIGN_OR_RETURN(FieldPath path, FieldPath::ParseForUpdate(dotted));
  for (const std::string& c : path.components()) {
    if (c == "$" || c.rfind("$[", 0) == 0) {
      return base::BadValue("positional update paths ('" + c + "' in '" + std::string(dotted) +
                            "') are not supported yet");
    }
  }
  return path;
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

Status ParsePushArg(const std::string& field, const Value& arg, Op* op) {
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
      return base::BadValue("$sort in $push is not supported yet (field '" + field + "')");
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
      return ParsePushArg(field, arg, op);
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
    case Kind::kRename: {
      if (!arg.is_string()) {
        return base::BadValue("The 'to' field for $rename must be a string: " +
                              ElementText(field, arg));
      }
      PLINTH_ASSIGN_OR_RETURN(FieldPath to, ParseUpdatePath(arg.as_string()));
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

Status ApplyPush(const Op& op, const Found& f, const Document& original, Document* work) {
  std::vector<Value> values;
  if (f.value != nullptr) {
    if (!f.value->is_array()) {
      return base::BadValue("The field '" + op.path.ToString() +
                            "' must be an array but is of type " + TypeName(*f.value) +
                            " in document " + IdText(original));
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
  return Store(work, op.path, Value(std::move(out)));
}

Status ApplyAddToSet(const Op& op, const Found& f, Document* work) {
  std::vector<Value> values;
  if (f.value != nullptr) {
    if (!f.value->is_array()) {
      return base::BadValue("Cannot apply $addToSet to non-array field. Field named '" +
                            op.path[op.path.size() - 1] + "' has non-array type " +
                            TypeName(*f.value));
    }
    values = f.value->as_array().values();
  }
  for (const Value& v : op.each) {
    if (!Contains(values, v)) values.push_back(v);
  }
  Array out;
  out.mutable_values() = std::move(values);
  return Store(work, op.path, Value(std::move(out)));
}

Status ApplyArithmetic(const Op& op, const Found& f, const Document& original, Document* work) {
  if (f.value == nullptr) {
    return Store(work, op.path, op.kind == Kind::kInc ? op.arg : ZeroLike(op.arg));
  }
  if (!f.value->is_number()) {
    return Status(ErrorCode::kTypeMismatch,
                  "Cannot apply " + op.op_name + " to a value of non-numeric type. " +
                      IdText(original) + " has the field '" + op.path[op.path.size() - 1] +
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

Status ApplyOp(const Op& op, const Document& original, const ApplyContext& context,
               Document* work) {
  if (op.kind == Kind::kRename) return ApplyRename(op, work);
  if (op.kind == Kind::kUnset) {
    doc::RemovePath(work, op.path);
    return Status::Ok();
  }
  if (op.kind == Kind::kSetOnInsert && !context.is_upsert_insert) return Status::Ok();
  const Found f = FindForWrite(work, op.path);
  const bool creates = op.kind != Kind::kPop && op.kind != Kind::kPull && op.kind != Kind::kPullAll;
  if (!f.blocked.ok()) return creates ? f.blocked : Status::Ok();
  switch (op.kind) {
    case Kind::kSet:
    case Kind::kSetOnInsert:
      if (f.value != nullptr) {
        *f.value = op.arg;
        return Status::Ok();
      }
      return Store(work, op.path, op.arg);
    case Kind::kInc:
    case Kind::kMul:
      return ApplyArithmetic(op, f, original, work);
    case Kind::kMin:
    case Kind::kMax: {
      if (f.value == nullptr) return Store(work, op.path, op.arg);
      const int c = doc::Compare(op.arg, *f.value);
      if ((op.kind == Kind::kMin && c < 0) || (op.kind == Kind::kMax && c > 0)) *f.value = op.arg;
      return Status::Ok();
    }
    case Kind::kCurrentDate: {
      Value now =
          op.timestamp
              ? Value(doc::Timestamp{static_cast<std::uint32_t>(context.now_millis / 1000), 1})
              : Value(doc::DateTime{context.now_millis});
      return Store(work, op.path, std::move(now));
    }
    case Kind::kPush:
      return ApplyPush(op, f, original, work);
    case Kind::kAddToSet:
      return ApplyAddToSet(op, f, work);
    case Kind::kPop: {
      if (f.value == nullptr) return Status::Ok();
      if (!f.value->is_array()) {
        return base::BadValue("Path '" + op.path.ToString() +
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
    case Kind::kUnset:
    case Kind::kRename:
      break;
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
               std::shared_ptr<const doc::Document> replacement)
    : ops_(std::move(ops)), replacement_(std::move(replacement)) {}

Result<std::shared_ptr<const Update>> Update::Parse(const Document& update) {
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
      PLINTH_RETURN_IF_ERROR(ParseOperand(*kind, field, arg, op.get()));
      ops.push_back(std::move(op));
    }
  }
  PLINTH_RETURN_IF_ERROR(CheckConflicts(ops));
  std::stable_sort(ops.begin(), ops.end(),
                   [](const auto& a, const auto& b) { return ComparePaths(a->path, b->path) < 0; });
  std::vector<std::shared_ptr<const Op>> frozen(ops.begin(), ops.end());
  return std::make_shared<const Update>(std::move(frozen), nullptr);
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
                                        std::make_shared<const Document>(replacement));
}

Result<bool> Update::Apply(Document* document, const ApplyContext& context) const {
  const Document& original = *document;
  const Value* old_id = original.Get("_id");
  Document work;
  if (replacement_ != nullptr) {
    work = *replacement_;
    const Value* new_id = work.Get("_id");
    if (old_id != nullptr && new_id == nullptr) {
      work.mutable_fields().insert(work.mutable_fields().begin(), {"_id", *old_id});
    } else if (old_id != nullptr && !doc::ValuesEqual(*old_id, *new_id)) {
      return Status(ErrorCode::kImmutableField,
                    "After applying the update, the (immutable) field '_id' was found to have "
                    "been altered to _id: " +
                        Json(*new_id));
    }
  } else {
    work = original;
    for (const auto& op : ops_) {
      PLINTH_RETURN_IF_ERROR(ApplyOp(*op, original, context, &work));
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
