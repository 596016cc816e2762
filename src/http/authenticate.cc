#include "http/authenticate.h"

#include <string>
#include <utility>

#include "base/error_code.h"

namespace plinth::http {

std::optional<std::string_view> BearerToken(const Request& req) {
  std::optional<std::string_view> header = req.Header("Authorization");
  if (!header) return std::nullopt;
  std::string_view v = *header;
  if (v.size() < 7 || !EqualsIgnoreCase(v.substr(0, 7), "Bearer ")) return std::nullopt;
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.empty()) return std::nullopt;
  return v;
}

base::Result<Authenticated> AuthenticateRequest(const auth::AuthRegistry& registry,
                                                const Request& req, auth::TokenType type) {
  std::optional<std::string_view> token = BearerToken(req);
  if (!token) return base::Status(base::ErrorCode::kMissingAuthReq, "must authenticate first");
  auth::AuthService* service = registry.ForToken(*token);
  if (service == nullptr) {
    return base::Status(base::ErrorCode::kInvalidSession, "invalid session: invalid token");
  }
  std::string_view path_app = req.PathParam("app_id");
  if (!path_app.empty() && path_app != service->app_id()) {
    return base::Status(base::ErrorCode::kUserAppDomainMismatch,
                        "token was issued for another app");
  }
  PLINTH_ASSIGN_OR_RETURN(auth::Caller caller, service->Authenticate(*token, type));
  return Authenticated{service, std::move(caller)};
}

}  // namespace plinth::http
