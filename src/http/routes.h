#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace plinth::http {

// Handler turns a request into a response. Handlers are pure functions of the
// request and of the services they were constructed with: they never touch
// sockets, and they run on an I/O thread, so anything slow must go to a
// bounded pool (ARCHITECTURE "Threading"). A Handler may be called from
// several I/O threads at once and must be thread-safe.
using Handler = std::function<Response(Request&)>;

// Route is one row of a route table: a method, a path pattern and a handler.
// A pattern is a '/'-separated path whose segments are literals or `{name}`
// placeholders matching exactly one non-empty segment, e.g.
// "/api/client/v2.0/app/{app_id}/location".
struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
};

}  // namespace plinth::http
