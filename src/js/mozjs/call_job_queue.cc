#include "js/mozjs/call_job_queue.h"

#include <js/GCVector.h>
#include <jsapi.h>

namespace plinth::js::mozjs {

void CallJobQueue::Open(JSContext* cx, JS::Realm* realm) {
  queues_.push_back(Queue{realm, std::make_unique<JS::PersistentRootedObjectVector>(cx), 0});
}

void CallJobQueue::Close() { queues_.pop_back(); }

bool CallJobQueue::Drain(JSContext* cx) {
  if (queues_.empty()) return true;
  Queue& q = queues_.back();
  JS::RootedObject job(cx);
  JS::RootedValue rval(cx);
  while (q.next < q.jobs->length()) {
    job = (*q.jobs)[q.next++];
    JSAutoRealm ar(cx, job);
    if (!JS::Call(cx, JS::UndefinedHandleValue, job, JS::HandleValueArray::empty(), &rval)) {
      if (!JS_IsExceptionPending(cx)) {
        q.jobs->clear();
        q.next = 0;
        return false;  // terminated
      }
      // A reaction job reports its own errors by rejecting; anything that
      // still escapes is dropped, as an unhandled error would be.
      JS_ClearPendingException(cx);
    }
  }
  q.jobs->clear();
  q.next = 0;
  return true;
}

JSObject* CallJobQueue::getIncumbentGlobal(JSContext* cx) { return JS::CurrentGlobalOrNull(cx); }

bool CallJobQueue::enqueuePromiseJob(JSContext* cx, JS::HandleObject, JS::HandleObject job,
                                     JS::HandleObject, JS::HandleObject) {
  if (queues_.empty()) return true;  // no call running: nothing can await it
  JS::Realm* realm = JS::GetCurrentRealmOrNull(cx);
  for (auto it = queues_.rbegin(); it != queues_.rend(); ++it) {
    if (it->realm == realm) {
      if (!it->jobs->append(job)) {
        JS_ReportOutOfMemory(cx);
        return false;
      }
      return true;
    }
  }
  if (!queues_.back().jobs->append(job)) {
    JS_ReportOutOfMemory(cx);
    return false;
  }
  return true;
}

void CallJobQueue::runJobs(JSContext* cx) { Drain(cx); }

bool CallJobQueue::empty() const {
  for (const Queue& q : queues_) {
    if (q.next < q.jobs->length()) return false;
  }
  return true;
}

::js::UniquePtr<JS::JobQueue::SavedJobQueue> CallJobQueue::saveJobQueue(JSContext*) {
  // Only the debugger saves queues, and Plinth never attaches one.
  return ::js::MakeUnique<SavedJobQueue>();
}

}  // namespace plinth::js::mozjs
