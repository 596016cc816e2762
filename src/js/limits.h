#pragma once

#include <chrono>
#include <cstddef>

namespace plinth::js {

// The bounds one JavaScript call runs under, and the pool's own bounds. Every
// field is named in docs/functions.md with its default; the server reads them
// from plinth.json later. Plain value type; thread-compatible. An Engine copies
// its Limits at construction.
struct Limits {
  // Wall-clock time of one call, nested calls included, from the moment a JS
  // thread starts it. App Services allows 300 s; 60 s keeps a stuck function
  // from holding a JS thread for five minutes. Exceeding it is
  // ExecutionTimeLimitExceeded.
  std::chrono::milliseconds time_limit{60'000};
  // Memory one call may add, in bytes (App Services: 350 MB). Measured in the
  // interrupt callback as the growth of the engine's GC heap and of the
  // process's resident set since the call started (SpiderMonkey's GC cap
  // does not count array elements, ArrayBuffers or string characters, see
  // docs/functions.md). Exceeding it is FunctionExecutionError "...memory
  // limit...".
  std::size_t memory_limit_bytes = 350u * 1024 * 1024;
  // Process-wide backstop: when the resident set of the whole process passes
  // this, every running call is stopped with the memory-limit error.
  // 0 disables it.
  std::size_t process_memory_limit_bytes = 4096u * 1024 * 1024;
  // How often the watchdog asks running calls to check their time and memory.
  std::chrono::milliseconds watchdog_interval{10};
  // Native stack of each JS thread, and the part of it JavaScript may use:
  // recursion deeper than the quota is "InternalError: too much recursion"
  // (a FunctionExecutionError), never a crash. The rest is headroom for
  // natives, conversion and sanitizer frames.
  std::size_t thread_stack_bytes = 16u * 1024 * 1024;
  std::size_t js_stack_quota_bytes = 6u * 1024 * 1024;
  // context.functions.execute nesting (DECISIONS 12): a call chain deeper
  // than this fails with FunctionExecutionError instead of exhausting the
  // native stack.
  std::size_t max_nesting_depth = 16;
  // Encoded BSON size of all arguments of one call (App Services: 18 MB for
  // a whole request), checked before the call is queued.
  std::size_t max_argument_bytes = 18u * 1024 * 1024;
  // Size of one result (BSON-encoded estimate, counted while converting so a
  // huge value is refused before it is copied out) and of each value passing
  // through a host call. MongoDB's document size.
  std::size_t max_result_bytes = 16u * 1024 * 1024;
  // Nesting of documents and arrays crossing the boundary either way
  // (doc::Limits: MongoDB's 100).
  std::size_t max_value_depth = 100;
  // Text captured from console.* per call; past it, one "log truncated"
  // line is kept and the rest dropped.
  std::size_t max_log_bytes = 1024 * 1024;
  // JS threads, each owning one SpiderMonkey context for its whole life.
  std::size_t threads = 2;
  // Nice value a JS thread takes while a call has been computing for
  // `nice_after` or longer: CPU-bound functions then yield the cores to the
  // I/O threads, so token refreshes and other short requests keep their
  // latency while every JS thread spins, and short calls still run at full
  // priority (niced for good, every hand-off to a JS thread cost a fifth of
  // functions/call throughput; docs/performance.md). The thread returns to
  // its own priority when the call ends; where the process may not raise a
  // priority again (no CAP_SYS_NICE, RLIMIT_NICE 0), it stays niced after
  // its first long call. 0 = never niced.
  int thread_nice = 10;
  // Checked at each watchdog tick, so a call is niced between `nice_after`
  // and `nice_after + watchdog_interval` after it started.
  std::chrono::milliseconds nice_after{10};
  // Calls waiting for a JS thread; one more is refused at once with
  // TooManyRequests.
  std::size_t max_queued_calls = 1000;
  // The per-thread cache of compiled scripts; past it the cache is emptied
  // and refilled on demand.
  std::size_t max_cached_scripts = 1000;
};

}  // namespace plinth::js
