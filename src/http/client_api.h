#pragma once

#include <optional>
#include <string_view>

#include "http/client_routes.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace plinth::http {

// ClientApi is the Handler the Server runs for every client API request:
//   1. match the route (for the metrics label; nothing runs yet),
//   2. app-scoped path (/api/client/v2.0/app/{app_id}/...) with an unknown
//      app: 404 `AppNotFound`, whatever the rest of the path is,
//   3. Origin not in the app's allowed_request_origins: 403 `DomainNotAllowed`,
//   4. OPTIONS: the CORS preflight answer,
//   5. a body declared as JSON that does not parse: 400 `BadRequest`,
//   6. the route's handler, or 404 `NotFound` / 405 `MethodNotAllowed`,
//   7. CORS headers on the way out.
//
// Thread-safety: immutable after construction; Handle may run on every I/O
// thread at once. Owns its Router; the services it points to are not owned.
class ClientApi {
 public:
  // REQUIRES: services.apps != nullptr.
  explicit ClientApi(ClientServices services);
  ClientApi(const ClientApi&) = delete;
  ClientApi& operator=(const ClientApi&) = delete;

  Response Handle(Request& req) const;

 private:
  ClientServices services_;
  Router router_;
};

// OK unless the request has a non-empty body declared as JSON (Content-Type
// application/json, with or without parameters) that does not parse as JSON
// or Extended JSON within doc::Limits: then kMalformedJson (400 BadRequest),
// or the limit's own code for bodies nested too deep.
base::Status CheckJsonBody(const Request& req);

// The app id of an app-scoped path, or nullopt for any other path.
// "/api/client/v2.0/app/x/location" -> "x"; "/api/client/v2.0/app/" -> "".
std::optional<std::string_view> AppIdOfPath(std::string_view path);

}  // namespace plinth::http
