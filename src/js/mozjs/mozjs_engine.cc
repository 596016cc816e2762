#include "js/mozjs/mozjs_engine.h"

#include <pthread.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "doc/limits.h"
#include "js/mozjs/js_thread.h"
#include "js/mozjs/shared_state.h"

namespace plinth::js::mozjs {
namespace {

using base::ErrorCode;
using base::Status;

class MozJsEngine final : public Engine {
 public:
  MozJsEngine(const Limits& limits, const base::Clock* clock, base::Random* random) {
    shared_.limits = limits;
    if (shared_.limits.threads == 0) shared_.limits.threads = 1;
    shared_.clock = clock != nullptr ? clock : base::SystemClock::Default();
    shared_.random = random != nullptr ? random : base::SystemRandom::Default();
    shared_.random->Fill(shared_.oid_process.data(), shared_.oid_process.size());
    std::uint32_t counter = 0;
    shared_.random->Fill(&counter, sizeof(counter));
    shared_.oid_counter.store(counter);
    shared_.rss_bytes.store(ReadResidentBytes());
  }

  ~MozJsEngine() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    work_.notify_all();
    for (auto& worker : workers_) {
      if (worker->started) pthread_join(worker->handle, nullptr);
    }
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      watch_stop_ = true;
    }
    watch_wake_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
  }

  base::Status Start() {
    watchdog_ = std::thread([this] { WatchLoop(); });
    // One thread at a time: the first fills the self-hosted code cache that
    // lets the others start in about 1 ms.
    for (std::size_t i = 0; i < shared_.limits.threads; ++i) {
      auto worker = std::make_unique<Worker>();
      worker->engine = this;
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setstacksize(&attr, shared_.limits.thread_stack_bytes);
      int rc = pthread_create(&worker->handle, &attr, &MozJsEngine::ThreadMain, worker.get());
      pthread_attr_destroy(&attr);
      if (rc != 0) return Status(ErrorCode::kInternal, "cannot start a JS thread");
      worker->started = true;
      Worker* raw = worker.get();
      {
        std::lock_guard<std::mutex> list_lock(list_mu_);
        workers_.push_back(std::move(worker));
      }
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [raw] { return raw->ready; });
      if (!raw->init_status.ok()) return raw->init_status;
    }
    return Status::Ok();
  }

  base::Status Submit(CallRequest request, Done done) override {
    if (!request.script) return base::BadValue("no function to call");
    const Limits& limits = shared_.limits;
    if (doc::Depth(doc::Value(request.arguments)) > limits.max_value_depth) {
      return Status(ErrorCode::kDepthLimitExceeded, "function arguments nested deeper than " +
                                                        std::to_string(limits.max_value_depth) +
                                                        " levels");
    }
    if (doc::BsonSize(request.arguments) > limits.max_argument_bytes) {
      return Status(
          ErrorCode::kSizeLimitExceeded,
          "function arguments larger than " + std::to_string(limits.max_argument_bytes) + " bytes");
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_)
        return Status(ErrorCode::kUnavailable, "the JavaScript engine is shutting down");
      if (queue_.size() >= limits.max_queued_calls) {
        return Status(ErrorCode::kTooManyRequests, "too many function calls waiting (" +
                                                       std::to_string(limits.max_queued_calls) +
                                                       "); try again later");
      }
      queue_.push_back(Pending{std::move(request), std::move(done)});
    }
    work_.notify_one();
    return Status::Ok();
  }

  CallResult CallNested(const CallRequest& request) override {
    JsThread* thread = JsThread::Current();
    if (thread == nullptr || thread->top_frame() == nullptr) {
      CallResult result;
      result.status = Status(ErrorCode::kInternal, "CallNested outside a running JS call");
      return result;
    }
    if (!request.script) {
      CallResult result;
      result.status = base::BadValue("no function to call");
      return result;
    }
    return thread->RunNested(request);
  }

  bool InCall() const override {
    JsThread* thread = JsThread::Current();
    return thread != nullptr && thread->top_frame() != nullptr;
  }

  void InvalidateScripts() override { shared_.script_generation.fetch_add(1); }

  const Limits& limits() const override { return shared_.limits; }

 private:
  struct Pending {
    CallRequest request;
    Done done;
  };
  struct Worker {
    MozJsEngine* engine = nullptr;
    pthread_t handle{};
    bool started = false;
    bool ready = false;          // guarded by engine->mu_
    base::Status init_status;    // guarded by engine->mu_
    JsThread* thread = nullptr;  // guarded by engine->watch_mu_
  };

  static void* ThreadMain(void* arg) {
    auto* worker = static_cast<Worker*>(arg);
    worker->engine->WorkLoop(worker);
    return nullptr;
  }

  void WorkLoop(Worker* worker) {
    JsThread thread(&shared_);
    base::Status status = thread.Init();
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      if (status.ok()) worker->thread = &thread;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      worker->init_status = status;
      worker->ready = true;
    }
    ready_.notify_all();
    if (status.ok()) {
      for (;;) {
        Pending next;
        {
          std::unique_lock<std::mutex> lock(mu_);
          work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
          if (queue_.empty()) break;  // stopping, queue drained
          next = std::move(queue_.front());
          queue_.pop_front();
        }
        CallResult result = thread.Run(next.request);
        if (next.done) next.done(std::move(result));
      }
    }
    std::lock_guard<std::mutex> lock(watch_mu_);
    worker->thread = nullptr;
  }

  void WatchLoop() {
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!watch_stop_) {
      watch_wake_.wait_for(lock, shared_.limits.watchdog_interval);
      if (watch_stop_) break;
      shared_.rss_bytes.store(ReadResidentBytes(), std::memory_order_relaxed);
      for (auto& worker : workers_snapshot()) {
        if (worker->thread != nullptr) worker->thread->RequestInterrupt();
      }
    }
  }

  // The watchdog reads the worker list while Start may still be appending.
  std::vector<Worker*> workers_snapshot() {
    std::vector<Worker*> out;
    std::lock_guard<std::mutex> lock(list_mu_);
    for (auto& w : workers_) out.push_back(w.get());
    return out;
  }

  SharedState shared_;

  std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable ready_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_

  std::mutex list_mu_;  // guards workers_ growth against the watchdog
  std::vector<std::unique_ptr<Worker>> workers_;

  std::mutex watch_mu_;
  std::condition_variable watch_wake_;
  bool watch_stop_ = false;  // guarded by watch_mu_
  std::thread watchdog_;
};

}  // namespace

base::Result<std::unique_ptr<Engine>> CreateEngine(const Limits& limits, const base::Clock* clock,
                                                   base::Random* random) {
  auto engine = std::make_unique<MozJsEngine>(limits, clock, random);
  PLINTH_RETURN_IF_ERROR(engine->Start());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace plinth::js::mozjs
