#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace plinth::http {

// Request is one HTTP request as Plinth's handlers see it: plain strings, no
// Boost types. The session (session.cc) fills everything except path_params
// and route, which the Router fills when it matches a route.
//
// Ownership: a Request owns all its data. It lives for one request, on the I/O
// thread that read it. Not thread-safe; handlers may read and annotate it.
struct Request {
  // The method as sent, upper-cased ("GET", "POST", ...).
  std::string method;
  // The request target exactly as sent ("/api/client/v2.0/app/x/location?a=b").
  std::string target;
  // The target's path, percent-decoded, without the query string.
  std::string path;
  // Query parameters, percent-decoded ('+' is a space), in target order per key.
  std::multimap<std::string, std::string> query;
  // Header fields in arrival order, names as sent. Use Header() to look one up.
  std::vector<std::pair<std::string, std::string>> headers;
  // The body, already complete (the session enforces max_body_bytes).
  std::string body;
  // "ip:port" of the peer.
  std::string remote;
  // Echoed as X-Request-Id and written in every log line about this request:
  // the client's X-Request-Id when IsSaneRequestId() accepts it, otherwise 24
  // random hex characters.
  std::string request_id;
  // `{name}` segments of the matched route pattern, decoded. Filled by Router.
  std::vector<std::pair<std::string, std::string>> path_params;
  // The matched route pattern, used as the metrics label so label values stay
  // bounded. "unmatched" until the Router matches a route.
  std::string route = "unmatched";

  // The first header field named `name` (ASCII case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The path parameter `name`, or "" when the route has none by that name.
  std::string_view PathParam(std::string_view name) const;
  // The first query parameter `name`, if any.
  std::optional<std::string_view> QueryParam(std::string_view name) const;
};

// Splits a request target into its decoded path and query parameters.
// Accepts origin-form ("/a/b?x=1"), absolute-form ("http://host/a/b?x=1") and
// "*". Fails with kBadRequest on a malformed percent-escape, an encoded NUL, or
// a target of any other shape.
base::Status ParseRequestTarget(std::string_view target, std::string* path,
                                std::multimap<std::string, std::string>* query);

// Whether a client-supplied X-Request-Id may be reused as our request id:
// 1 to 64 characters from [A-Za-z0-9._-], so it is safe in logs and headers.
bool IsSaneRequestId(std::string_view id);

// Whether `c` may appear in an HTTP token (RFC 9110 tchar): header names,
// methods and the like.
bool IsHttpTokenChar(char c);

// ASCII case-insensitive equality, for header names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace plinth::http
