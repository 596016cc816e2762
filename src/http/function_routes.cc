#include "http/function_routes.h"

#include <string>
#include <string_view>
#include <utility>

#include "base/error_code.h"
#include "doc/ejson.h"
#include "http/authenticate.h"
#include "http/client_routes.h"
#include "http/on_pool.h"
#include "services/data_caller.h"

namespace plinth::http {
namespace {

using base::ErrorCode;
using base::Status;

// A functions/call body: {name, arguments, service?} (client-api §8.1).
struct FunctionCall {
  std::string name;
  doc::Value arguments = doc::Array{};
  std::optional<std::string> service;
};

base::Result<FunctionCall> ParseCall(const Request& req) {
  base::Result<doc::Document> body = doc::ParseJsonDocument(req.body);
  if (!body.ok()) {
    return Status(ErrorCode::kMalformedJson,
                  "request body must be a JSON object: " + body.status().message());
  }
  FunctionCall call;
  const doc::Value* name = body->Get("name");
  if (name == nullptr) return Status(ErrorCode::kMissingParameter, "'name' is required");
  if (!name->is_string() || name->as_string().empty()) {
    return Status(ErrorCode::kInvalidParameter, "'name' must be a non-empty string");
  }
  call.name = name->as_string();
  // Both SDKs always send `arguments`; a missing one is an empty list.
  if (const doc::Value* args = body->Get("arguments"); args != nullptr) {
    if (!args->is_array()) {
      return Status(ErrorCode::kInvalidParameter, "'arguments' must be an array");
    }
    call.arguments = *args;
  }
  if (const doc::Value* service = body->Get("service"); service != nullptr) {
    if (!service->is_string() || service->as_string().empty()) {
      return Status(ErrorCode::kInvalidParameter, "'service' must be a non-empty string");
    }
    call.service = service->as_string();
  }
  return call;
}

// %%request (app-config §5): what rules may know about the HTTP request.
// Headers are left out: they carry the caller's token.
doc::Document RequestExpansion(const Request& req, const FunctionCall& call) {
  std::string_view remote = req.remote;
  // "ip:port" or "[v6]:port" -> the address alone.
  if (std::size_t colon = remote.rfind(':'); colon != std::string_view::npos) {
    remote = remote.substr(0, colon);
  }
  if (remote.size() >= 2 && remote.front() == '[' && remote.back() == ']') {
    remote = remote.substr(1, remote.size() - 2);
  }
  std::string_view query;
  if (std::size_t q = req.target.find('?'); q != std::string::npos) {
    query = std::string_view(req.target).substr(q + 1);
  }
  doc::Document out{{"httpMethod", doc::Value(req.method)},
                    {"remoteIPAddress", doc::Value(remote)},
                    {"rawQueryString", doc::Value(query)},
                    {"action", doc::Value(call.name)}};
  if (call.service) out.Append("service", doc::Value(*call.service));
  if (auto agent = req.Header("User-Agent")) out.Append("httpUserAgent", doc::Value(*agent));
  if (auto referrer = req.Header("Referer")) out.Append("httpReferrer", doc::Value(*referrer));
  return out;
}

class FunctionHandlers {
 public:
  FunctionHandlers(const auth::AuthRegistry* auth, const services::DataAccessRegistry* data,
                   base::WorkPool* workers)
      : auth_(auth), data_(data), workers_(workers) {}

  Response Call(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*auth_, req, auth::TokenType::kAccess);
    if (!who.ok()) return Response::Error(who.status());
    base::Result<FunctionCall> call = ParseCall(req);
    if (!call.ok()) return Response::Error(call.status());
    if (!call->service) {
      return Response::Error(
          Status(ErrorCode::kFunctionNotFound, "function not found: '" + call->name + "'"));
    }
    const services::DataAccess* data = data_->Find(who->service->app_id());
    if (data == nullptr) {
      return Response::Error(
          Status(ErrorCode::kServiceNotFound, "service not found: '" + *call->service + "'"));
    }
    base::Result<services::MongoRequest> prepared =
        data->Prepare(*call->service, call->name, call->arguments);
    if (!prepared.ok()) return Response::Error(prepared.status());
    const bool inline_ok = services::DataAccess::IsPointRead(*prepared);
    auto run = [data, who = std::move(*who), service = *call->service,
                request = RequestExpansion(req, *call),
                prepared = std::move(*prepared)]() -> Response {
      base::Result<doc::Document> user = who.service->UserObjectFor(who.caller);
      if (!user.ok()) return Response::Error(user.status());
      services::DataCaller caller = services::DataCaller::User(std::move(*user));
      caller.set_request(request);
      base::Result<doc::Value> out = data->Run(caller, service, prepared);
      if (!out.ok()) return Response::Error(out.status());
      return Response::Json(200, doc::ToCanonicalJson(*out));
    };
    // A point read costs less than the hand-off to the pool and back.
    if (inline_ok) return run();
    return RunOnPool(workers_, std::move(run),
                     "too many data requests are waiting; try again shortly");
  }

 private:
  const auth::AuthRegistry* auth_;
  const services::DataAccessRegistry* data_;
  base::WorkPool* workers_;
};

}  // namespace

void AddFunctionRoutes(const auth::AuthRegistry* auth, const services::DataAccessRegistry* data,
                       base::WorkPool* workers, Router* r) {
  const std::string A = std::string(kAppScopedPrefix) + "{app_id}";
  auto h = std::make_shared<FunctionHandlers>(auth, data, workers);
  r->Add("POST", A + "/functions/call", [h](Request& req) { return h->Call(req); });
}

}  // namespace plinth::http
