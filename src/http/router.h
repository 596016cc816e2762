#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"
#include "http/routes.h"

namespace plinth::http {

// Router matches a request's method and decoded path against a table of
// Routes and calls the matching handler. Routes are tried in the order they
// were added and the first match wins, so add specific patterns before
// overlapping ones with placeholders.
//
// A path no route matches answers 404 `NotFound`; a path some route matches
// under other methods answers 405 `MethodNotAllowed` with an Allow header.
//
// Thread-safety: Add() only during construction, before any request; after
// that Match/Dispatch are const and safe from any number of threads.
class Router {
 public:
  // The outcome of matching, before any handler runs.
  struct Match {
    // The route to call, or null.
    const Route* route = nullptr;
    // When route is null: the methods that some route serves at this path
    // (empty: no route knows the path at all).
    std::vector<std::string> allowed_methods;
  };

  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  Router(Router&&) = default;
  Router& operator=(Router&&) = default;

  // REQUIRES: `pattern` starts with '/'; `method` is upper-case.
  void Add(std::string method, std::string pattern, Handler handler);

  // Finds the route for `req`. On a path match (whatever the method) sets
  // req.route to the pattern; on a full match also fills req.path_params.
  Match Find(Request& req) const;

  // Calls the matched handler, or builds the 404/405 answer for a failed match.
  static Response Invoke(const Match& match, Request& req);

  // Find() then Invoke().
  Response Dispatch(Request& req) const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;  // "{name}" kept as is
  };
  // Matches `path_segments` against `entry`; on success appends the
  // placeholders to `params` (when non-null).
  static bool Matches(const Entry& entry, const std::vector<std::string_view>& path_segments,
                      std::vector<std::pair<std::string, std::string>>* params);

  std::vector<Entry> entries_;
};

// Splits "/a/b/c" into {"a","b","c"}; "/" gives {}. Empty segments are kept
// ("/a//b" gives {"a","","b"}), so they never match a placeholder.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace plinth::http
