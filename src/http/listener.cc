// Beast translation unit 1 of 3 (DECISIONS 19): the accept side.
// Binds SO_REUSEPORT acceptors and runs one accept loop per I/O thread.

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>

#include "http/server_internal.h"

namespace plinth::http::internal {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// After accept fails for lack of resources (EMFILE, ENFILE, ENOBUFS), wait a
// little before retrying instead of spinning on the error.
constexpr std::chrono::milliseconds kAcceptErrorBackoff{50};

// At most one "connections refused" warning per listener this often.
constexpr std::chrono::seconds kRefusalLogInterval{1};

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

std::string Describe(const std::string& address, std::uint16_t port) {
  if (address.find(':') != std::string::npos) {
    return "[" + address + "]:" + std::to_string(port);
  }
  return address + ":" + std::to_string(port);
}

class AsioListener final : public Listener {
 public:
  AsioListener(asio::io_context& io, ServerState* state, SessionSet* sessions)
      : io_(io), acceptor_(io), state_(state), sessions_(sessions) {}

  base::Status Bind(const std::string& address, std::uint16_t port) {
    error_code ec;
    asio::ip::address ip = asio::ip::make_address(address, ec);
    if (ec) return {base::ErrorCode::kInvalidConfig, "invalid listen address '" + address + "'"};
    tcp::endpoint endpoint(ip, port);
    ipv6_ = ip.is_v6();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    // Every I/O thread binds the same port; the kernel spreads connections.
    if (!ec) acceptor_.set_option(ReusePort(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return {base::ErrorCode::kIoError,
              "cannot listen on " + Describe(address, port) + ": " + ec.message()};
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return base::Status::Ok();
  }

  void StartAccepting() override {
    asio::co_spawn(io_, AcceptLoop(), [logger = state_->logger](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        logger->Error("accept loop failed", {{"error", ex.what()}});
      } catch (...) {
        logger->Error("accept loop failed", {{"error", "unknown exception"}});
      }
    });
  }

  void Close() override {
    error_code ec;
    acceptor_.close(ec);
  }

  std::uint16_t port() const override { return port_; }

 private:
  asio::awaitable<void> AcceptLoop() {
    const int max_connections = state_->options.max_connections;
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        state_->logger->Warn("accept failed", {{"error", ec.message()}});
        asio::steady_timer backoff(io_, kAcceptErrorBackoff);
        co_await backoff.async_wait(kNoThrow);
        continue;
      }
      // Count first, then check, so threads racing for the last slot cannot
      // both take it.
      if (state_->connections.fetch_add(1, std::memory_order_acq_rel) >= max_connections ||
          state_->draining.load(std::memory_order_acquire)) {
        state_->connections.fetch_sub(1, std::memory_order_acq_rel);
        error_code ignored;
        socket.close(ignored);
        if (!state_->draining.load(std::memory_order_relaxed)) NoteRefusal(max_connections);
        continue;
      }
      // Small responses must not wait for Nagle + delayed ACK (BUILD-NOTES).
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      int fd = socket.release(ignored);
      if (ignored) {
        state_->connections.fetch_sub(1, std::memory_order_acq_rel);
        continue;
      }
      StartSession(io_, fd, ipv6_, state_, sessions_);
    }
  }

  // Logs refusals at most once per kRefusalLogInterval, so an overload
  // cannot also flood the log.
  void NoteRefusal(int max_connections) {
    ++refused_;
    auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ < kRefusalLogInterval) return;
    last_refusal_log_ = now;
    state_->logger->Warn(
        "connections refused: max_connections reached",
        {{"max_connections", max_connections}, {"refused", static_cast<std::uint64_t>(refused_)}});
    refused_ = 0;
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::uint64_t refused_ = 0;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  ServerState* const state_;
  SessionSet* const sessions_;
  bool ipv6_ = false;
  std::uint16_t port_ = 0;
};

}  // namespace

base::Result<std::unique_ptr<Listener>> Listener::Open(asio::io_context& io,
                                                       const std::string& address,
                                                       std::uint16_t port, ServerState* state,
                                                       SessionSet* sessions) {
  auto listener = std::make_unique<AsioListener>(io, state, sessions);
  base::Status status = listener->Bind(address, port);
  if (!status.ok()) return status;
  return std::unique_ptr<Listener>(std::move(listener));
}

base::Result<std::string> ResolveListenAddress(const std::string& host) {
  error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (!ec) return ip.to_string();
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, "", tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return base::Status(
        base::ErrorCode::kInvalidConfig,
        "cannot resolve listen host '" + host + "'" + (ec ? ": " + ec.message() : std::string()));
  }
  return results.begin()->endpoint().address().to_string();
}

base::Status CheckPortFree(const std::string& address, std::uint16_t port) {
  error_code ec;
  asio::ip::address ip = asio::ip::make_address(address, ec);
  if (ec) return {base::ErrorCode::kInvalidConfig, "invalid listen address '" + address + "'"};
  asio::io_context io;
  tcp::acceptor probe(io);
  tcp::endpoint endpoint(ip, port);
  probe.open(endpoint.protocol(), ec);
  // SO_REUSEADDR (not SO_REUSEPORT) still conflicts with a listening socket
  // but tolerates TIME_WAIT leftovers of a previous run.
  if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  if (ec) {
    return {base::ErrorCode::kIoError,
            "cannot listen on " + Describe(address, port) + ": " + ec.message()};
  }
  probe.close(ec);
  return base::Status::Ok();
}

}  // namespace plinth::http::internal
