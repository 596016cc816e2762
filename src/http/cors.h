#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace plinth::http {

// CORS for browser clients (realm-web; client-api §1.4). Plain functions over
// Request/Response; stateless and thread-safe.
//
// Policy: an app-scoped request whose app lists allowed_request_origins must
// carry one of them as Origin (or no Origin at all: native SDKs send none),
// otherwise it is answered 403 `DomainNotAllowed` (the caller checks that with
// CorsOriginAllowed). Every other request may come from any origin. Allowed
// origins are echoed back, never "*", with `Vary: Origin`. No credentials
// mode: clients authenticate with bearer tokens, not cookies.

// Methods a preflight allows.
inline constexpr std::string_view kCorsAllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
// Request headers a preflight allows when the browser's list is not echoed.
inline constexpr std::string_view kCorsAllowHeaders =
    "Authorization, Content-Type, Accept, X-Request-Id";
// How long a browser may cache a preflight answer. Browsers cap it (Chromium
// at 2 hours), so longer values buy nothing.
inline constexpr int kCorsMaxAgeSeconds = 3600;

// Whether `origin` may call an app whose allow list is `allowed`. An empty
// list allows every origin. Scheme and host compare case-insensitively, a
// trailing '/' in a list entry is ignored, and default ports (:80 for http,
// :443 for https) are equivalent to no port.
bool CorsOriginAllowed(const std::vector<std::string>& allowed, std::string_view origin);

// True for an OPTIONS request, which Plinth always answers itself.
bool IsCorsPreflight(const Request& req);

// The 204 answer to a preflight: Allow-Origin (when the request has a sane
// Origin), Allow-Methods, Allow-Headers (the browser's requested list when
// every name in it is a plain token, else kCorsAllowHeaders), Max-Age.
// REQUIRES: the origin was already checked against the app's list.
Response CorsPreflight(const Request& req);

// Adds Access-Control-Allow-Origin (echoing the request's Origin), Vary:
// Origin and Access-Control-Expose-Headers: X-Request-Id when the request
// carries a sane Origin. REQUIRES: the origin was already checked.
void AddCorsHeaders(const Request& req, Response* res);

}  // namespace plinth::http
