#pragma once

#include <js/experimental/JSStencil.h>
#include <jsapi.h>
#include <mozilla/RefPtr.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "js/call.h"
#include "js/mozjs/call_job_queue.h"
#include "js/mozjs/shared_state.h"

namespace plinth::js::mozjs {

// Why a running call was stopped from outside the JS code.
enum class KillReason : int { kNone = 0, kTime, kMemory };

// One running (possibly nested) call on a JsThread: its realm, host, log and
// the prelude's internal object. Lives on the JsThread's C++ stack for the
// duration of the call; natives find the innermost one through the thread.
struct CallFrame {
  CallFrame(JSContext* cx, JS::Realm* call_realm, Host* call_host, std::vector<LogEntry>* call_log)
      : realm(call_realm), host(call_host), log(call_log), internals(cx) {}
  JS::Realm* realm;
  Host* host;
  std::vector<LogEntry>* log;  // the outermost call's log: nested calls log there too
  JS::PersistentRootedObject internals;
};

// A function's realm on one JS thread (DECISIONS 11): a global in the
// thread's shared zone holding the prelude, and the function source compiled
// as the body of a function of (exports, module). Reused by every call of
// that function on this thread; a call runs the body afresh (so top-level
// bindings are per call), gets a fresh `context`, and the prelude's reset()
// restores the global afterwards. A realm in use by a call is `in_use`; a
// re-entrant call of the same function gets a second realm.
struct FunctionRealm {
  explicit FunctionRealm(JSContext* cx)
      : global(cx), internals(cx), body(cx), baseline_ids(cx), baseline_properties(cx) {}
  JS::PersistentRootedObject global;
  JS::PersistentRootedObject internals;  // the prelude's completion value
  JS::PersistentRootedObject body;       // the compiled source
  // The global's own properties, in order, as reset()'s snapshot found
  // them: after a call that left them as they were (almost every call), the
  // check against these spares reset(), which was most of a trivial call.
  JS::PersistentRootedIdVector baseline_ids;
  JS::PersistentRootedVector<JS::PropertyDescriptor> baseline_properties;
  JS::Realm* realm = nullptr;
  bool in_use = false;
};

// JsThread is one JS thread's engine state: ONE SpiderMonkey context, created
// on this thread and destroyed on it, with its compiled prelude, the realms
// of the functions it has run (its compile cache), its promise job queue, and
// the limit checks of the call it is running.
//
// Thread-safety: everything except RequestInterrupt runs on the owning
// thread only. RequestInterrupt may be called from the watchdog thread.
class JsThread {
 public:
  explicit JsThread(SharedState* shared);
  ~JsThread();  // REQUIRES: on the creating thread, no call running
  JsThread(const JsThread&) = delete;
  JsThread& operator=(const JsThread&) = delete;

  // Creates the context (self-hosted code from the process cache), the
  // anchor global and the prelude stencil. Not OK: the thread cannot run JS.
  base::Status Init();

  // Runs one outermost call under the limits.
  CallResult Run(const CallRequest& request);
  // Runs a call inline inside the running one (Engine::CallNested).
  CallResult RunNested(const CallRequest& request);

  // Watchdog: asks the running call, if any, to check its limits soon.
  void RequestInterrupt();

  // For natives and the interrupt callback (owning thread only).
  CallFrame* top_frame() { return frames_.empty() ? nullptr : frames_.back(); }
  bool killed() const { return kill_.load(std::memory_order_relaxed) != KillReason::kNone; }
  bool CheckLimits();  // false: stop the running JS now
  SharedState* shared() { return shared_; }
  void AppendLog(LogEntry::Level level, std::string text);

  // The JS thread the caller is on, or nullptr.
  static JsThread* Current();

 private:
  CallResult RunFrame(const CallRequest& request);
  base::Status Execute(const CallRequest& request, FunctionRealm& realm, CallFrame& frame,
                       doc::Value* out);
  // A free realm for `script`, compiled and set up; kFunctionExecutionError
  // for a syntax error.
  base::Result<FunctionRealm*> AcquireRealm(const Script& script);
  base::Status SetUpRealm(const Script& script, FunctionRealm* realm);
  void DiscardRealm(const Script& script, FunctionRealm* realm);
  JSObject* NewGlobal();
  // The status for a failed JS operation: a kill, an OOM, the pending
  // exception described, or an unexplained termination.
  base::Status Failure();
  base::Status KillStatus() const;
  std::string DescribeException(JS::HandleValue exception);

  SharedState* const shared_;
  JSContext* cx_ = nullptr;
  std::mutex cx_mu_;  // guards cx_ against the watchdog during destruction
  std::unique_ptr<CallJobQueue> jobs_;
  std::unique_ptr<JS::PersistentRootedObject> anchor_;
  RefPtr<JS::Stencil> prelude_;

  struct Compiled {
    std::shared_ptr<const Script> script;
    std::vector<std::unique_ptr<FunctionRealm>> realms;
  };
  std::unordered_map<std::string, Compiled> cache_;
  std::uint64_t cache_generation_ = 0;

  // Whether `realm`'s global has exactly its baseline properties (the
  // per-call `context` aside). False also when it cannot tell.
  bool GlobalUnchanged(const FunctionRealm& realm);
  bool TakeBaseline(FunctionRealm* realm);
  jsid context_id_{};  // "context", a pinned atom

  std::vector<CallFrame*> frames_;
  std::vector<LogEntry>* outer_log_ = nullptr;
  std::size_t log_bytes_ = 0;
  bool log_truncated_ = false;

  // The limits of the outermost call; atomics because the watchdog reads
  // armed_ and may set kill_.
  std::atomic<bool> armed_{false};
  std::atomic<KillReason> kill_{KillReason::kNone};
  std::chrono::steady_clock::time_point deadline_{};
  std::size_t rss_start_ = 0;
  std::size_t gc_start_ = 0;
  // Long calls run niced (Limits::thread_nice); only this thread touches
  // these.
  std::chrono::steady_clock::time_point nice_at_{};
  int own_nice_ = 0;
  bool niced_ = false;
  bool stays_niced_ = false;  // the priority could not be raised again
};

}  // namespace plinth::js::mozjs
