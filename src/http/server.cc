// Beast translation unit 3 of 3 (DECISIONS 19): the I/O threads and the
// Server lifecycle (start, graceful drain, hard stop).

#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "http/server_internal.h"

namespace plinth::http {

namespace asio = boost::asio;

namespace {

// One I/O thread and what it owns. Member order is destruction order in
// reverse: the listener (an acceptor) goes before its io_context, and the
// io_context (whose destruction destroys suspended session coroutines) goes
// before the SessionSet those sessions unregister from.
struct Worker {
  std::unique_ptr<internal::SessionSet> sessions = internal::SessionSet::Create();
  // Hint 1: exactly one thread runs it (posting from others stays safe).
  asio::io_context io{1};
  std::unique_ptr<internal::Listener> listener;
  std::thread thread;
};

}  // namespace

struct Server::Impl {
  internal::ServerState state;
  Readiness* readiness = nullptr;
  std::uint16_t port = 0;

  // Guards everything below; the condition variable signals thread exits
  // and Stop().
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<Worker>> workers;
  bool started = false;
  bool stop_requested = false;
  bool joined = false;
  int exited = 0;
  std::chrono::steady_clock::time_point drain_deadline;

  void RunThread(Worker* w) {
    // Handlers and sessions catch their own exceptions; this keeps a stray
    // one from killing the process and lets the loop carry on.
    for (;;) {
      try {
        w->io.run();
        break;
      } catch (const std::exception& e) {
        state.logger->Error("I/O thread caught an exception", {{"error", e.what()}});
      } catch (...) {
        state.logger->Error("I/O thread caught an exception", {{"error", "unknown"}});
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    ++exited;
    cv.notify_all();
  }
};

Server::Server(ServerOptions options, Handler handler, base::Logger* logger, ServerHooks hooks)
    : impl_(std::make_unique<Impl>()) {
  impl_->state.options = std::move(options);
  impl_->state.handler = std::move(handler);
  impl_->state.logger = logger != nullptr ? logger : base::NullLogger();
  impl_->state.metrics = hooks.metrics;
  impl_->state.clock = hooks.clock != nullptr ? hooks.clock : base::SystemClock::Default();
  impl_->state.random = hooks.random != nullptr ? hooks.random : base::SystemRandom::Default();
  impl_->readiness = hooks.readiness;
}

Server::~Server() {
  Stop();
  Wait();
}

base::Status Server::Start() {
  Impl& s = *impl_;
  const ServerOptions& o = s.state.options;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.started || s.stop_requested) {
      return {base::ErrorCode::kInternal, "Server::Start called twice or after Stop"};
    }
  }
  if (o.io_threads < 1) return {base::ErrorCode::kInvalidConfig, "io_threads must be at least 1"};
  if (o.max_connections < 1) {
    return {base::ErrorCode::kInvalidConfig, "max_connections must be at least 1"};
  }
  base::Result<std::string> address = internal::ResolveListenAddress(o.host);
  if (!address.ok()) return address.status();
  if (o.port != 0) PLINTH_RETURN_IF_ERROR(internal::CheckPortFree(*address, o.port));

  std::vector<std::unique_ptr<Worker>> workers;
  std::uint16_t port = o.port;
  for (int i = 0; i < o.io_threads; ++i) {
    auto w = std::make_unique<Worker>();
    // The first acceptor may pick the port (port 0); the others join it.
    auto listener = internal::Listener::Open(w->io, *address, port, &s.state, w->sessions.get());
    if (!listener.ok()) return listener.status();  // workers not started: nothing to stop
    w->listener = std::move(listener).value();
    port = w->listener->port();
    workers.push_back(std::move(w));
  }
  // Accept loops are spawned only once every bind succeeded; they start
  // running with the threads below.
  for (auto& w : workers) w->listener->StartAccepting();

  std::lock_guard<std::mutex> lock(s.mu);
  s.port = port;
  s.workers = std::move(workers);
  s.started = true;
  if (s.readiness != nullptr) s.readiness->MarkServing();
  for (auto& w : s.workers) {
    Worker* raw = w.get();
    w->thread = std::thread([this, raw] { impl_->RunThread(raw); });
  }
  s.state.logger->Info(
      "http server listening",
      {{"address", *address}, {"port", static_cast<int>(port)}, {"io_threads", o.io_threads}});
  return base::Status::Ok();
}

void Server::Stop() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.stop_requested) return;
  s.stop_requested = true;
  s.cv.notify_all();
  if (!s.started) return;
  s.drain_deadline = std::chrono::steady_clock::now() + s.state.options.drain_timeout;
  s.state.draining.store(true, std::memory_order_release);
  if (s.readiness != nullptr) s.readiness->MarkDraining();
  // Posted under the lock so Wait() cannot tear the workers down meanwhile.
  for (auto& w : s.workers) {
    Worker* raw = w.get();
    asio::post(raw->io, [raw] {
      raw->listener->Close();
      raw->sessions->CloseIdle();
    });
  }
  s.state.logger->Info(
      "http server draining",
      {{"drain_timeout_ms", static_cast<std::int64_t>(s.state.options.drain_timeout.count())}});
}

void Server::Wait() {
  Impl& s = *impl_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (!s.started || s.joined) return;
  const int n = static_cast<int>(s.workers.size());
  s.cv.wait(lock, [&] { return s.exited == n || s.stop_requested; });
  if (s.exited != n && !s.cv.wait_until(lock, s.drain_deadline, [&] { return s.exited == n; })) {
    s.state.logger->Warn("http server drain timed out; stopping with requests in progress",
                         {{"connections", s.state.connections.load()}});
    for (auto& w : s.workers) w->io.stop();
  }
  s.joined = true;
  lock.unlock();
  for (auto& w : s.workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  // Destroying the io_contexts destroys whatever sessions a hard stop left
  // behind, closing their sockets.
  lock.lock();
  s.workers.clear();
  s.state.logger->Info("http server stopped");
}

std::uint16_t Server::port() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->port;
}

}  // namespace plinth::http
