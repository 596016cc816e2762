#include "http/function_routes.h"

#include <future>
#include <memory>
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

// A finished function call as the client sees it.
Response CallResponse(const js::CallResult& result) {
  if (result.status.ok()) return Response::Json(200, doc::ToCanonicalJson(result.value));
  Response res = Response::Error(result.status);
  if (result.status.code() == ErrorCode::kTooManyRequests) res.SetHeader("Retry-After", "1");
  return res;
}

class FunctionHandlers {
 public:
  FunctionHandlers(const auth::AuthRegistry* auth, const services::DataAccessRegistry* data,
                   const functions::FunctionRegistry* functions, base::WorkPool* workers)
      : auth_(auth), data_(data), functions_(functions), workers_(workers) {}

  Response Call(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*auth_, req, auth::TokenType::kAccess);
    if (!who.ok()) return Response::Error(who.status());
    base::Result<FunctionCall> call = ParseCall(req);
    if (!call.ok()) return Response::Error(call.status());
    if (!call->service) return CallFunction(req, std::move(*who), std::move(*call));
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
  // A named function: the caller's user object, then the runtime's checks
  // and the JS queue; the answer comes back from the JS thread.
  Response CallFunction(const Request& req, Authenticated who, FunctionCall call) const {
    const functions::FunctionRuntime* runtime =
        functions_ != nullptr ? functions_->Find(who.service->app_id()) : nullptr;
    if (runtime == nullptr) {
      return Response::Error(
          Status(ErrorCode::kFunctionNotFound, "function not found: '" + call.name + "'"));
    }
    // Checks that run a function themselves (%function in can_evaluate)
    // would block; they go to the data pool, which may wait for JS.
    const bool blocking_check = runtime->CheckCallsFunctions(call.name);
    auto start = [runtime, who = std::move(who), request = RequestExpansion(req, call),
                  request_id = req.request_id, name = call.name,
                  arguments = std::move(call.arguments)](Response::Done done) {
      base::Result<doc::Document> user = who.service->UserObjectFor(who.caller);
      if (!user.ok()) return done(Response::Error(user.status()));
      services::DataCaller caller = services::DataCaller::User(std::move(*user));
      caller.set_request(request);
      auto shared_done = std::make_shared<Response::Done>(std::move(done));
      base::Status queued = runtime->CallFromClient(
          caller, name, arguments.as_array(), request_id,
          [shared_done](js::CallResult r) { (*shared_done)(CallResponse(r)); });
      if (!queued.ok()) {
        js::CallResult refused;
        refused.status = queued;
        (*shared_done)(CallResponse(refused));
      }
    };
    if (!blocking_check) return Response::Later(std::move(start));
    return RunOnPool(
        workers_,
        [start = std::move(start)]() -> Response {
          auto promise = std::make_shared<std::promise<Response>>();
          std::future<Response> answer = promise->get_future();
          start([promise](Response res) { promise->set_value(std::move(res)); });
          return answer.get();
        },
        "too many data requests are waiting; try again shortly");
  }

  const auth::AuthRegistry* auth_;
  const services::DataAccessRegistry* data_;
  const functions::FunctionRegistry* functions_;
  base::WorkPool* workers_;
};

}  // namespace

void AddFunctionRoutes(const auth::AuthRegistry* auth, const services::DataAccessRegistry* data,
                       const functions::FunctionRegistry* functions, base::WorkPool* workers,
                       Router* r) {
  const std::string A = std::string(kAppScopedPrefix) + "{app_id}";
  auto h = std::make_shared<FunctionHandlers>(auth, data, functions, workers);
  r->Add("POST", A + "/functions/call", [h](Request& req) { return h->Call(req); });
}

}  // namespace plinth::http
