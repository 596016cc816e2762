// bench_hello_beast: the HTTP baseline that Plinth's request path is measured
// against (docs/performance.md). A bare Boost.Beast HTTP/1.1 server answering
// every request with the same small JSON body, built the way BUILD-NOTES
// measured the fastest setup on 2 cores:
//   * one io_context per thread, each run by exactly one thread;
//   * one acceptor per io_context on the same port (SO_REUSEPORT), so the
//     kernel spreads connections over the threads and no handler ever hops
//     between threads;
//   * C++20 coroutines (asio::awaitable) with as_tuple, so EOF is no exception;
//   * keep-alive and TCP_NODELAY.
// There is deliberately no routing, no logging and no timeouts: anything
// Plinth does beyond this is the cost the benchmark shows.
//
// Usage: bench_hello_beast [--port N] [--threads N] [--host ADDR]
// --port 0 binds a free port. Once every acceptor listens, one JSON line like
// Plinth's goes to stderr: {"msg":"listening","listen":"127.0.0.1:PORT"}.
// SIGINT or SIGTERM stops it with exit status 0.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kBody = R"({"message":"hello","n":42})";
constexpr std::size_t kMaxRequestBody = 64 * 1024;

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 8081;
  int threads = 2;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(
      stderr,
      "bench_hello_beast: %s\nusage: bench_hello_beast [--port N] [--threads N] [--host ADDR]\n",
      why);
  std::exit(2);
}

long ParseNumber(std::string_view text, long lo, long hi) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi) {
    Usage("bad number");
  }
  return value;
}

Options ParseOptions(int argc, char** argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) Usage("missing value");
    std::string_view value = argv[++i];
    if (arg == "--port") {
      opts.port = static_cast<unsigned short>(ParseNumber(value, 0, 65535));
    } else if (arg == "--threads") {
      opts.threads = static_cast<int>(ParseNumber(value, 1, 256));
    } else if (arg == "--host") {
      opts.host = std::string(value);
    } else {
      Usage("unknown option");
    }
  }
  return opts;
}

// One connection: read a request, answer it, repeat while keep-alive holds.
asio::awaitable<void> Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxRequestBody);
    auto [read_ec, read_n] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_ec) break;  // EOF, reset, or a malformed request: just drop it.
    const auto& req = parser.get();

    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = kBody;
    res.prepare_payload();
    auto [write_ec, write_n] =
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (write_ec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Listen(tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE: keep accepting.
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options opts = ParseOptions(argc, argv);

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(opts.host, ec);
  if (ec) Usage("bad --host");
  tcp::endpoint endpoint(address, opts.port);

  for (int i = 0; i < opts.threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    auto acceptor = std::make_unique<tcp::acceptor>(*contexts.back());
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    acceptor->set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
    acceptor->bind(endpoint, ec);
    if (ec) {
      std::fprintf(stderr, "bench_hello_beast: bind %s:%u: %s\n", opts.host.c_str(),
                   static_cast<unsigned>(endpoint.port()), ec.message().c_str());
      return 1;
    }
    acceptor->listen(asio::socket_base::max_listen_connections);
    // With --port 0 the first acceptor picks the port; the others join it.
    endpoint.port(acceptor->local_endpoint().port());
    asio::co_spawn(*contexts.back(), Listen(*acceptor), asio::detached);
    acceptors.push_back(std::move(acceptor));
  }

  asio::signal_set signals(*contexts.front(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    for (auto& ctx : contexts) ctx->stop();
  });

  std::fprintf(stderr,
               "{\"level\":\"info\",\"msg\":\"listening\",\"listen\":\"%s:%u\",\"threads\":%d}\n",
               opts.host.c_str(), static_cast<unsigned>(endpoint.port()), opts.threads);
  std::fflush(stderr);

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts.size(); ++i) {
    threads.emplace_back([ctx = contexts[i].get()] { ctx->run(); });
  }
  contexts.front()->run();
  for (auto& t : threads) t.join();
  return 0;
}
