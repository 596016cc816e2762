#pragma once

#include <optional>
#include <string_view>

#include "auth/auth_registry.h"
#include "auth/auth_service.h"
#include "auth/tokens.h"
#include "base/result.h"
#include "http/request.h"

namespace plinth::http {

// The token of an `Authorization: Bearer <token>` header, if there is one.
std::optional<std::string_view> BearerToken(const Request& req);

// An authenticated client request: the app's AuthService (of the path's app
// for A routes, of the token's issuer for P routes) and the caller.
struct Authenticated {
  auth::AuthService* service = nullptr;
  auth::Caller caller;
};

// Every check of DECISIONS 4 for a request that needs a token of `type`:
// MissingAuthReq without a bearer token, InvalidSession for a token no
// served app issued (or a bad, expired or revoked one),
// UserAppDomainMismatch when an A route's app is not the token's.
// Thread-safe.
base::Result<Authenticated> AuthenticateRequest(const auth::AuthRegistry& registry,
                                                const Request& req, auth::TokenType type);

}  // namespace plinth::http
