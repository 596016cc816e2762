#include "http/client_routes.h"

#include "http/auth_routes.h"
#include "http/function_routes.h"
#include "http/location.h"

namespace plinth::http {

void AddClientRoutes(const ClientServices& s, Router* r) {
  const std::string A = std::string(kAppScopedPrefix) + "{app_id}";

  // Operations.
  r->Add("GET", "/healthz", [](Request& req) { return HandleHealthz(req); });
  if (s.readiness != nullptr) {
    r->Add("GET", "/readyz",
           [&ready = *s.readiness](Request& req) { return HandleReadyz(req, ready); });
  } else {
    r->Add("GET", "/readyz", [](Request&) { return Response::Json(200, R"({"status":"ready"})"); });
  }
  if (s.metrics != nullptr) {
    r->Add("GET", "/metrics", [&metrics = *s.metrics](Request&) {
      return Response::Text(200, Metrics::kContentType, metrics.RenderText());
    });
  }

  // Location discovery (client-api §1.2).
  r->Add("GET", A + "/location", [&apps = *s.apps, url = s.public_url](Request& req) {
    return HandleLocation(req, apps, url);
  });

  // Authentication (client-api §2 rows 2-20).
  if (s.auth != nullptr) AddAuthRoutes(s.auth, s.workers, r);

  // Functions and the MongoDB service (client-api §8, §11).
  if (s.auth != nullptr && s.data != nullptr) AddFunctionRoutes(s.auth, s.data, s.functions, s.data_workers, r);
}

}  // namespace plinth::http
