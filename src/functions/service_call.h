#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::functions {

// A `context.services.get(svc).db(db).collection(c).<method>(...)` call as
// the MongoDB service call a client would send (services/mongo_request.h):
// the service name, the action, and the one-document `arguments` array.
// Plain value.
struct ServiceCall {
  std::string service;
  std::string action;
  doc::Value arguments;  // [ {database, collection, query, ...} ]
};

// Translates the host method "mongodb.<method>" with the prelude's argument
// list [service, db, collection, ...method arguments] (js/host.h). Method
// arguments the client protocol has no field for (`session`, `ordered`)
// are ignored. find() with skip() runs as the equivalent aggregation.
// countDocuments is count. Errors: kServiceCommandNotFound for a method
// Plinth does not implement (bulkWrite, watch, ...);
// kInvalidParameter for a missing or non-string service/db/collection.
// Thread-safe (pure).
base::Result<ServiceCall> ToServiceCall(std::string_view method, const doc::Array& args);

}  // namespace plinth::functions
