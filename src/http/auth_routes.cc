#include "http/auth_routes.h"

#include "base/error_code.h"
#include "doc/ejson.h"
#include "http/authenticate.h"
#include "http/client_routes.h"
#include "http/on_pool.h"

namespace plinth::http {
namespace {

using auth::AuthService;
using auth::TokenType;

base::Result<doc::Document> Body(const Request& req) {
  if (req.body.empty()) return doc::Document{};
  base::Result<doc::Document> body = doc::ParseJsonDocument(req.body);
  if (!body.ok()) {
    return base::Status(base::ErrorCode::kMalformedJson,
                        "request body must be a JSON object: " + body.status().message());
  }
  return body;
}

Response ErrorResponse(const base::Status& status, std::int64_t retry_after = 0) {
  Response res = Response::Error(status);
  if (status.code() == base::ErrorCode::kTooManyRequests) {
    res.SetHeader("Retry-After", std::to_string(retry_after > 0 ? retry_after : 1));
  }
  return res;
}

Response JsonOk(int status, const doc::Document& body) {
  return Response::Json(status, doc::ToRelaxedJson(body));
}

// Runs `work` on the worker pool and answers with what it returns.
Response OnWorkers(base::WorkPool* workers, std::function<Response()> work) {
  return RunOnPool(workers, std::move(work),
                   "too many requests are waiting for password hashing; try again shortly");
}

Response StatusOnly(const base::Status& s, int ok_status) {
  return s.ok() ? Response::Empty(ok_status) : ErrorResponse(s);
}

class AuthHandlers {
 public:
  AuthHandlers(const auth::AuthRegistry* registry, base::WorkPool* workers)
      : registry_(registry), workers_(workers) {}

  Response Login(Request& req) const {
    AuthService* service = registry_->Find(req.PathParam("app_id"));
    if (service == nullptr)
      return ErrorResponse(base::Status(base::ErrorCode::kAppNotFound, "app not found"));
    base::Result<doc::Document> body = Body(req);
    if (!body.ok()) return ErrorResponse(body.status());
    auth::LoginRequest login;
    login.provider = std::string(req.PathParam("provider"));
    login.body = std::move(*body);
    login.remote = req.remote;
    std::optional<std::string_view> link = req.QueryParam("link");
    const bool linking = link && (*link == "true" || *link == "1");
    if (linking) {
      base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kAccess);
      if (!who.ok()) return ErrorResponse(who.status());
      login.link_to = who->caller.claims;
    }
    auto run = [service, login = std::move(login), linking]() -> Response {
      std::int64_t wait = 0;
      base::Result<auth::LoginResult> r = service->Login(login, &wait);
      if (!r.ok()) return ErrorResponse(r.status(), wait);
      doc::Document out{{"access_token", r->access_token}};
      if (!linking) out.Append("refresh_token", r->refresh_token);
      out.Append("user_id", r->user_id);
      out.Append("device_id", r->device_id);
      return JsonOk(200, out);
    };
    if (service->NeedsWorker(req.PathParam("provider"))) return OnWorkers(workers_, std::move(run));
    return run();
  }

  // local-userpass account routes: `op` gets the service and the body.
  using AccountOp = base::Status (*)(AuthService&, const doc::Document&);
  Response Account(Request& req, AccountOp op, int ok_status, bool on_workers) const {
    AuthService* service = registry_->Find(req.PathParam("app_id"));
    if (service == nullptr)
      return ErrorResponse(base::Status(base::ErrorCode::kAppNotFound, "app not found"));
    base::Result<doc::Document> body = Body(req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto run = [service, op, body = std::move(*body), ok_status]() -> Response {
      return StatusOnly(op(*service, body), ok_status);
    };
    if (on_workers) return OnWorkers(workers_, std::move(run));
    return run();
  }

  Response Profile(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kAccess);
    if (!who.ok()) return ErrorResponse(who.status());
    return JsonOk(200, who->service->Profile(who->caller));
  }

  Response Refresh(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kRefresh);
    if (!who.ok()) return ErrorResponse(who.status());
    // Authenticate did every check; the token is not verified twice.
    base::Result<std::string> access = who->service->Refresh(who->caller);
    if (!access.ok()) return ErrorResponse(access.status());
    return JsonOk(201, doc::Document{{"access_token", *access}});
  }

  Response Logout(Request& req) const {
    std::optional<std::string_view> token = BearerToken(req);
    if (!token)
      return ErrorResponse(
          base::Status(base::ErrorCode::kMissingAuthReq, "must authenticate first"));
    AuthService* service = registry_->ForToken(*token);
    if (service == nullptr) {
      return ErrorResponse(base::Status(base::ErrorCode::kInvalidSession,
                                        "invalid session: failed to find refresh token"));
    }
    return StatusOnly(service->Logout(*token), 204);
  }

  Response DeleteUser(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kAccess);
    if (!who.ok()) return ErrorResponse(who.status());
    return StatusOnly(who->service->DeleteUser(who->caller.claims.user_id), 204);
  }

  static doc::Document KeyDocument(const auth::ApiKeyInfo& k) {
    doc::Document d{{"_id", k.id}};
    if (!k.key.empty()) d.Append("key", k.key);
    d.Append("name", k.name);
    d.Append("disabled", k.disabled);
    return d;
  }

  Response CreateKey(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kRefresh);
    if (!who.ok()) return ErrorResponse(who.status());
    base::Result<doc::Document> body = Body(req);
    if (!body.ok()) return ErrorResponse(body.status());
    base::Result<auth::ApiKeyInfo> key = who->service->CreateApiKey(
        who->caller.claims.user_id, doc::StringFieldOrEmpty(*body, "name"));
    if (!key.ok()) return ErrorResponse(key.status());
    return JsonOk(201, KeyDocument(*key));
  }

  Response ListKeys(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kRefresh);
    if (!who.ok()) return ErrorResponse(who.status());
    base::Result<std::vector<auth::ApiKeyInfo>> keys =
        who->service->ListApiKeys(who->caller.claims.user_id);
    if (!keys.ok()) return ErrorResponse(keys.status());
    doc::Array out;
    for (const auth::ApiKeyInfo& k : *keys) out.Append(KeyDocument(k));
    return Response::Json(200, doc::ToRelaxedJson(doc::Value(std::move(out))));
  }

  Response GetKey(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kRefresh);
    if (!who.ok()) return ErrorResponse(who.status());
    base::Result<auth::ApiKeyInfo> key =
        who->service->GetApiKey(who->caller.claims.user_id, req.PathParam("key_id"));
    if (!key.ok()) return ErrorResponse(key.status());
    return JsonOk(200, KeyDocument(*key));
  }

  Response SetKeyDisabled(Request& req, bool disabled) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kRefresh);
    if (!who.ok()) return ErrorResponse(who.status());
    return StatusOnly(who->service->SetApiKeyDisabled(who->caller.claims.user_id,
                                                      req.PathParam("key_id"), disabled),
                      204);
  }

  Response DeleteKey(Request& req) const {
    base::Result<Authenticated> who = AuthenticateRequest(*registry_, req, TokenType::kRefresh);
    if (!who.ok()) return ErrorResponse(who.status());
    return StatusOnly(
        who->service->DeleteApiKey(who->caller.claims.user_id, req.PathParam("key_id")), 204);
  }

 private:
  const auth::AuthRegistry* registry_;
  base::WorkPool* workers_;
};

}  // namespace

void AddAuthRoutes(const auth::AuthRegistry* registry, base::WorkPool* workers, Router* r) {
  auto h = std::make_shared<const AuthHandlers>(registry, workers);
  const std::string A = std::string(kAppScopedPrefix) + "{app_id}";
  const std::string P(kClientApiPrefix);
  const std::string U = A + "/auth/providers/local-userpass";

  // Email/password accounts (before the generic provider routes).
  auto account = [&](const std::string& path, AuthHandlers::AccountOp op, bool offload) {
    // register answers 201 (client-api §14), the others 204; clients accept any 2xx.
    const int ok = path.ends_with("/register") ? 201 : 204;
    r->Add("POST", path,
           [h, op, offload, ok](Request& req) { return h->Account(req, op, ok, offload); });
  };
  account(
      U + "/register",
      [](AuthService& s, const doc::Document& b) {
        return s.Register(doc::StringFieldOrEmpty(b, "email"),
                          doc::StringFieldOrEmpty(b, "password"));
      },
      true);
  account(
      U + "/confirm",
      [](AuthService& s, const doc::Document& b) {
        return s.Confirm(doc::StringFieldOrEmpty(b, "token"),
                         doc::StringFieldOrEmpty(b, "tokenId"));
      },
      false);
  account(
      U + "/confirm/send",
      [](AuthService& s, const doc::Document& b) {
        return s.ResendConfirmation(doc::StringFieldOrEmpty(b, "email"));
      },
      true);
  account(
      U + "/confirm/call",
      [](AuthService& s, const doc::Document& b) {
        return s.CallConfirmationFunction(doc::StringFieldOrEmpty(b, "email"));
      },
      true);
  account(
      U + "/reset",
      [](AuthService& s, const doc::Document& b) {
        return s.ResetPassword(doc::StringFieldOrEmpty(b, "token"),
                               doc::StringFieldOrEmpty(b, "tokenId"),
                               doc::StringFieldOrEmpty(b, "password"));
      },
      true);
  account(
      U + "/reset/send",
      [](AuthService& s, const doc::Document& b) {
        return s.SendPasswordReset(doc::StringFieldOrEmpty(b, "email"));
      },
      true);
  account(
      U + "/reset/call",
      [](AuthService& s, const doc::Document& b) {
        const doc::Value* arguments = b.Get("arguments");
        if (arguments != nullptr && !arguments->is_array()) {
          return base::Status(base::ErrorCode::kBadRequest, "arguments must be an array");
        }
        return s.CallResetFunction(doc::StringFieldOrEmpty(b, "email"),
                                   doc::StringFieldOrEmpty(b, "password"),
                                   arguments != nullptr ? arguments->as_array() : doc::Array{});
      },
      true);

  // Login and link.
  r->Add("POST", A + "/auth/providers/{provider}/login",
         [h](Request& req) { return h->Login(req); });

  // Token-authenticated routes, under P and the app-scoped alias.
  for (const std::string& base : {P, A}) {
    r->Add("GET", base + "/auth/profile", [h](Request& req) { return h->Profile(req); });
    r->Add("POST", base + "/auth/session", [h](Request& req) { return h->Refresh(req); });
    r->Add("DELETE", base + "/auth/session", [h](Request& req) { return h->Logout(req); });
    r->Add("DELETE", base + "/auth/delete", [h](Request& req) { return h->DeleteUser(req); });
    r->Add("POST", base + "/auth/api_keys", [h](Request& req) { return h->CreateKey(req); });
    r->Add("GET", base + "/auth/api_keys", [h](Request& req) { return h->ListKeys(req); });
    r->Add("GET", base + "/auth/api_keys/{key_id}", [h](Request& req) { return h->GetKey(req); });
    r->Add("DELETE", base + "/auth/api_keys/{key_id}",
           [h](Request& req) { return h->DeleteKey(req); });
    r->Add("PUT", base + "/auth/api_keys/{key_id}/enable",
           [h](Request& req) { return h->SetKeyDisabled(req, false); });
    r->Add("PUT", base + "/auth/api_keys/{key_id}/disable",
           [h](Request& req) { return h->SetKeyDisabled(req, true); });
  }
}

}  // namespace plinth::http
