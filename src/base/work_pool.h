#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace plinth::base {

// WorkPool is a fixed set of threads running queued tasks, with a bounded
// queue: work that would overflow it is refused at once instead of piling
// up, so a burst (of logins, say) gets fast errors rather than unbounded
// latency and memory. Password hashing runs on one (ARCHITECTURE
// "Threading"): about 13 ms of CPU each, it must never run on an I/O thread.
//
// Thread-safety: TrySubmit from any thread. The destructor (or Shutdown)
// runs every task already queued, then joins the threads; tasks submitted
// after that are refused. Tasks must not throw (the pool terminates).
class WorkPool {
 public:
  // REQUIRES: threads >= 1. `max_queued` counts tasks waiting, not running.
  // `nice` > 0 lowers the threads' scheduling priority (Linux per-thread
  // nice value), so CPU-bound work yields to the I/O threads: a login storm
  // then costs token refreshes queueing on the pool, not scheduler slices.
  WorkPool(std::size_t threads, std::size_t max_queued, int nice = 0);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`; false (task dropped, not run) when the queue is full or
  // the pool is shutting down.
  bool TrySubmit(std::function<void()> task);

  // Finishes queued work and joins. Idempotent.
  void Shutdown();

  std::size_t thread_count() const { return threads_.size(); }
  // Tasks waiting right now (for metrics and tests).
  std::size_t queued() const;

 private:
  void Loop(int nice);

  const std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace plinth::base
