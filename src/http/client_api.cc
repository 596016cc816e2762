#include "http/client_api.h"

#include "doc/ejson.h"
#include "http/cors.h"

namespace plinth::http {

std::optional<std::string_view> AppIdOfPath(std::string_view path) {
  if (!path.starts_with(kAppScopedPrefix)) return std::nullopt;
  std::string_view rest = path.substr(kAppScopedPrefix.size());
  return rest.substr(0, rest.find('/'));
}

ClientApi::ClientApi(ClientServices services) : services_(std::move(services)) {
  AddClientRoutes(services_, &router_);
}

base::Status CheckJsonBody(const Request& req) {
  if (req.body.empty()) return base::Status::Ok();
  std::optional<std::string_view> type = req.Header("Content-Type");
  // realm-core sends "application/json;charset=utf-8"; both count.
  if (!type || type->substr(0, 16) != "application/json") return base::Status::Ok();
  base::Result<doc::Value> parsed = doc::ParseJson(req.body);
  if (parsed.ok()) return base::Status::Ok();
  if (parsed.status().code() == base::ErrorCode::kBadValue) {
    return {base::ErrorCode::kMalformedJson, "invalid JSON body: " + parsed.status().message()};
  }
  return {parsed.status().code(), "invalid JSON body: " + parsed.status().message()};
}

Response ClientApi::Handle(Request& req) const {
  Router::Match match = router_.Find(req);

  std::shared_ptr<const AppInfo> app;
  if (std::optional<std::string_view> app_id = AppIdOfPath(req.path)) {
    app = services_.apps->Find(*app_id);
    if (app == nullptr) {
      Response res = Response::Error(AppNotFoundStatus(*app_id));
      AddCorsHeaders(req, &res);
      return res;
    }
  }

  // Browsers always send Origin on cross-origin calls; native SDKs never do,
  // and must not be refused for it.
  if (std::optional<std::string_view> origin = req.Header("Origin");
      origin && app != nullptr && !CorsOriginAllowed(app->allowed_request_origins, *origin)) {
    // No Access-Control-Allow-Origin: the browser must not expose anything.
    return Response::Error({base::ErrorCode::kDomainNotAllowed,
                            "origin " + std::string(*origin) + " is not allowed for this app"});
  }

  if (IsCorsPreflight(req)) return CorsPreflight(req);

  // Every JSON body is checked here, once, so no handler can see a malformed
  // one and every route answers it the same way.
  if (base::Status body = CheckJsonBody(req); !body.ok()) {
    Response res = Response::Error(body);
    AddCorsHeaders(req, &res);
    return res;
  }

  Response res = Router::Invoke(match, req);
  if (res.deferred) {
    // The CORS headers are worked out now, while the request is at hand,
    // and added to the response whenever it arrives.
    Response cors;
    AddCorsHeaders(req, &cors);
    return Response::Later(
        [work = std::move(res.deferred), headers = std::move(cors.headers)](Response::Done done) {
          work([done = std::move(done), headers](Response later) {
            for (const auto& [name, value] : headers) later.AddHeader(name, value);
            done(std::move(later));
          });
        });
  }
  AddCorsHeaders(req, &res);
  return res;
}

}  // namespace plinth::http
