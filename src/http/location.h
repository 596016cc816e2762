#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "http/app_lookup.h"
#include "http/request.h"
#include "http/response.h"

namespace plinth::http {

// GET /api/client/v2.0/app/{app_id}/location (client-api §1.2): tells a client
// which base URL to use for every later request.
//   {"deployment_model":"GLOBAL","location":"US-VA",
//    "hostname":"http://localhost:8080","ws_hostname":"ws://localhost:8080"}
// deployment_model and location come from the app ("GLOBAL" and "US-VA" when
// the app leaves them empty). Pure function; thread-safe.
Response HandleLocation(const Request& req, const AppLookup& apps, std::string_view public_url);

// The `hostname` clients should use (DECISIONS 6): `public_url` without
// trailing slashes when it is set, else "http://" + the request's Host header.
// Fails with kBadRequest when neither is usable (no Host, or a Host with
// characters a host name cannot have).
base::Result<std::string> ClientHostname(const Request& req, std::string_view public_url);

// `hostname` with http:// turned into ws:// and https:// into wss://; other
// schemes are returned unchanged.
std::string WsHostname(std::string_view hostname);

}  // namespace plinth::http
