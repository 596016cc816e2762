#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/logger.h"
#include "base/result.h"
#include "config/app_config.h"
#include "server/serve_options.h"
#include "storage/engine.h"

namespace plinth::server {

// Server is the composition root of `plinth serve`: it loads every app
// directory, runs the checks that span layers, opens the data directory and
// wires the concrete parts (the SQLite store, the HTTP transport and the
// client API) into
// one running process. It is the only place that names concrete engines.
//
// Lifecycle: Build (loads and checks; nothing listens yet), Start (binds and
// serves), Stop (graceful drain; callable from any thread), Wait.
// Thread-safety: Stop may be called from any thread; everything else from
// the thread that built the Server.
class Server {
 public:
  // Loads and checks everything `options` names. On failure the status
  // message lists every problem found, one per line (kInvalidConfig), or
  // says why the data directory cannot be used (kIoError).
  // `logger` is not owned and must outlive the Server.
  static base::Result<std::unique_ptr<Server>> Build(const ServeOptions& options,
                                                     base::Logger* logger);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening sockets and starts serving; logs
  // {"msg":"listening","listen":"host:port"} once clients can connect.
  base::Status Start();
  void Stop();
  void Wait();
  // The bound port, once started (useful with listen_port 0).
  std::uint16_t port() const;

  const std::vector<std::shared_ptr<const config::AppConfig>>& apps() const;
  // The embedded store, open for the Server's lifetime. Thread-safe.
  storage::Engine& store();

  // The store's file inside the data directory.
  static constexpr const char* kStoreFileName = "plinth.sqlite";

 private:
  struct Parts;
  explicit Server(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace plinth::server
