#include "http/location.h"

#include <cctype>

#include "base/json_escape.h"

namespace plinth::http {
namespace {

// Host = uri-host [":" port]: letters, digits, '.', '-', ':' and IPv6
// brackets. Anything else (spaces, '/', '@', quotes) is refused rather than
// reflected into a URL clients will use. 255 is DNS's limit plus a port.
bool IsSaneHost(std::string_view host) {
  if (host.empty() || host.size() > 262) return false;
  for (char c : host) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

base::Result<std::string> ClientHostname(const Request& req, std::string_view public_url) {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  if (!public_url.empty()) return std::string(public_url);
  auto host = req.Header("Host");
  if (!host || !IsSaneHost(*host)) {
    return base::Status(base::ErrorCode::kBadRequest,
                        "a valid Host header is required to answer the location request");
  }
  return "http://" + std::string(*host);
}

std::string WsHostname(std::string_view hostname) {
  if (hostname.starts_with("https://")) return "wss://" + std::string(hostname.substr(8));
  if (hostname.starts_with("http://")) return "ws://" + std::string(hostname.substr(7));
  return std::string(hostname);
}

Response HandleLocation(const Request& req, const AppLookup& apps, std::string_view public_url) {
  std::shared_ptr<const AppInfo> app = apps.Find(req.PathParam("app_id"));
  if (app == nullptr) {
    return Response::Error(AppNotFoundStatus(req.PathParam("app_id")));
  }
  base::Result<std::string> hostname = ClientHostname(req, public_url);
  if (!hostname.ok()) return Response::Error(hostname.status());

  std::string body = "{\"deployment_model\":";
  base::AppendJsonString(&body, app->deployment_model.empty() ? "GLOBAL" : app->deployment_model);
  body += ",\"location\":";
  base::AppendJsonString(&body, app->location.empty() ? "US-VA" : app->location);
  body += ",\"hostname\":";
  base::AppendJsonString(&body, *hostname);
  body += ",\"ws_hostname\":";
  base::AppendJsonString(&body, WsHostname(*hostname));
  body += '}';
  return Response::Json(200, std::move(body));
}

}  // namespace plinth::http
