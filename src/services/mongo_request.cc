#include "services/mongo_request.h"

#include <array>
#include <cmath>
#include <utility>

#include "doc/ejson.h"
#include "storage/names.h"

namespace plinth::services {
namespace {

using base::ErrorCode;
using base::Status;

// Plinth's own records; engine.h leaves refusing it to this layer.
constexpr std::string_view kReservedDatabase = "__plinth";

// Nesting depth past which the $where scan refuses a filter instead of
// recursing further. Parsed values stay within doc::Limits' 100 levels, so
// this only bounds the recursion for values built in code.
constexpr int kMaxScanDepth = 1000;

struct ActionEntry {
  std::string_view name;
  MongoAction action;
};

constexpr std::array<ActionEntry, 14> kActions = {{
    {"find", MongoAction::kFind},
    {"findOne", MongoAction::kFindOne},
    {"count", MongoAction::kCount},
    {"aggregate", MongoAction::kAggregate},
    {"insertOne", MongoAction::kInsertOne},
    {"insertMany", MongoAction::kInsertMany},
    {"updateOne", MongoAction::kUpdateOne},
    {"updateMany", MongoAction::kUpdateMany},
    {"deleteOne", MongoAction::kDeleteOne},
    {"deleteMany", MongoAction::kDeleteMany},
    {"findOneAndUpdate", MongoAction::kFindOneAndUpdate},
    {"findOneAndReplace", MongoAction::kFindOneAndReplace},
    {"findOneAndDelete", MongoAction::kFindOneAndDelete},
    {"distinct", MongoAction::kDistinct},
}};

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidParameter, std::move(message));
}

Status Missing(std::string_view name) {
  return Status(ErrorCode::kMissingParameter, "argument '" + std::string(name) + "' is required");
}

Status WrongType(std::string_view name, std::string_view expected, const doc::Value& got) {
  return Invalid("argument '" + std::string(name) + "' must be " + std::string(expected) +
                 ", not " + std::string(doc::TypeName(got.type())));
}

// The value of the argument spelled `a` or `b`; both given with different
// values is ambiguous and refused. *name is set to the spelling used.
base::Result<const doc::Value*> GetEither(const doc::Document& args, std::string_view a,
                                          std::string_view b, std::string_view* name) {
  const doc::Value* va = args.Get(a);
  const doc::Value* vb = args.Get(b);
  if (va != nullptr && vb != nullptr && !(*va == *vb)) {
    return Invalid("arguments '" + std::string(a) + "' and '" + std::string(b) +
                   "' are the same argument; give only one");
  }
  *name = va != nullptr ? a : b;
  return va != nullptr ? va : vb;
}

Status ReadDocument(const doc::Value* value, std::string_view name, doc::Document* out) {
  if (value == nullptr) return Status::Ok();
  if (!value->is_document()) return WrongType(name, "a document", *value);
  *out = value->as_document();
  return Status::Ok();
}

Status ReadDocumentArray(const doc::Value* value, std::string_view name,
                         std::vector<doc::Document>* out) {
  if (value == nullptr) return Status::Ok();
  if (!value->is_array()) return WrongType(name, "an array of documents", *value);
  out->clear();
  std::size_t i = 0;
  for (const doc::Value& element : value->as_array()) {
    if (!element.is_document()) {
      return Invalid("argument '" + std::string(name) + "' must be an array of documents; " +
                     "element " + std::to_string(i) + " is " +
                     std::string(doc::TypeName(element.type())));
    }
    out->push_back(element.as_document());
    ++i;
  }
  return Status::Ok();
}

Status ReadBool(const doc::Value* value, std::string_view name, bool* out) {
  if (value == nullptr) return Status::Ok();
  if (!value->is_bool()) return WrongType(name, "a boolean", *value);
  *out = value->as_bool();
  return Status::Ok();
}

Status ReadLimit(const doc::Value* value, std::int64_t* out) {
  if (value == nullptr || value->is_null()) return Status::Ok();
  if (const auto* i32 = value->get_if<std::int32_t>()) {
    *out = *i32;
  } else if (const auto* i64 = value->get_if<std::int64_t>()) {
    *out = *i64;
  } else if (const auto* d = value->get_if<double>()) {
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (!std::isfinite(*d) || std::trunc(*d) != *d || *d >= 9223372036854775808.0 ||
        *d < -9223372036854775808.0) {
      return Invalid("argument 'limit' must be an integer, not " + doc::FormatDouble(*d));
    }
    *out = static_cast<std::int64_t>(*d);
  } else {
    return WrongType("limit", "an integer", *value);
  }
  return Status::Ok();
}

Status ReadName(const doc::Document& args, std::string_view name, std::string* out) {
  const doc::Value* value = args.Get(name);
  if (value == nullptr) return Missing(name);
  if (!value->is_string()) return WrongType(name, "a string", *value);
  *out = value->as_string();
  return Status::Ok();
}

// Refuses `$where` anywhere in a filter (App Services runs no JavaScript in
// queries). Containers nested deeper than kMaxScanDepth are refused too.
Status CheckNoWhere(const doc::Document& document, int depth);

Status CheckNoWhere(const doc::Value& value, int depth) {
  if (value.is_document()) return CheckNoWhere(value.as_document(), depth);
  if (!value.is_array()) return Status::Ok();
  if (depth > kMaxScanDepth) {
    return Status(ErrorCode::kDepthLimitExceeded, "filter is nested too deeply");
  }
  for (const doc::Value& element : value.as_array()) {
    PLINTH_RETURN_IF_ERROR(CheckNoWhere(element, depth + 1));
  }
  return Status::Ok();
}

Status CheckNoWhere(const doc::Document& document, int depth) {
  if (depth > kMaxScanDepth) {
    return Status(ErrorCode::kDepthLimitExceeded, "filter is nested too deeply");
  }
  for (const auto& [name, field] : document) {
    if (name == "$where") {
      return Status(ErrorCode::kBadValue, "$where is not allowed in this context");
    }
    PLINTH_RETURN_IF_ERROR(CheckNoWhere(field, depth + 1));
  }
  return Status::Ok();
}

// True when `update` is a non-empty document none of whose top-level fields
// is an operator: the realm-web tests' updateOne(filter, {name: "Alison"}).
bool IsOperatorless(const doc::Document& update) {
  if (update.empty()) return false;
  for (const auto& field : update) {
    if (!field.first.empty() && field.first[0] == '$') return false;
  }
  return true;
}

}  // namespace

std::optional<MongoAction> ParseMongoAction(std::string_view name) {
  for (const ActionEntry& entry : kActions) {
    if (entry.name == name) return entry.action;
  }
  return std::nullopt;
}

std::string_view MongoActionName(MongoAction action) {
  for (const ActionEntry& entry : kActions) {
    if (entry.action == action) return entry.name;
  }
  return "unknown";
}

base::Result<MongoRequest> ParseMongoRequest(std::string_view action_name,
                                             const doc::Value& arguments) {
  std::optional<MongoAction> action = ParseMongoAction(action_name);
  if (!action) {
    std::string message = "function not found: '" + std::string(action_name) +
                          "' is not an action of the MongoDB service";
    if (action_name == "watch") message += " (watch is a stream: GET functions/call)";
    return Status(ErrorCode::kServiceCommandNotFound, std::move(message));
  }
  if (!arguments.is_array()) {
    return WrongType("arguments", "an array holding one document", arguments);
  }
  if (arguments.as_array().size() != 1) {
    return Invalid("'arguments' must hold exactly one document for '" + std::string(action_name) +
                   "', not " + std::to_string(arguments.as_array().size()) + " values");
  }
  const doc::Value& first = arguments.as_array()[0];
  if (!first.is_document()) {
    return Invalid("'arguments' must hold one document for '" + std::string(action_name) +
                   "', not " + std::string(doc::TypeName(first.type())));
  }
  const doc::Document& args = first.as_document();

  MongoRequest req;
  req.action = *action;
  PLINTH_RETURN_IF_ERROR(ReadName(args, "database", &req.database));
  PLINTH_RETURN_IF_ERROR(ReadName(args, "collection", &req.collection));
  PLINTH_RETURN_IF_ERROR(storage::ValidateDatabaseName(req.database));
  PLINTH_RETURN_IF_ERROR(storage::ValidateCollectionName(req.collection));
  if (req.database == kReservedDatabase) {
    return Status(ErrorCode::kInvalidNamespace, "database name '" + req.database + "' is reserved");
  }

  // Every argument is type-checked whenever present, whichever action it is
  // sent with; actions ignore the ones they do not use.
  std::string_view name;
  PLINTH_ASSIGN_OR_RETURN(const doc::Value* filter, GetEither(args, "query", "filter", &name));
  PLINTH_RETURN_IF_ERROR(ReadDocument(filter, name, &req.filter));
  PLINTH_ASSIGN_OR_RETURN(const doc::Value* projection,
                          GetEither(args, "project", "projection", &name));
  PLINTH_RETURN_IF_ERROR(ReadDocument(projection, name, &req.projection));
  PLINTH_RETURN_IF_ERROR(ReadDocument(args.Get("sort"), "sort", &req.sort));
  PLINTH_RETURN_IF_ERROR(ReadLimit(args.Get("limit"), &req.limit));
  const doc::Value* update = args.Get("update");
  if (update != nullptr && update->is_array()) {
    req.update_is_pipeline = true;
    PLINTH_RETURN_IF_ERROR(ReadDocumentArray(update, "update", &req.update_pipeline));
  } else {
    PLINTH_RETURN_IF_ERROR(ReadDocument(update, "update", &req.update));
  }
  PLINTH_RETURN_IF_ERROR(ReadBool(args.Get("upsert"), "upsert", &req.upsert));
  PLINTH_RETURN_IF_ERROR(
      ReadBool(args.Get("returnNewDocument"), "returnNewDocument", &req.return_new));
  PLINTH_RETURN_IF_ERROR(ReadDocumentArray(args.Get("pipeline"), "pipeline", &req.pipeline));
  PLINTH_RETURN_IF_ERROR(
      ReadDocumentArray(args.Get("arrayFilters"), "arrayFilters", &req.array_filters));
  const doc::Value* document = args.Get("document");
  const doc::Value* documents = args.Get("documents");
  if (document != nullptr) {
    if (!document->is_document()) return WrongType("document", "a document", *document);
  }
  PLINTH_RETURN_IF_ERROR(ReadDocumentArray(documents, "documents", &req.documents));

  PLINTH_RETURN_IF_ERROR(CheckNoWhere(req.filter, 0));

  switch (req.action) {
    case MongoAction::kDistinct: {
      PLINTH_ASSIGN_OR_RETURN(const doc::Value* key, GetEither(args, "key", "field", &name));
      if (key == nullptr) return Missing("key");
      if (!key->is_string()) return WrongType(name, "a string", *key);
      req.distinct_field = key->as_string();
      break;
    }
    case MongoAction::kFind:
    case MongoAction::kFindOne:
    case MongoAction::kCount:
    case MongoAction::kDeleteOne:
    case MongoAction::kDeleteMany:
    case MongoAction::kFindOneAndDelete:
      break;
    case MongoAction::kAggregate:
      if (args.Get("pipeline") == nullptr) return Missing("pipeline");
      for (const doc::Document& stage : req.pipeline) {
        const doc::Value* match = stage.Get("$match");
        if (match != nullptr) PLINTH_RETURN_IF_ERROR(CheckNoWhere(*match, 0));
      }
      break;
    case MongoAction::kInsertOne:
      if (document == nullptr) return Missing("document");
      req.documents = {document->as_document()};
      break;
    case MongoAction::kInsertMany:
      if (documents == nullptr) return Missing("documents");
      if (req.documents.empty()) return Invalid("argument 'documents' must not be empty");
      break;
    case MongoAction::kUpdateOne:
    case MongoAction::kUpdateMany:
      if (update == nullptr) return Missing("update");
      req.update_is_replacement = !req.update_is_pipeline && IsOperatorless(req.update);
      break;
    case MongoAction::kFindOneAndUpdate:
      if (update == nullptr) return Missing("update");
      break;
    case MongoAction::kFindOneAndReplace:
      // realm-web 2.0.1 sends its findOneAndDelete() under this name, with
      // filter/sort/projection and no `update`.
      if (update == nullptr) req.action = MongoAction::kFindOneAndDelete;
      if (req.update_is_pipeline) {
        return WrongType("update", "a document (a replacement)", *update);
      }
      break;
  }
  if (req.action != MongoAction::kInsertOne && req.action != MongoAction::kInsertMany) {
    req.documents.clear();
  }
  return req;
}

}  // namespace plinth::services
