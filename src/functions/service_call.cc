#include "functions/service_call.h"

#include <utility>

#include "base/error_code.h"

namespace plinth::functions {
namespace {

using base::ErrorCode;
using base::Status;

// The method argument at `i` (after service, db and collection), or nullptr
// when it was not given (the prelude passes undefined as null).
const doc::Value* Arg(const doc::Array& args, std::size_t i) {
  std::size_t at = i + 3;
  if (at >= args.size() || args[at].is_null()) return nullptr;
  return &args[at];
}

// Copies `from`'s fields named in `names` into `to` when present.
void CopyOptions(const doc::Value* from, std::initializer_list<std::string_view> names,
                 doc::Document* to) {
  if (from == nullptr || !from->is_document()) return;
  for (std::string_view name : names) {
    if (const doc::Value* v = from->as_document().Get(name); v != nullptr && !v->is_null()) {
      to->Append(std::string(name), *v);
    }
  }
}

void Put(doc::Document* to, std::string_view name, const doc::Value* v) {
  if (v != nullptr) to->Append(std::string(name), *v);
}

bool HasSkip(const doc::Value* options) {
  if (options == nullptr || !options->is_document()) return false;
  const doc::Value* skip = options->as_document().Get("skip");
  return skip != nullptr && !skip->is_null();
}

// find(query, projection).sort(s).skip(n).limit(l) as a pipeline: the
// client protocol's find has no skip.
doc::Value FindAsPipeline(const doc::Value* query, const doc::Value* projection,
                          const doc::Value* options) {
  doc::Array stages;
  stages.Append(doc::Document{{"$match", query != nullptr ? *query : doc::Value(doc::Document{})}});
  const doc::Document& o = options->as_document();
  for (std::string_view name : {"sort", "skip", "limit"}) {
    if (const doc::Value* v = o.Get(name); v != nullptr && !v->is_null()) {
      stages.Append(doc::Document{{"$" + std::string(name), *v}});
    }
  }
  if (projection != nullptr && projection->is_document() && !projection->as_document().empty()) {
    stages.Append(doc::Document{{"$project", *projection}});
  }
  return doc::Value(std::move(stages));
}

}  // namespace

base::Result<ServiceCall> ToServiceCall(std::string_view method, const doc::Array& args) {
  for (std::size_t i = 0; i < 3; ++i) {
    if (args.size() <= i || !args[i].is_string()) {
      return Status(ErrorCode::kInvalidParameter,
                    "mongodb." + std::string(method) +
                        ": service, database and collection names must be strings");
    }
  }
  ServiceCall call;
  call.service = args[0].as_string();
  call.action = std::string(method);
  doc::Document a{{"database", args[1]}, {"collection", args[2]}};
  const doc::Value* first = Arg(args, 0);
  const doc::Value* second = Arg(args, 1);
  const doc::Value* third = Arg(args, 2);
  if (method == "findOne") {
    Put(&a, "query", first);
    Put(&a, "project", second);
  } else if (method == "find") {
    if (HasSkip(third)) {
      call.action = "aggregate";
      doc::Document p{{"database", args[1]}, {"collection", args[2]}};
      p.Append("pipeline", FindAsPipeline(first, second, third));
      a = std::move(p);
    } else {
      Put(&a, "query", first);
      Put(&a, "project", second);
      CopyOptions(third, {"sort", "limit"}, &a);
    }
  } else if (method == "aggregate") {
    Put(&a, "pipeline", first);
  } else if (method == "count" || method == "countDocuments") {
    call.action = "count";
    Put(&a, "query", first);
    CopyOptions(second, {"limit"}, &a);
  } else if (method == "insertOne") {
    Put(&a, "document", first);
  } else if (method == "insertMany") {
    Put(&a, "documents", first);
  } else if (method == "updateOne" || method == "updateMany") {
    Put(&a, "query", first);
    Put(&a, "update", second);
    CopyOptions(third, {"upsert", "arrayFilters"}, &a);
  } else if (method == "deleteOne" || method == "deleteMany") {
    Put(&a, "query", first);
  } else if (method == "findOneAndUpdate" || method == "findOneAndReplace") {
    Put(&a, "query", first);
    Put(&a, "update", second);
    CopyOptions(third, {"upsert", "sort", "projection", "returnNewDocument", "arrayFilters"}, &a);
  } else if (method == "distinct") {
    Put(&a, "key", first);
    Put(&a, "query", second);
  } else if (method == "findOneAndDelete") {
    Put(&a, "query", first);
    CopyOptions(second, {"sort", "projection"}, &a);
  } else {
    return Status(ErrorCode::kServiceCommandNotFound,
                  "mongodb collection method '" + std::string(method) +
                      "' is not supported by Plinth's functions yet");
  }
  call.arguments = doc::Array{doc::Value(std::move(a))};
  return call;
}

}  // namespace plinth::functions
