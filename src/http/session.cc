// Beast translation unit 2 of 3 (DECISIONS 19): one HTTP/1.1 connection.
//
// A session reads requests one after another (keep-alive; pipelined requests
// wait in the read buffer, so responses go out in order), hands each to the
// Handler as a plinth::http::Request, and writes the Response. Every limit of
// ServerOptions is applied here, at the point it matters.
//
// Each session runs two coroutines on its I/O thread: Run (the request loop)
// and Watch (a deadline watchdog that cancels the socket's operations when the
// current phase overruns). Both hold a shared_ptr, so the session lives until
// both have finished. Everything runs on one thread; nothing here locks.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <chrono>
#include <exception>
#include <limits>
#include <optional>
#include <unordered_set>

#include "http/server_internal.h"

namespace plinth::http::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
// Socket deadlines use the same clock as Asio's timers.
using SteadyClock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Bytes asked for when waiting for the first byte of a request.
constexpr std::size_t kFirstReadBytes = 4096;
// After a response that ends the connection, we stop sending and read (and
// discard) what the client still sends for at most this long and this much,
// so that closing with unread input does not make the kernel send a reset
// that destroys our response before the client reads it.
constexpr std::chrono::milliseconds kMaxLinger{1000};
constexpr std::size_t kMaxLingerBytes = 1 << 20;

class Session;

class SessionSetImpl final : public SessionSet {
 public:
  void Add(Session* s) { sessions_.insert(s); }
  void Remove(Session* s) { sessions_.erase(s); }
  void CloseIdle() override;

 private:
  std::unordered_set<Session*> sessions_;
};

// Keeps Metrics' in-flight gauge right on every exit path, including a
// coroutine frame destroyed by a hard stop.
class InFlight {
 public:
  explicit InFlight(Metrics* m) : metrics_(m) {
    if (metrics_ != nullptr) metrics_->RequestStarted();
  }
  ~InFlight() { End(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

  // Ends the request early (idempotent): once its response is written, so
  // the gauge is already down when the request's counters appear.
  void End() {
    if (metrics_ != nullptr) metrics_->RequestEnded();
    metrics_ = nullptr;
  }

 private:
  Metrics* metrics_;
};

// Header fields from handlers are checked before they reach the wire, so no
// value can smuggle a CR/LF into the response (response splitting).
bool IsSafeHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsHttpTokenChar(c)) return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

// How a connection ends.
enum class CloseMode {
  kQuiet,   // just close: the peer left, timed out while idle, or a write failed
  kLinger,  // we answered and are ending the connection: half-close, drain, close
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState* state, SessionSetImpl* set)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        state_(state),
        set_(set),
        options_(state->options) {
    timer_.expires_at(SteadyClock::time_point::max());
    error_code ec;
    tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
    set_->Add(this);
  }

  ~Session() {
    set_->Remove(this);
    state_->connections.fetch_sub(1, std::memory_order_acq_rel);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The request loop. Takes the shared_ptr by value so the frame owns the
  // session from the moment the coroutine is created.
  static asio::awaitable<void> Run(std::shared_ptr<Session> self) {
    try {
      CloseMode mode = co_await self->Serve();
      if (mode == CloseMode::kLinger) co_await self->Linger();
    } catch (const std::exception& e) {
      // Asio/Beast/allocation failures end the connection, never the thread.
      self->state_->logger->Error("connection failed",
                                  {{"remote", self->remote_}, {"error", e.what()}});
    }
    self->Finish();
  }

  // The deadline watchdog; see SetDeadline.
  static asio::awaitable<void> Watch(std::shared_ptr<Session> self) {
    while (!self->finished_) {
      co_await self->timer_.async_wait(kNoThrow);
      if (self->finished_) break;
      if (SteadyClock::now() >= self->deadline_) {
        self->timed_out_ = true;
        self->deadline_ = SteadyClock::time_point::max();
        self->timer_.expires_at(self->deadline_);
        error_code ignored;
        self->socket_.cancel(ignored);
      } else {
        // Woken because the deadline moved; wait for the current one.
        self->timer_.expires_at(self->deadline_);
      }
    }
  }

  // Called by SessionSetImpl::CloseIdle during Stop().
  void CloseIfIdle() {
    if (!idle_) return;
    error_code ignored;
    socket_.cancel(ignored);
  }

 private:
  // The current phase must end within `limit`, or Watch cancels the socket's
  // operations and sets timed_out_. Only ever one deadline per session.
  void SetDeadline(std::chrono::milliseconds limit) {
    deadline_ = SteadyClock::now() + limit;
    timed_out_ = false;
    // A later deadline is picked up when the timer fires; an earlier one
    // must re-arm the timer now (which wakes Watch).
    if (deadline_ < timer_.expiry()) timer_.expires_at(deadline_);
  }

  void Finish() {
    finished_ = true;
    error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

  asio::awaitable<CloseMode> Serve() {
    bool first = true;
    for (;;) {
      if (buffer_.size() == 0) {
        // Idle: wait for the first byte of the next request. A new
        // connection gets read_timeout to send it, a kept-alive one
        // idle_timeout. Stop() cancels this wait (CloseIfIdle).
        if (state_->draining.load(std::memory_order_acquire)) co_return CloseMode::kQuiet;
        idle_ = true;
        SetDeadline(first ? options_.read_timeout : options_.idle_timeout);
        auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(kFirstReadBytes), kNoThrow);
        idle_ = false;
        if (ec || timed_out_) co_return CloseMode::kQuiet;
        buffer_.commit(n);
      }
      first = false;
      std::optional<CloseMode> end = co_await ServeOne();
      if (end) co_return *end;
    }
  }

  // Reads, handles and answers one request. Returns how to close the
  // connection, or nullopt to keep it open for the next request.
  asio::awaitable<std::optional<CloseMode>> ServeOne() {
    const auto start = state_->clock->SteadyNow();
    InFlight in_flight(state_->metrics);

    // The whole request, head and body, must arrive within read_timeout.
    SetDeadline(options_.read_timeout);
    bhttp::request_parser<bhttp::string_body> parser;
    // Request line plus header fields (Beast counts both).
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // Checked against Content-Length as soon as the head is parsed, before
    // any of the body is read, and against the running total of a chunked body.
    parser.body_limit(static_cast<std::uint64_t>(options_.max_body_bytes));

    auto [ec, head_bytes] = co_await bhttp::async_read_header(socket_, buffer_, parser, kNoThrow);
    if (!ec && !timed_out_ && !parser.is_done()) {
      auto& head = parser.get();
      if (head.version() == 11 &&
          beast::iequals(head[bhttp::field::expect], beast::string_view("100-continue"))) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] = co_await asio::async_write(
            socket_, asio::buffer(kContinue.data(), kContinue.size()), kNoThrow);
        ec = wec;
      }
      if (!ec && !timed_out_) {
        auto [rec, body_bytes] = co_await bhttp::async_read(socket_, buffer_, parser, kNoThrow);
        ec = rec;
      }
    }
    if (timed_out_) ec = asio::error::timed_out;
    if (ec) co_return co_await Refuse(ec, parser, start, in_flight);

    bhttp::request<bhttp::string_body>& msg = parser.get();
    Request req;
    req.method = UpperAscii(ToStd(msg.method_string()));
    req.target = std::string(ToStd(msg.target()));
    base::Status target_ok = ParseRequestTarget(req.target, &req.path, &req.query);
    req.headers.reserve(8);
    for (const auto& field : msg) {
      req.headers.emplace_back(ToStd(field.name_string()), ToStd(field.value()));
    }
    req.body = std::move(msg.body());
    req.remote = remote_;
    std::string_view incoming_id = ToStd(msg["X-Request-Id"]);
    req.request_id =
        IsSaneRequestId(incoming_id) ? std::string(incoming_id) : state_->random->Hex(12);

    Response res = target_ok.ok() ? CallHandler(req) : Response::Error(target_ok);
    while (res.deferred) res = co_await AwaitDeferred(std::move(res.deferred));
    // Once Stop() has begun, every response is the connection's last.
    bool keep_alive = msg.keep_alive() && !state_->draining.load(std::memory_order_acquire);
    bool written =
        co_await Respond(req, std::move(res), msg.version(), keep_alive, start, in_flight);
    if (!written) co_return CloseMode::kQuiet;
    if (!keep_alive) co_return CloseMode::kLinger;
    co_return std::nullopt;
  }

  // The handler boundary: nothing a handler throws gets past here.
  Response CallHandler(Request& req) {
    try {
      return state_->handler(req);
    } catch (const std::exception& e) {
      return Response::Error(base::Internal(std::string("handler threw: ") + e.what()));
    } catch (...) {
      return Response::Error(base::Internal("handler threw a non-std exception"));
    }
  }

  // Runs a deferred response's work and resumes this coroutine, on this
  // session's thread, with the response it produces. The work may finish on
  // any thread; `done` posts back here. A second call of `done` is ignored.
  asio::awaitable<Response> AwaitDeferred(Response::Deferred work) {
    // The work bounds its own time; the connection has no deadline meanwhile.
    deadline_ = SteadyClock::time_point::max();
    timed_out_ = false;
    auto executor = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
        [&work, executor](auto handler) {
          using HandlerType = decltype(handler);
          struct Slot {
            std::atomic<bool> called{false};
            std::optional<HandlerType> handler;
          };
          auto slot = std::make_shared<Slot>();
          slot->handler.emplace(std::move(handler));
          auto done = [slot, executor](Response res) {
            if (slot->called.exchange(true, std::memory_order_acq_rel)) return;
            asio::post(executor, [slot, res = std::move(res)]() mutable {
              auto h = std::move(*slot->handler);
              slot->handler.reset();
              std::move(h)(std::move(res));
            });
          };
          try {
            work(done);
          } catch (const std::exception& e) {
            done(Response::Error(base::Internal(std::string("deferred work threw: ") + e.what())));
          } catch (...) {
            done(Response::Error(base::Internal("deferred work threw a non-std exception")));
          }
        },
        asio::use_awaitable);
  }

  // Answers a request that could not be read. Returns how to close.
  asio::awaitable<CloseMode> Refuse(error_code ec,
                                    bhttp::request_parser<bhttp::string_body>& parser,
                                    SteadyClock::time_point start, InFlight& in_flight) {
    std::optional<base::Status> status;
    if (ec == asio::error::timed_out) {
      status = base::Status(
          base::ErrorCode::kRequestTimeout,
          "request not received within " + std::to_string(options_.read_timeout.count()) + " ms");
    } else if (ec == bhttp::error::header_limit) {
      status = base::Status(base::ErrorCode::kHeaderTooLarge,
                            "request line and header fields exceed " +
                                std::to_string(options_.max_header_bytes) + " bytes");
    } else if (ec == bhttp::error::body_limit) {
      status = base::Status(
          base::ErrorCode::kBodyTooLarge,
          "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      status =
          base::Status(base::ErrorCode::kBadRequest, "malformed HTTP request: " + ec.message());
    }
    // Anything else (reset, EOF in the middle of a request) leaves no one
    // to answer.
    if (!status) co_return CloseMode::kQuiet;

    Request req;
    // What was parsed before the failure, for the log; a 413 has a whole head.
    const auto& head = parser.get();
    req.method = UpperAscii(ToStd(head.method_string()));
    req.target = std::string(ToStd(head.target()));
    if (!ParseRequestTarget(req.target, &req.path, &req.query).ok()) req.path.clear();
    req.remote = remote_;
    req.request_id = state_->random->Hex(12);
    bool written = co_await Respond(req, Response::Error(*status), 11, false, start, in_flight);
    co_return written ? CloseMode::kLinger : CloseMode::kQuiet;
  }

  // Writes `res` and records it in the access log and metrics. Returns
  // false when the write failed or timed out.
  asio::awaitable<bool> Respond(const Request& req, Response res, unsigned version, bool keep_alive,
                                SteadyClock::time_point start, InFlight& in_flight) {
    if (res.status < 100 || res.status > 599) {
      res = Response::Error(
          base::Internal("handler returned invalid HTTP status " + std::to_string(res.status)));
    }
    if (res.status >= 500 && !res.error_detail.empty()) {
      state_->logger->Error("request failed",
                            {{"request_id", req.request_id},
                             {"error_code", base::ErrorCodeSymbol(res.error_code)},
                             {"detail", res.error_detail}});
    }

    bhttp::response<bhttp::string_body> out;
    out.version(version == 10 ? 10 : 11);
    out.result(static_cast<unsigned>(res.status));
    for (const auto& [name, value] : res.headers) {
      if (!IsSafeHeader(name, value)) {
        state_->logger->Warn("dropped unsafe response header",
                             {{"request_id", req.request_id}, {"header", name}});
        continue;
      }
      out.insert(beast::string_view(name.data(), name.size()),
                 beast::string_view(value.data(), value.size()));
    }
    out.set("X-Request-Id", req.request_id);
    // 1xx, 204 and 304 carry neither a body nor Content-Length (RFC 9110).
    const bool bodiless = res.status < 200 || res.status == 204 || res.status == 304;
    if (bodiless) {
      res.body.clear();
    } else {
      out.content_length(res.body.size());
    }
    const std::size_t body_bytes = res.body.size();
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);

    SetDeadline(options_.write_timeout);
    auto [ec, wire_bytes] = co_await bhttp::async_write(socket_, out, kNoThrow);
    const bool ok = !ec && !timed_out_;
    in_flight.End();

    auto duration = state_->clock->SteadyNow() - start;
    state_->logger->Info(
        "request", {{"request_id", req.request_id},
                    {"method", req.method},
                    {"path", req.path},
                    {"status", res.status},
                    {"bytes", static_cast<std::uint64_t>(body_bytes)},
                    {"duration_us",
                     static_cast<std::int64_t>(
                         std::chrono::duration_cast<std::chrono::microseconds>(duration).count())},
                    {"remote", remote_}});
    if (state_->metrics != nullptr) {
      state_->metrics->Record(req.route, req.method, res.status, res.error_code,
                              std::chrono::duration_cast<std::chrono::nanoseconds>(duration));
    }
    co_return ok;
  }

  // Half-closes and drains the client's leftovers before closing (see
  // kMaxLinger).
  asio::awaitable<void> Linger() {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    SetDeadline(std::min<std::chrono::milliseconds>(options_.read_timeout, kMaxLinger));
    std::size_t total = buffer_.size();
    buffer_.clear();
    std::array<char, 4096> scratch;
    while (total < kMaxLingerBytes) {
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(scratch), kNoThrow);
      if (ec || timed_out_) break;
      total += n;
    }
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  ServerState* const state_;
  SessionSetImpl* const set_;
  const ServerOptions& options_;
  std::string remote_ = "unknown";
  beast::flat_buffer buffer_;
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  bool timed_out_ = false;  // set by Watch, cleared by SetDeadline
  bool idle_ = false;       // waiting for the first byte of a request
  bool finished_ = false;   // Run has ended; Watch should stop
};

void SessionSetImpl::CloseIdle() {
  // CloseIfIdle only cancels operations (completions are posted, not run
  // inline), so the set does not change while we walk it.
  for (Session* s : sessions_) s->CloseIfIdle();
}

}  // namespace

std::unique_ptr<SessionSet> SessionSet::Create() { return std::make_unique<SessionSetImpl>(); }

void StartSession(asio::io_context& io, int fd, bool ipv6, ServerState* state,
                  SessionSet* sessions) {
  error_code ec;
  tcp::socket socket(io);
  socket.assign(ipv6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) {
    ::close(fd);
    state->connections.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  auto session =
      std::make_shared<Session>(std::move(socket), state, static_cast<SessionSetImpl*>(sessions));
  asio::co_spawn(io, Session::Watch(session), asio::detached);
  asio::co_spawn(io, Session::Run(std::move(session)), [state](std::exception_ptr e) {
    // Run catches everything itself; this is the last line of defence.
    if (e) state->logger->Error("session ended by an uncaught exception", {});
  });
}

}  // namespace plinth::http::internal
