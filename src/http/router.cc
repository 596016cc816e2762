#include "http/router.h"

#include <algorithm>

namespace plinth::http {
namespace {

bool IsPlaceholder(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  for (;;) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Entry entry;
  for (std::string_view s : SplitPath(pattern)) entry.segments.emplace_back(s);
  entry.route = Route{std::move(method), std::move(pattern), std::move(handler)};
  entries_.push_back(std::move(entry));
}

bool Router::Matches(const Entry& entry, const std::vector<std::string_view>& path_segments,
                     std::vector<std::pair<std::string, std::string>>* params) {
  if (entry.segments.size() != path_segments.size()) return false;
  for (std::size_t i = 0; i < path_segments.size(); ++i) {
    const std::string& want = entry.segments[i];
    if (IsPlaceholder(want)) {
      if (path_segments[i].empty()) return false;
    } else if (want != path_segments[i]) {
      return false;
    }
  }
  if (params != nullptr) {
    for (std::size_t i = 0; i < path_segments.size(); ++i) {
      const std::string& want = entry.segments[i];
      if (IsPlaceholder(want)) {
        params->emplace_back(want.substr(1, want.size() - 2), path_segments[i]);
      }
    }
  }
  return true;
}

Router::Match Router::Find(Request& req) const {
  Match match;
  std::vector<std::string_view> segments = SplitPath(req.path);
  for (const Entry& entry : entries_) {
    if (!Matches(entry, segments, nullptr)) continue;
    if (entry.route.method == req.method) {
      req.path_params.clear();
      Matches(entry, segments, &req.path_params);
      req.route = entry.route.pattern;
      match.route = &entry.route;
      match.allowed_methods.clear();
      return match;
    }
    // The label of the first pattern that knows this path, so a 405 is
    // counted under the route a client was aiming at.
    if (match.allowed_methods.empty()) req.route = entry.route.pattern;
    if (std::find(match.allowed_methods.begin(), match.allowed_methods.end(), entry.route.method) ==
        match.allowed_methods.end()) {
      match.allowed_methods.push_back(entry.route.method);
    }
  }
  return match;
}

Response Router::Invoke(const Match& match, Request& req) {
  if (match.route != nullptr) return match.route->handler(req);
  if (match.allowed_methods.empty()) {
    return Response::Error(
        {base::ErrorCode::kNotFound, "no route for " + req.method + " " + req.path});
  }
  std::string allow;
  for (const std::string& m : match.allowed_methods) {
    allow += m;
    allow += ", ";
  }
  // Preflights are answered for every path (cors.h).
  allow += "OPTIONS";
  Response res = Response::Error({base::ErrorCode::kMethodNotAllowed,
                                  "method " + req.method + " not allowed for " + req.path});
  res.SetHeader("Allow", allow);
  return res;
}

Response Router::Dispatch(Request& req) const { return Invoke(Find(req), req); }

}  // namespace plinth::http
