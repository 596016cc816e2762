#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace plinth::http {

// ServerOptions are the HTTP server's process settings (`plinth serve`
// flags). Every limit is enforced per connection in session.cc, where its use
// is commented. A plain value; copy freely.
struct ServerOptions {
  // Address to listen on: an IPv4/IPv6 literal or a resolvable name.
  // Default: "127.0.0.1" (only local clients; use "0.0.0.0" or "::" to expose).
  std::string host = "127.0.0.1";
  // TCP port. 0 picks a free port; Server::port() reports it after Start().
  // Default: 8080.
  std::uint16_t port = 8080;
  // I/O threads, each with its own io_context and SO_REUSEPORT acceptor.
  // Fast handlers run inline on them. Default: 2.
  int io_threads = 2;
  // Longest request line plus header fields. Over it: 431
  // `RequestHeaderTooLarge`, then the connection is closed. Default: 16 KiB.
  std::size_t max_header_bytes = 16 * 1024;
  // Largest request body (App Services' own cap). A larger Content-Length is
  // refused before any of the body is read: 413 `RequestBodyTooLarge`, then
  // close. Default: 18 MiB.
  std::size_t max_body_bytes = 18 * 1024 * 1024;
  // The whole request (head and body) must arrive within this long of its
  // first byte, and the first request within this long of the connection
  // opening. Over it: 408 `RequestTimeout` if nothing of a request has been
  // answered yet, then close. Defeats slow-drip clients. Default: 30 s.
  std::chrono::milliseconds read_timeout{30'000};
  // A response must be written within this long, or the connection is
  // closed (a client that stops reading). Default: 30 s.
  std::chrono::milliseconds write_timeout{30'000};
  // A keep-alive connection with no request in progress is closed after
  // this long. Default: 60 s.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long Stop() lets in-flight requests finish before the I/O threads
  // are stopped regardless. Default: 10 s.
  std::chrono::milliseconds drain_timeout{10'000};
  // Open connections across all I/O threads. Connections beyond it are
  // accepted and closed at once. Default: 10000.
  int max_connections = 10'000;
};

}  // namespace plinth::http
