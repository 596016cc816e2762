// End-to-end tests of the transport: a real Server on 127.0.0.1, port 0,
// driven by a tiny blocking socket client. Limits are small so the tests run
// fast; waits are bounded by generous socket timeouts, never by sleeps that
// decide the outcome.

#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "base/logger.h"
#include "http/client_api.h"
#include "http/router.h"

namespace plinth::http {
namespace {

using namespace std::chrono_literals;

// Generous upper bound for anything a test waits on.
constexpr auto kSocketTimeout = 5s;

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::optional<std::string> Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A blocking HTTP/1.1 client connection, just enough for these tests.
class Conn {
 public:
  explicit Conn(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{};
    tv.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kSocketTimeout).count();
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    connect_errno_ = connected_ ? 0 : errno;
  }
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  bool connected() const { return connected_; }
  int connect_errno() const { return connect_errno_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one response (status line, headers, Content-Length body).
  std::optional<RawResponse> Read() {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    RawResponse res;
    std::size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    res.status = std::stoi(status_line.substr(9, 3));
    std::size_t pos = line_end;
    while (pos != std::string::npos && pos < head.size()) {
      pos += 2;
      std::size_t next = head.find("\r\n", pos);
      std::string line =
          head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        res.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = next;
    }
    std::size_t length = 0;
    if (auto cl = res.Header("content-length")) length = std::stoul(*cl);
    while (buf_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    res.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return res;
  }

  // Reads until the server closes the connection. False if it stays open
  // for kSocketTimeout. Whatever arrived is left in *seen.
  bool ReadUntilClosed(std::string* seen = nullptr) {
    for (;;) {
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buf_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (seen != nullptr) *seen = buf_;
      if (n == 0) return true;
      return errno == ECONNRESET;
    }
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  int connect_errno_ = 0;
  std::string buf_;
};

std::string Get(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

std::string Post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

bool IsHex24(const std::string& s) {
  return s.size() == 24 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest()
      : apps_({AppInfo{"app-1", "GLOBAL", "US-VA", {}}}),
        api_(ClientServices{&apps_, &metrics_, &readiness_, ""}) {
    test_routes_.Add("GET", "/test/hello",
                     [](Request&) { return Response::Json(200, R"({"hello":"world"})"); });
    test_routes_.Add("POST", "/test/echo",
                     [](Request& req) { return Response::Json(200, req.body); });
    test_routes_.Add("GET", "/test/empty", [](Request&) { return Response::Empty(204); });
    test_routes_.Add("GET", "/test/throw",
                     [](Request&) -> Response { throw std::runtime_error("boom: secret detail"); });
    test_routes_.Add("GET", "/test/slow", [this](Request&) {
      slow_entered_.set_value();
      slow_release_.get_future().wait();
      return Response::Json(200, R"({"slow":true})");
    });
  }

  ~ServerTest() override {
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }

  static ServerOptions SmallOptions() {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    o.max_header_bytes = 1024;
    o.max_body_bytes = 1024;
    o.read_timeout = 300ms;
    o.write_timeout = 2s;
    o.idle_timeout = 5s;
    o.drain_timeout = 5s;
    return o;
  }

  void StartServer(ServerOptions options = SmallOptions()) {
    Handler handler = [this](Request& req) {
      if (req.path.starts_with("/test/")) return test_routes_.Dispatch(req);
      return api_.Handle(req);
    };
    server_ = std::make_unique<Server>(options, std::move(handler), &logger_,
                                       ServerHooks{&metrics_, &readiness_, nullptr, nullptr});
    base::Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  std::uint16_t port() const { return server_->port(); }

  base::CapturingLogger logger_;
  Metrics metrics_;
  Readiness readiness_;
  StaticAppLookup apps_;
  ClientApi api_;
  Router test_routes_;
  std::promise<void> slow_entered_;
  std::promise<void> slow_release_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Get("/test/hello")));
  auto first = c.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->Header("content-type"), "application/json");
  EXPECT_EQ(first->body, R"({"hello":"world"})");
  ASSERT_TRUE(first->Header("x-request-id"));
  EXPECT_TRUE(IsHex24(*first->Header("x-request-id")));

  ASSERT_TRUE(c.Send(Post("/test/echo", R"({"n":2})")));
  auto second = c.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, R"({"n":2})");
  EXPECT_NE(second->Header("x-request-id"), first->Header("x-request-id"));
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(
      c.Send(Post("/test/echo", "\"one\"") + Post("/test/echo", "\"two\"") + Get("/test/hello")));
  auto a = c.Read();
  auto b = c.Read();
  auto d = c.Read();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->body, "\"one\"");
  EXPECT_EQ(b->body, "\"two\"");
  EXPECT_EQ(d->body, R"({"hello":"world"})");
}

TEST_F(ServerTest, RequestIdIsEchoedWhenSane) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/hello", "X-Request-Id: client-id.42\r\n")));
  auto sane = c.Read();
  ASSERT_TRUE(sane);
  EXPECT_EQ(sane->Header("x-request-id"), "client-id.42");
  ASSERT_TRUE(c.Send(Get("/test/hello", "X-Request-Id: not sane!\r\n")));
  auto insane = c.Read();
  ASSERT_TRUE(insane);
  EXPECT_TRUE(IsHex24(*insane->Header("x-request-id")));
}

TEST_F(ServerTest, EmptyResponseHasNoContentType) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/empty")));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_FALSE(res->Header("content-type"));
  EXPECT_FALSE(res->Header("content-length"));
  EXPECT_TRUE(res->body.empty());
}

TEST_F(ServerTest, LocationUsesHostHeader) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(
      c.Send("GET /api/client/v2.0/app/app-1/location HTTP/1.1\r\nHost: 10.0.0.5:9\r\n\r\n"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find(R"("hostname":"http://10.0.0.5:9","ws_hostname":"ws://10.0.0.5:9")"),
            std::string::npos);
  ASSERT_TRUE(c.Send(Get("/api/client/v2.0/app/unknown/location")));
  auto missing = c.Read();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find(R"("error_code":"AppNotFound")"), std::string::npos);
}

TEST_F(ServerTest, ExpectContinue) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(
      c.Send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
             "Expect: 100-continue\r\n\r\n"));
  auto interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("\"ok\""));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "\"ok\"");
}

TEST_F(ServerTest, OversizedContentLengthIs413BeforeTheBody) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->Header("content-type"), "application/json");
  EXPECT_NE(res->body.find(R"("error_code":"RequestBodyTooLarge")"), std::string::npos);
  EXPECT_EQ(res->Header("connection"), "close");
  EXPECT_TRUE(c.ReadUntilClosed());
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  StartServer();
  Conn c(port());
  std::string chunk(800, 'x');
  ASSERT_TRUE(
      c.Send("POST /test/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "320\r\n" +
             chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(c.ReadUntilClosed());
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/hello", "X-Big: " + std::string(2000, 'a') + "\r\n")));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);
  EXPECT_NE(res->body.find(R"("error_code":"RequestHeaderTooLarge")"), std::string::npos);
  EXPECT_TRUE(c.ReadUntilClosed());
}

TEST_F(ServerTest, OversizedRequestLineIs431) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/" + std::string(2000, 'a'))));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);
  EXPECT_TRUE(c.ReadUntilClosed());
}

TEST_F(ServerTest, GarbageIs400ThenClose) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find(R"("error_code":"BadRequest")"), std::string::npos);
  EXPECT_TRUE(c.ReadUntilClosed());
}

TEST_F(ServerTest, BadPercentEncodingIs400AndKeepsConnection) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/%zz")));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  ASSERT_TRUE(c.Send(Get("/test/hello")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, SlowClientIsClosedWhileOthersAreServed) {
  StartServer();
  Conn slow(port());
  ASSERT_TRUE(slow.connected());
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    // One byte every 100 ms: the request would take ~3 s, far past the
    // 300 ms read timeout.
    const std::string request = Get("/test/hello");
    for (char ch : request) {
      if (stop.load() || !slow.Send(std::string_view(&ch, 1))) return;
      std::this_thread::sleep_for(100ms);
    }
  });

  // Meanwhile another client is served normally.
  Conn fast(port());
  ASSERT_TRUE(fast.Send(Get("/test/hello")));
  auto ok = fast.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);

  auto begin = std::chrono::steady_clock::now();
  std::string seen;
  EXPECT_TRUE(slow.ReadUntilClosed(&seen));
  auto waited = std::chrono::steady_clock::now() - begin;
  stop = true;
  dripper.join();
  EXPECT_LT(waited, 3s);  // generous: the limit is 300 ms (+ at most 300 ms linger)
  EXPECT_TRUE(seen.starts_with("HTTP/1.1 408")) << seen;
  EXPECT_NE(seen.find("RequestTimeout"), std::string::npos);
}

TEST_F(ServerTest, SilentConnectionIsClosedAfterReadTimeout) {
  StartServer();
  Conn c(port());
  std::string seen;
  EXPECT_TRUE(c.ReadUntilClosed(&seen));
  EXPECT_TRUE(seen.empty()) << "nothing was asked, so nothing is answered";
}

TEST_F(ServerTest, HandlerExceptionIs500WithGenericMessage) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/throw")));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, R"({"error":"internal server error","error_code":"InternalServerError"})");
  std::string id = *res->Header("x-request-id");
  bool logged = false;
  for (const std::string& line : logger_.Lines()) {
    if (line.find("\"level\":\"error\"") != std::string::npos &&
        line.find("boom: secret detail") != std::string::npos &&
        line.find(id) != std::string::npos) {
      logged = true;
    }
  }
  EXPECT_TRUE(logged) << "the detail goes to the log with the request id";
  // The connection survives.
  ASSERT_TRUE(c.Send(Get("/test/hello")));
  EXPECT_EQ(c.Read()->status, 200);
}

TEST_F(ServerTest, AccessLogLeavesOutTheQueryString) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/hello?token=very-secret", "X-Request-Id: log-check\r\n")));
  ASSERT_TRUE(c.Read());
  // The access line is written after the response, so wait for it briefly.
  std::string line;
  for (int i = 0; i < 500 && line.empty(); ++i) {
    for (const std::string& l : logger_.Lines()) {
      if (l.find("\"request_id\":\"log-check\"") != std::string::npos) line = l;
    }
    if (line.empty()) std::this_thread::sleep_for(10ms);
  }
  ASSERT_FALSE(line.empty());
  EXPECT_NE(line.find(R"("msg":"request")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("method":"GET")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("path":"/test/hello")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("status":200)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("bytes":17)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("duration_us":)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("remote":"127.0.0.1:)"), std::string::npos) << line;
  EXPECT_EQ(line.find("very-secret"), std::string::npos) << line;
}

TEST_F(ServerTest, MetricsCountServedAndRefusedRequests) {
  StartServer();
  {
    Conn c(port());
    ASSERT_TRUE(c.Send(Get("/healthz") + Get("/healthz") + Get("/nope")));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.Read());
  }
  {
    Conn big(port());
    ASSERT_TRUE(big.Send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
    ASSERT_TRUE(big.Read());
  }
  // Metrics are recorded on the server's threads just after each response
  // is written, so poll /metrics briefly until the refused request shows up.
  const std::vector<std::string> expected = {
      "plinth_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2\n",
      "plinth_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n",
      "plinth_http_requests_total{route=\"unmatched\",method=\"POST\",status=\"413\"} 1\n",
      "plinth_http_request_duration_seconds_count{route=\"/healthz\"} 2\n",
      "plinth_http_errors_total{error_code=\"NotFound\"} 1\n",
      "plinth_http_errors_total{error_code=\"RequestBodyTooLarge\"} 1\n",
      // The /metrics request itself is in flight while it renders.
      "plinth_http_in_flight_requests 1\n",
  };
  auto all_present = [&](const std::string& text) {
    for (const std::string& line : expected) {
      if (text.find(line) == std::string::npos) return false;
    }
    return true;
  };
  std::string text;
  for (int i = 0; i < 500; ++i) {
    Conn c(port());
    ASSERT_TRUE(c.Send(Get("/metrics")));
    auto res = c.Read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->Header("content-type"), "text/plain; version=0.0.4");
    text = res->body;
    if (all_present(text)) break;
    std::this_thread::sleep_for(10ms);
  }
  for (const std::string& line : expected) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "in:\n" << text;
  }
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions o = SmallOptions();
  o.idle_timeout = 200ms;
  StartServer(o);
  Conn c(port());
  ASSERT_TRUE(c.Send(Get("/test/hello")));
  ASSERT_TRUE(c.Read());
  auto begin = std::chrono::steady_clock::now();
  std::string seen;
  EXPECT_TRUE(c.ReadUntilClosed(&seen));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
  EXPECT_TRUE(seen.empty());
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveAsked) {
  StartServer();
  Conn c(port());
  ASSERT_TRUE(c.Send("GET /test/hello HTTP/1.0\r\n\r\n"));
  std::string seen;
  EXPECT_TRUE(c.ReadUntilClosed(&seen));
  EXPECT_TRUE(seen.starts_with("HTTP/1.0 200")) << seen;

  Conn k(port());
  ASSERT_TRUE(k.Send("GET /test/hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto first = k.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->Header("connection"), "keep-alive");
  ASSERT_TRUE(k.Send("GET /test/hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(k.Read());
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequestThenRefuses) {
  StartServer();
  EXPECT_EQ(readiness_.state(), Readiness::State::kServing);
  Conn idle(port());
  ASSERT_TRUE(idle.Send(Get("/test/hello")));
  ASSERT_TRUE(idle.Read());

  Conn busy(port());
  ASSERT_TRUE(busy.Send(Get("/test/slow")));
  ASSERT_EQ(slow_entered_.get_future().wait_for(kSocketTimeout), std::future_status::ready);

  server_->Stop();
  EXPECT_EQ(readiness_.state(), Readiness::State::kDraining);
  slow_release_.set_value();

  auto res = busy.Read();
  ASSERT_TRUE(res) << "the in-flight request is answered";
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"slow":true})");
  EXPECT_EQ(res->Header("connection"), "close");
  EXPECT_TRUE(busy.ReadUntilClosed());
  EXPECT_TRUE(idle.ReadUntilClosed()) << "idle keep-alive connections are closed";

  server_->Wait();
  Conn late(port());
  EXPECT_FALSE(late.connected());
  EXPECT_EQ(late.connect_errno(), ECONNREFUSED);
}

TEST_F(ServerTest, DrainTimeoutStopsRegardless) {
  ServerOptions o = SmallOptions();
  o.read_timeout = 30s;  // so only the drain timeout can end the stuck request
  o.drain_timeout = 200ms;
  StartServer(o);
  Conn stuck(port());
  ASSERT_TRUE(stuck.Send("GET /test/hello HTTP/1.1\r\nHost: x\r\n"));  // head never ends
  // Wait until the server is reading it (the in-flight gauge counts a
  // request from its first byte), so Stop() finds a busy connection, which
  // only the drain deadline can end.
  bool busy = false;
  for (int i = 0; i < 500 && !busy; ++i) {
    busy = metrics_.RenderText().find("plinth_http_in_flight_requests 1\n") != std::string::npos;
    if (!busy) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(busy);
  auto begin = std::chrono::steady_clock::now();
  server_->Stop();
  server_->Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
  EXPECT_TRUE(stuck.ReadUntilClosed());
  server_.reset();
}

TEST_F(ServerTest, ExcessConnectionsAreClosedAtAccept) {
  ServerOptions o = SmallOptions();
  o.max_connections = 2;
  o.read_timeout = 5s;
  StartServer(o);
  Conn a(port());
  Conn b(port());
  ASSERT_TRUE(a.Send(Get("/test/hello")));
  ASSERT_TRUE(b.Send(Get("/test/hello")));
  ASSERT_TRUE(a.Read());
  ASSERT_TRUE(b.Read());
  Conn c(port());
  ASSERT_TRUE(c.connected());  // the kernel accepts; Plinth closes at once
  std::string seen;
  EXPECT_TRUE(c.ReadUntilClosed(&seen));
  EXPECT_TRUE(seen.empty());
}

TEST_F(ServerTest, StartFailsClearlyWhenThePortIsTaken) {
  StartServer();
  ServerOptions o = SmallOptions();
  o.port = port();
  Server second(
      o, [](Request&) { return Response::Empty(204); }, &logger_);
  base::Status st = second.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot listen on 127.0.0.1:" + std::to_string(port())),
            std::string::npos)
      << st.ToString();
  EXPECT_NE(st.message().find("in use"), std::string::npos) << st.ToString();
}

TEST_F(ServerTest, StartFailsOnAnUnresolvableHost) {
  ServerOptions o = SmallOptions();
  o.host = "no-such-host.invalid";
  Server s(
      o, [](Request&) { return Response::Empty(204); }, &logger_);
  EXPECT_FALSE(s.Start().ok());
}

}  // namespace
}  // namespace plinth::http
