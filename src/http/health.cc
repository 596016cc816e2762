#include "http/health.h"

namespace plinth::http {

Response HandleHealthz(const Request&) { return Response::Json(200, R"({"status":"ok"})"); }

Response HandleReadyz(const Request&, const Readiness& readiness) {
  switch (readiness.state()) {
    case Readiness::State::kServing:
      return Response::Json(200, R"({"status":"ready"})");
    case Readiness::State::kStarting:
      return Response::Json(503, R"({"status":"starting"})");
    case Readiness::State::kDraining:
      break;
  }
  return Response::Json(503, R"({"status":"draining"})");
}

}  // namespace plinth::http
