#pragma once

#include <functional>
#include <future>

#include "base/status.h"
#include "js/call.h"
#include "js/limits.h"

namespace plinth::js {

// Engine is the process-wide JavaScript runtime seam: a bounded pool of JS
// threads that run App Services functions. The concrete engine
// (js/mozjs/: SpiderMonkey 102) is named only by server/.
//
// Contract for every implementation:
// - A call never runs on the caller's thread: callers are HTTP I/O threads.
// - Calls wait in a bounded queue; a full queue refuses at once.
// - A call never sees globals another call set (DECISIONS 11): how an engine
//   guarantees it is its own business (js/mozjs: a long-lived realm per
//   function, its source's top level run afresh per call, the global reset
//   after each call).
// - Limits (js/limits.h) bound each call; after any failure the JS thread
//   serves the next call normally.
//
// Thread-safety: Submit, Call and InvalidateScripts from any thread.
// CallNested only on a JS thread, from inside Host::Invoke of a running call.
// Destruction finishes the queued calls, then joins the threads; no call may
// be submitted concurrently with it.
class Engine {
 public:
  using Done = std::function<void(CallResult)>;

  virtual ~Engine() = default;

  // Queues `request`; `done` runs on the JS thread when it finishes (keep it
  // short: post the result back to the caller's executor). Returns
  // kTooManyRequests without queuing when the queue is full (then `done` is
  // never called), or an argument-limit error.
  virtual base::Status Submit(CallRequest request, Done done) = 0;

  // Submit, completing a future instead; a refused call is a ready future
  // with the error.
  std::future<CallResult> Call(CallRequest request);

  // Runs `request` inline on the current JS thread, inside the call that is
  // now in Host::Invoke (context.functions.execute, %function in rules). It
  // shares the outer call's deadline, memory budget and log, is isolated
  // from the outer call like any other call, and fails with
  // kFunctionExecutionError past
  // Limits::max_nesting_depth. Returns kInternal off a JS thread.
  virtual CallResult CallNested(const CallRequest& request) = 0;

  // Whether the current thread is a JS thread inside a running call, i.e.
  // whether CallNested may be used here. Code reached both from JS (a host
  // call) and from elsewhere (a %function rule) chooses with it between
  // CallNested and a blocking Call.
  virtual bool InCall() const = 0;

  // Forgets every compiled script on every JS thread (lazily, before each
  // thread's next call): a new app config version is live.
  virtual void InvalidateScripts() = 0;

  virtual const Limits& limits() const = 0;
};

}  // namespace plinth::js
