#pragma once

#include <atomic>

#include "http/request.h"
#include "http/response.h"

namespace plinth::http {

// Readiness is the serving state /readyz reports. The Server moves it:
// kStarting until Start() has bound its sockets, kServing after, kDraining
// once Stop() begins. Owned by the composition root, shared (by pointer) with
// the Server and the client API. Thread-safe (one atomic).
class Readiness {
 public:
  enum class State { kStarting, kServing, kDraining };

  State state() const { return state_.load(std::memory_order_acquire); }
  void MarkServing() { state_.store(State::kServing, std::memory_order_release); }
  void MarkDraining() { state_.store(State::kDraining, std::memory_order_release); }

 private:
  std::atomic<State> state_{State::kStarting};
};

// GET /healthz: 200 {"status":"ok"} while the process can answer at all.
Response HandleHealthz(const Request& req);

// GET /readyz: 200 {"status":"ready"} while serving; 503 with
// {"status":"starting"} or {"status":"draining"} otherwise, so a load
// balancer stops sending new work before the process exits.
Response HandleReadyz(const Request& req, const Readiness& readiness);

}  // namespace plinth::http
