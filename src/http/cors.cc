#include "http/cors.h"

#include <cctype>

namespace plinth::http {
namespace {

// Longest Origin or Access-Control-Request-Headers value we echo back.
constexpr std::size_t kMaxEchoedLength = 512;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "HTTPS://Example.com:443/" -> "https://example.com".
std::string NormalizeOrigin(std::string_view origin) {
  while (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  std::string out = Lower(origin);
  auto strip_port = [&out](std::string_view scheme, std::string_view port) {
    if (out.starts_with(scheme) && out.ends_with(port) &&
        out.size() > scheme.size() + port.size()) {
      out.resize(out.size() - port.size());
    }
  };
  strip_port("http://", ":80");
  strip_port("https://", ":443");
  return out;
}

// An Origin we are willing to copy into a response header: printable ASCII
// without spaces, of sane length ("null" included).
bool IsSaneOrigin(std::string_view origin) {
  if (origin.empty() || origin.size() > kMaxEchoedLength) return false;
  for (char c : origin) {
    if (c <= ' ' || c >= 127) return false;
  }
  return true;
}

// The browser's Access-Control-Request-Headers list, normalized to
// "a, b, c", or "" when it is not a plain list of header names.
std::string SaneRequestedHeaders(std::string_view list) {
  if (list.size() > kMaxEchoedLength) return {};
  std::string out;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.empty()) continue;
    for (char c : name) {
      if (!IsHttpTokenChar(c)) return {};
    }
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

bool CorsOriginAllowed(const std::vector<std::string>& allowed, std::string_view origin) {
  if (allowed.empty()) return true;
  std::string want = NormalizeOrigin(origin);
  for (const std::string& entry : allowed) {
    if (NormalizeOrigin(entry) == want) return true;
  }
  return false;
}

bool IsCorsPreflight(const Request& req) { return req.method == "OPTIONS"; }

Response CorsPreflight(const Request& req) {
  Response res = Response::Empty(204);
  AddCorsHeaders(req, &res);
  res.SetHeader("Access-Control-Allow-Methods", kCorsAllowMethods);
  std::string headers;
  if (auto requested = req.Header("Access-Control-Request-Headers")) {
    headers = SaneRequestedHeaders(*requested);
  }
  res.SetHeader("Access-Control-Allow-Headers", headers.empty() ? kCorsAllowHeaders : headers);
  res.SetHeader("Access-Control-Max-Age", std::to_string(kCorsMaxAgeSeconds));
  res.AddHeader("Vary", "Access-Control-Request-Headers");
  return res;
}

void AddCorsHeaders(const Request& req, Response* res) {
  auto origin = req.Header("Origin");
  if (!origin || !IsSaneOrigin(*origin)) return;
  res->SetHeader("Access-Control-Allow-Origin", *origin);
  res->AddHeader("Vary", "Origin");
  // Lets browser code read the id to quote in a bug report.
  res->SetHeader("Access-Control-Expose-Headers", "X-Request-Id");
}

}  // namespace plinth::http
