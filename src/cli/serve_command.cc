#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/logger.h"
#include "cli/commands.h"
#include "cli/listen_address.h"
#include "server/serve_options.h"
#include "server/server.h"
#include "server/signal_waiter.h"

namespace plinth::cli {
namespace {

struct ServeFlags {
  std::vector<std::string> apps;
  std::string data;
  std::string listen = "127.0.0.1:8080";
  std::string public_url;
  std::string smtp_url;
  std::string mail_from = "plinth@localhost";
  std::string log_level = "info";
  server::ServeOptions defaults;
  int io_threads = defaults.io_threads;
  std::size_t max_body_bytes = defaults.max_body_bytes;
  std::size_t max_header_bytes = defaults.max_header_bytes;
  std::int64_t read_timeout_ms = defaults.read_timeout.count();
  std::int64_t idle_timeout_ms = defaults.idle_timeout.count();
  std::int64_t drain_timeout_ms = defaults.drain_timeout.count();
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "plinth serve: %s\n", message.c_str());
  return code;
}

int RunServe(const ServeFlags& f) {
  base::LogLevel level;
  if (!base::ParseLogLevel(f.log_level, &level)) {
    return Fail(kExitUsage, "--log-level must be debug, info, warn or error");
  }
  auto listen = ParseListenAddress(f.listen);
  if (!listen.ok()) return Fail(kExitUsage, listen.status().message());
  if (!f.public_url.empty() && f.public_url.rfind("http://", 0) != 0 &&
      f.public_url.rfind("https://", 0) != 0) {
    return Fail(kExitUsage, "--public-url must start with http:// or https://");
  }

  server::ServeOptions o;
  for (const auto& a : f.apps) o.app_dirs.emplace_back(a);
  o.data_dir = f.data;
  o.listen_host = listen->host;
  o.listen_port = listen->port;
  o.public_url = f.public_url;
  o.smtp_url = f.smtp_url;
  o.mail_from = f.mail_from;
  o.io_threads = f.io_threads;
  o.max_body_bytes = f.max_body_bytes;
  o.max_header_bytes = f.max_header_bytes;
  o.read_timeout = std::chrono::milliseconds(f.read_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(f.idle_timeout_ms);
  o.drain_timeout = std::chrono::milliseconds(f.drain_timeout_ms);

  // Before any thread starts, so every thread inherits the blocked mask.
  server::SignalWaiter signals;
  std::signal(SIGPIPE, SIG_IGN);
  base::JsonLinesLogger logger(level);

  auto built = server::Server::Build(o, &logger);
  if (!built.ok()) {
    bool usage = built.status().code() == base::ErrorCode::kInvalidConfig;
    return Fail(usage ? kExitUsage : kExitFailure, built.status().message());
  }
  server::Server& srv = **built;
  if (base::Status s = srv.Start(); !s.ok()) return Fail(kExitFailure, s.message());

  int sig = signals.Wait();
  logger.Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  srv.Stop();
  srv.Wait();
  logger.Info("stopped");
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App* root) {
  auto f = std::make_shared<ServeFlags>();
  CLI::App* sub = root->add_subcommand("serve", "Serve the client API for one or more apps");
  sub->add_option("--app", f->apps,
                  "App directory in App Services' export format; repeat to serve several apps, "
                  "routed by app_id")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--data", f->data, "Data directory of the embedded store (created if missing)")
      ->required();
  sub->add_option("--listen", f->listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  sub->add_option("--public-url", f->public_url,
                  "Base URL clients are told to use (location endpoint); default: the request's "
                  "Host header");
  sub->add_option("--smtp-url", f->smtp_url,
                  "SMTP server for confirmation and reset mail (smtp://host:port or "
                  "smtps://host:port); default: mail is written to the log");
  sub->add_option("--mail-from", f->mail_from, "Sender address of Plinth's mail")
      ->capture_default_str();
  sub->add_option("--io-threads", f->io_threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sub->add_option("--max-body-bytes", f->max_body_bytes, "Largest request body (413 over it)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  sub->add_option("--max-header-bytes", f->max_header_bytes,
                  "Longest request line plus headers (431 over it)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20))
      ->capture_default_str();
  sub->add_option("--read-timeout-ms", f->read_timeout_ms,
                  "A whole request must arrive within this long")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}))
      ->capture_default_str();
  sub->add_option("--idle-timeout-ms", f->idle_timeout_ms,
                  "Idle keep-alive connections are closed after this long")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}))
      ->capture_default_str();
  sub->add_option("--drain-timeout-ms", f->drain_timeout_ms,
                  "On SIGTERM/SIGINT, in-flight requests get this long to finish")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}))
      ->capture_default_str();
  sub->add_option("--log-level", f->log_level, "debug, info, warn or error")->capture_default_str();
  return {sub, [f] { return RunServe(*f); }};
}

}  // namespace plinth::cli
