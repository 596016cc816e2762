#pragma once

#include <string>

#include "auth/auth_registry.h"
#include "base/work_pool.h"
#include "functions/function_registry.h"
#include "http/app_lookup.h"
#include "http/health.h"
#include "http/metrics.h"
#include "http/router.h"
#include "services/data_access_registry.h"

namespace plinth::http {

// The prefixes of client-api §1.1.
inline constexpr std::string_view kClientApiPrefix = "/api/client/v2.0";       // "P"
inline constexpr std::string_view kAppScopedPrefix = "/api/client/v2.0/app/";  // "A" without id

// ClientServices is everything the client API's handlers are built with.
// Pointers are not owned; each must outlive every handler built from it.
struct ClientServices {
  // Served apps. Required.
  const AppLookup* apps = nullptr;
  // Rendered by GET /metrics. Optional: without it /metrics is not served.
  const Metrics* metrics = nullptr;
  // Reported by GET /readyz. Optional: without it /readyz reports ready.
  const Readiness* readiness = nullptr;
  // `--public-url`: the base URL clients are told to use (location
  // endpoint). Default: empty, meaning "http://" + the request's Host header.
  std::string public_url;
  // Authentication of every served app. Optional: without it the auth
  // routes are not served. Requires `workers` when set.
  const auth::AuthRegistry* auth = nullptr;
  // The bounded pool password hashing and mail run on.
  base::WorkPool* workers = nullptr;
  // The MongoDB service of every served app (functions/call). Optional:
  // without it functions/call is not served. Requires `auth` and
  // `data_workers` when set.
  const services::DataAccessRegistry* data = nullptr;
  // The bounded pool service calls run on.
  base::WorkPool* data_workers = nullptr;
  // Every served app's functions (functions/call without a service).
  // Optional: without it every function is FunctionNotFound.
  const functions::FunctionRegistry* functions = nullptr;
};

// Adds the client API's routes to `router`: the route table, one line per
// endpoint. REQUIRES: services.apps != nullptr.
void AddClientRoutes(const ClientServices& services, Router* router);

}  // namespace plinth::http
