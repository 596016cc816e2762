#pragma once

#include <js/Promise.h>
#include <js/TypeDecls.h>

#include <memory>
#include <vector>

namespace plinth::js::mozjs {

// CallJobQueue is the promise job (microtask) queue of one JSContext, kept
// per call: a job goes to the queue of the call whose realm enqueued it, and
// a call drains only its own jobs. So a nested call (context.functions.execute
// running inline, DECISIONS 12) can await its own promises while the outer
// call's continuations wait, as run-to-completion requires. SpiderMonkey's
// internal queue cannot do that: it refuses to drain re-entrantly.
//
// Thread-safety: the owning JS thread only. Owned by its JsThread; it must
// outlive the context (JS::SetJobQueue does not take ownership).
class CallJobQueue final : public JS::JobQueue {
 public:
  // Opens the queue of a call whose global is in `realm`; closes it (and
  // drops its remaining jobs) in LIFO order.
  void Open(JSContext* cx, JS::Realm* realm);
  void Close();

  // Runs the innermost call's jobs until none are left. false: a job was
  // terminated (time or memory limit), the rest are dropped.
  bool Drain(JSContext* cx);

  JSObject* getIncumbentGlobal(JSContext* cx) override;
  bool enqueuePromiseJob(JSContext* cx, JS::HandleObject promise, JS::HandleObject job,
                         JS::HandleObject allocationSite,
                         JS::HandleObject incumbentGlobal) override;
  void runJobs(JSContext* cx) override;
  bool empty() const override;

 private:
  ::js::UniquePtr<SavedJobQueue> saveJobQueue(JSContext* cx) override;

  struct Queue {
    JS::Realm* realm;
    std::unique_ptr<JS::PersistentRootedObjectVector> jobs;
    std::size_t next = 0;
  };
  std::vector<Queue> queues_;
};

}  // namespace plinth::js::mozjs
