#pragma once

#include <cstdint>
#include <memory>

#include "base/clock.h"
#include "base/logger.h"
#include "base/random.h"
#include "base/status.h"
#include "http/health.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "http/server_options.h"

namespace plinth::http {

// Optional collaborators of a Server. None is owned; each must outlive it.
struct ServerHooks {
  // Counts every answered request, including the ones the transport refuses
  // (400/408/413/431). Default: none.
  Metrics* metrics = nullptr;
  // Moved to kServing by Start() and to kDraining by Stop(). Default: none.
  Readiness* readiness = nullptr;
  // Durations in the access log and metrics. Default: SystemClock.
  const base::Clock* clock = nullptr;
  // Request ids. Default: SystemRandom.
  base::Random* random = nullptr;
};

// Server is the HTTP/1.1 transport: it accepts connections, reads requests
// under the limits in ServerOptions, calls the Handler, and writes responses
// in order (keep-alive and pipelining). It writes one access-log line per
// request, adds X-Request-Id to every response, and turns anything a handler
// throws into a 500 envelope plus an error log line.
//
// Threading: Start() launches options.io_threads threads, each running its
// own io_context with its own SO_REUSEPORT acceptor; a connection stays on
// the thread that accepted it and the Handler runs inline on that thread.
//
// Lifecycle: Start() once; Stop() any number of times from any thread (a
// signal-watching thread included; not from inside a signal handler); Wait()
// from one thread. The destructor stops and waits.
//
// Boost.Beast and Asio stay behind this header (listener.cc, session.cc,
// server.cc; DECISIONS 19).
class Server {
 public:
  // `handler` is called from every I/O thread and must be thread-safe.
  // `logger` is not owned and must outlive the Server.
  Server(ServerOptions options, Handler handler, base::Logger* logger, ServerHooks hooks = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every acceptor and starts the I/O threads. Fails (and starts
  // nothing) when the address cannot be resolved or bound, e.g. when another
  // process holds the port. REQUIRES: called at most once.
  base::Status Start();

  // Begins a graceful stop and returns at once: acceptors close, idle
  // connections close, requests in progress finish and their connections
  // close after the response. Whatever is still running drain_timeout later
  // is abandoned: the I/O threads stop and Wait() closes the sockets.
  void Stop();

  // Blocks until the I/O threads have exited (that is, until some thread has
  // called Stop() and the drain finished or timed out), then releases every
  // socket. Returns at once if Start() never succeeded.
  void Wait();

  // The bound port (useful with options.port = 0). 0 before Start().
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace plinth::http
