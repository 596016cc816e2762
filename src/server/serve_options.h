#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace plinth::server {

// Everything `plinth serve` is told on its command line. Per-app settings
// live in each app's plinth.json instead (docs/configuration.md).
struct ServeOptions {
  // App directories in App Services' export format; each is served under its
  // own app_id, with its own users and data.
  std::vector<std::filesystem::path> app_dirs;
  // The embedded store's directory; created when missing.
  std::filesystem::path data_dir;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0: any free port
  // What the location endpoint tells clients to use as `hostname`; empty
  // means "the Host header of the request" (DECISIONS 6).
  std::string public_url;

  // Outbound mail (confirmation and reset). Empty smtp_url: the log sink.
  std::string smtp_url;
  std::string mail_from = "plinth@localhost";

  // HTTP limits; the defaults are documented in docs/http.md.
  int io_threads = 2;
  std::size_t max_body_bytes = 18 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds drain_timeout{10'000};
};

}  // namespace plinth::server
