#pragma once

// Private to the three Boost.Beast translation units: listener.cc, session.cc
// and server.cc. Nothing here names a Boost type except the forward-declared
// io_context, so including it costs nothing; sockets cross between the
// translation units as native descriptors.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/logger.h"
#include "base/random.h"
#include "base/result.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "http/server_options.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace plinth::http::internal {

// What every session and listener of one Server shares. Owned by
// Server::Impl; outlives every I/O thread and session.
// Thread-safety: the plain fields are set before the I/O threads start and
// only read after; the atomics are shared by all threads.
struct ServerState {
  ServerOptions options;
  Handler handler;
  base::Logger* logger = nullptr;
  Metrics* metrics = nullptr;  // may be null
  const base::Clock* clock = nullptr;
  base::Random* random = nullptr;
  // Open connections across all threads (for max_connections).
  std::atomic<int> connections{0};
  // Set by Stop(): sessions finish their current request and close.
  std::atomic<bool> draining{false};
};

// SessionSet tracks the sessions of one I/O thread, so Stop() can close the
// idle ones. One per io_context; touched only on that io_context's thread
// (CloseIdle must be posted there).
class SessionSet {
 public:
  virtual ~SessionSet() = default;
  // Closes every session that is waiting for a new request; the others close
  // after their current response because ServerState::draining is set.
  virtual void CloseIdle() = 0;
  static std::unique_ptr<SessionSet> Create();
};

// Serves HTTP on the connected socket `fd` (ownership passes to the
// session) until the connection closes. REQUIRES: runs on `io`'s thread.
// `state` and `sessions` must outlive the io_context.
void StartSession(boost::asio::io_context& io, int fd, bool ipv6, ServerState* state,
                  SessionSet* sessions);

// Listener is one bound SO_REUSEPORT acceptor and its accept loop.
// Created and destroyed by Server::Impl; StartAccepting and Close must run on
// the io_context's thread (or before it runs). Destroy it before its
// io_context.
class Listener {
 public:
  virtual ~Listener() = default;
  // Binds `address`:`port` (port 0 picks one) with SO_REUSEADDR and
  // SO_REUSEPORT and starts listening.
  static base::Result<std::unique_ptr<Listener>> Open(boost::asio::io_context& io,
                                                      const std::string& address,
                                                      std::uint16_t port, ServerState* state,
                                                      SessionSet* sessions);
  // Spawns the accept loop on the io_context.
  virtual void StartAccepting() = 0;
  // Stops accepting; the accept loop ends.
  virtual void Close() = 0;
  virtual std::uint16_t port() const = 0;
};

// Resolves ServerOptions::host to a numeric address ("127.0.0.1", "::").
base::Result<std::string> ResolveListenAddress(const std::string& host);

// Fails with a clear message when something already listens on
// `address`:`port` (port != 0). SO_REUSEPORT alone would let a second Plinth
// process silently share the port; this bind without it catches that.
base::Status CheckPortFree(const std::string& address, std::uint16_t port);

}  // namespace plinth::http::internal
