#include "functions/function_host.h"

#include <utility>

#include "base/error_code.h"
#include "functions/function_runtime.h"
#include "functions/service_call.h"

namespace plinth::functions {
namespace {

using base::ErrorCode;
using base::Status;

constexpr std::string_view kMongoPrefix = "mongodb.";

base::Result<std::string_view> FirstString(const doc::Array& args, std::string_view what) {
  if (args.size() == 0 || !args[0].is_string()) {
    return Status(ErrorCode::kInvalidParameter, std::string(what) + " must be a string");
  }
  return std::string_view(args[0].as_string());
}

doc::Array Rest(const doc::Array& args) {
  doc::Array rest;
  for (std::size_t i = 1; i < args.size(); ++i) rest.Append(args[i]);
  return rest;
}

}  // namespace

base::Result<doc::Value> FunctionHost::Invoke(std::string_view method, const doc::Array& args) {
  if (method.starts_with(kMongoPrefix)) {
    std::string_view action = method.substr(kMongoPrefix.size());
    if (action == "getCollectionNames" || action == "getDBNames") {
      return Status(ErrorCode::kServiceCommandNotFound,
                    std::string(action) + " is not supported by Plinth's functions yet");
    }
    PLINTH_ASSIGN_OR_RETURN(ServiceCall call, ToServiceCall(action, args));
    return data_->Call(caller_, call.service, call.action, call.arguments);
  }
  if (method == "services.get") {
    PLINTH_ASSIGN_OR_RETURN(std::string_view name, FirstString(args, "the service name"));
    return doc::Value(data_->HasService(name));
  }
  if (method == "values.get") {
    PLINTH_ASSIGN_OR_RETURN(std::string_view name, FirstString(args, "the value name"));
    const doc::Value* value = data_->values().Get(name);
    return value != nullptr ? *value : doc::Value(doc::Undefined{});
  }
  if (method == "functions.execute") {
    PLINTH_ASSIGN_OR_RETURN(std::string_view name, FirstString(args, "the function name"));
    js::CallResult result = runtime_->Run(caller_, name, Rest(args), request_id_);
    if (!result.status.ok()) return result.status;
    return std::move(result.value);
  }
  if (method.starts_with("http.")) {
    return Status(ErrorCode::kServiceCommandNotFound,
                  "context.http is not available: Plinth functions make no outbound requests");
  }
  return Status(ErrorCode::kServiceCommandNotFound,
                "unknown context method '" + std::string(method) + "'");
}

}  // namespace plinth::functions
