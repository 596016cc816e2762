#include "js/mozjs/js_thread.h"

#include <js/BuildId.h>
#include <js/CompilationAndEvaluation.h>
#include <js/Conversions.h>
#include <js/ErrorReport.h>
#include <js/Exception.h>
#include <js/GlobalObject.h>
#include <js/Initialization.h>
#include <js/Interrupt.h>
#include <js/Promise.h>
#include <js/PropertyAndElement.h>
#include <js/Realm.h>
#include <js/RealmOptions.h>
#include <js/SourceText.h>
#include <js/Stack.h>
#include <js/String.h>
#include <js/Warnings.h>
#include <jsfriendapi.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>

#include "doc/ejson.h"
#include "doc/limits.h"
#include "js/mozjs/convert.h"
#include "js/mozjs/natives.h"
#include "js/mozjs/prelude.h"

namespace plinth::js::mozjs {
namespace {

using base::ErrorCode;
using base::Status;

thread_local JsThread* tls_thread = nullptr;

const JSClass kGlobalClass = {
    "global", JSCLASS_GLOBAL_FLAGS, &JS::DefaultGlobalClassOps, nullptr, nullptr, nullptr};

// Process-wide engine start (BUILD-NOTES "threading rules"): JS_Init once,
// before any context. JS_Init cannot run again after JS_ShutDown, so engines
// may come and go and JS_ShutDown runs only at exit, when no context is left
// (without it, libmozjs's static mutexes fail in their destructors while its
// helper threads still hold them).
std::once_flag g_init_once;
bool g_init_ok = false;
std::atomic<int> g_live_contexts{0};

void ShutDownAtExit() {
  if (g_live_contexts.load() == 0) JS_ShutDown();
}

// The self-hosted code cache (BUILD-NOTES: ~270 KB of XDR; a context starts
// in ~1 ms with it instead of ~8-11 ms). Written by the first context,
// read by every later one.
std::mutex g_self_hosted_mu;
std::vector<std::uint8_t>* g_self_hosted = nullptr;  // leaked on purpose: process lifetime

bool BuildId(JS::BuildIdCharVector* id) {
  // Only needs to identify this library build for the XDR cache, which never
  // leaves the process.
  static constexpr char kId[] = "plinth-mozjs-102";
  return id->append(kId, sizeof(kId) - 1);
}

bool WriteSelfHosted(JSContext*, JS::SelfHostedCache cache) {
  std::lock_guard<std::mutex> lock(g_self_hosted_mu);
  if (g_self_hosted == nullptr) {
    g_self_hosted = new std::vector<std::uint8_t>(cache.begin(), cache.end());
  }
  return true;
}

bool InitSelfHosted(JSContext* cx) {
  std::vector<std::uint8_t>* cache = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_self_hosted_mu);
    cache = g_self_hosted;
  }
  if (cache != nullptr) {
    return JS::InitSelfHostedCode(cx, JS::SelfHostedCache(cache->data(), cache->size()));
  }
  return JS::InitSelfHostedCode(cx, nullptr, WriteSelfHosted);
}

bool InterruptCallback(JSContext* cx) {
  auto* thread = static_cast<JsThread*>(JS_GetContextPrivate(cx));
  return thread == nullptr || thread->CheckLimits();
}

// Warnings (e.g. "unreachable code") are not errors; keep them off stderr.
void IgnoreWarning(JSContext*, JSErrorReport*) {}

std::string MegaBytes(std::size_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MB"; }

bool GetStringProperty(JSContext* cx, JS::HandleObject obj, const char* name, std::string* out) {
  JS::RootedValue v(cx);
  if (!JS_GetProperty(cx, obj, name, &v) || !v.isString()) return false;
  return StringToUtf8(cx, v.toString(), out);
}

}  // namespace

std::size_t ReadResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

JsThread::JsThread(SharedState* shared) : shared_(shared) {}

JsThread::~JsThread() {
  if (tls_thread == this) tls_thread = nullptr;
  cache_.clear();  // the realms' roots go before the context
  prelude_ = nullptr;
  anchor_.reset();
  std::lock_guard<std::mutex> lock(cx_mu_);
  if (cx_ != nullptr) {
    JS_DestroyContext(cx_);
    cx_ = nullptr;
    g_live_contexts.fetch_sub(1);
  }
}

JsThread* JsThread::Current() { return tls_thread; }

base::Status JsThread::Init() {
  std::call_once(g_init_once, [] {
    JS::SetProcessBuildIdOp(BuildId);
    g_init_ok = JS_Init();
    if (g_init_ok) std::atexit(ShutDownAtExit);
  });
  if (!g_init_ok)
    return Status(ErrorCode::kInternal, "SpiderMonkey failed to initialise (JS_Init)");

  const Limits& limits = shared_->limits;
  // The GC heap cap is a second, coarser line behind the memory limit: it
  // stops floods of small objects with an uncatchable OOM (BUILD-NOTES).
  std::size_t gc_cap =
      std::min<std::size_t>(limits.memory_limit_bytes * 2 + (64u << 20), 0xFFFFFFFFu);
  JSContext* cx = JS_NewContext(static_cast<std::uint32_t>(gc_cap));
  if (cx == nullptr) return Status(ErrorCode::kInternal, "SpiderMonkey: JS_NewContext failed");
  g_live_contexts.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(cx_mu_);
    cx_ = cx;
  }
  JS_SetContextPrivate(cx_, this);
  JS_SetNativeStackQuota(cx_, limits.js_stack_quota_bytes);
  jobs_ = std::make_unique<CallJobQueue>();
  JS::SetJobQueue(cx_, jobs_.get());
  if (!InitSelfHosted(cx_))
    return Status(ErrorCode::kInternal, "SpiderMonkey: self-hosted code failed");
  JS_AddInterruptCallback(cx_, InterruptCallback);
  JS::SetWarningReporter(cx_, IgnoreWarning);

  JS::RealmOptions options;
  JSObject* anchor =
      JS_NewGlobalObject(cx_, &kGlobalClass, nullptr, JS::FireOnNewGlobalHook, options);
  if (anchor == nullptr) return Status(ErrorCode::kInternal, "SpiderMonkey: anchor global failed");
  anchor_ = std::make_unique<JS::PersistentRootedObject>(cx_, anchor);

  JSAutoRealm ar(cx_, *anchor_);
  std::string_view text = PreludeSource();
  JS::CompileOptions compile(cx_);
  compile.setFileAndLine("plinth-prelude.js", 1).setForceFullParse();
  JS::SourceText<mozilla::Utf8Unit> source;
  if (!source.init(cx_, text.data(), text.size(), JS::SourceOwnership::Borrowed)) {
    return Status(ErrorCode::kInternal, "SpiderMonkey: prelude source");
  }
  prelude_ = JS::CompileGlobalScriptToStencil(cx_, compile, source);
  if (!prelude_) {
    JS::RootedValue exception(cx_);
    std::string what = "unknown";
    if (JS_GetPendingException(cx_, &exception)) {
      JS_ClearPendingException(cx_);
      what = DescribeException(exception);
    }
    return Status(ErrorCode::kInternal, "SpiderMonkey: prelude does not compile: " + what);
  }
  cache_generation_ = shared_->script_generation.load();
  tls_thread = this;
  JSString* context_name = JS_AtomizeAndPinString(cx_, "context");
  if (context_name == nullptr) return Status(ErrorCode::kInternal, "cannot make a JS atom");
  context_id_ = JS::PropertyKey::fromPinnedString(context_name);
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  own_nice_ = errno == 0 ? nice : 0;
  return Status::Ok();
}

void JsThread::RequestInterrupt() {
  std::lock_guard<std::mutex> lock(cx_mu_);
  if (cx_ != nullptr && armed_.load(std::memory_order_acquire)) JS_RequestInterruptCallback(cx_);
}

bool JsThread::CheckLimits() {
  if (!armed_.load(std::memory_order_relaxed)) return true;
  if (killed()) return false;
  const Limits& limits = shared_->limits;
  const auto now = shared_->clock->SteadyNow();
  if (now >= deadline_) {
    kill_.store(KillReason::kTime);
    return false;
  }
  if (!niced_ && limits.thread_nice > 0 && now >= nice_at_) {
    // A thread id names one thread for setpriority on Linux; failing only
    // leaves the priority as it was.
    niced_ = ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), limits.thread_nice) == 0;
  }
  // Memory (DECISIONS 13): the engine's GC heap counter for this context,
  // plus the process resident set for what the GC heap does not count
  // (array elements, ArrayBuffer contents, string characters: malloc'd).
  std::size_t gc = JS_GetGCParameter(cx_, JSGC_BYTES);
  std::size_t rss = shared_->rss_bytes.load(std::memory_order_relaxed);
  bool over = gc > gc_start_ + limits.memory_limit_bytes ||
              (rss > rss_start_ && rss - rss_start_ > limits.memory_limit_bytes) ||
              (limits.process_memory_limit_bytes != 0 && rss > limits.process_memory_limit_bytes);
  if (over) {
    kill_.store(KillReason::kMemory);
    return false;
  }
  return true;
}

base::Status JsThread::KillStatus() const {
  const Limits& limits = shared_->limits;
  switch (kill_.load()) {
    case KillReason::kTime:
      return Status(ErrorCode::kExecutionTimeLimitExceeded,
                    "function execution time limit exceeded (" +
                        std::to_string(limits.time_limit.count()) + " ms)");
    case KillReason::kMemory:
      return Status(
          ErrorCode::kFunctionExecutionError,
          "function exceeded the memory limit (" + MegaBytes(limits.memory_limit_bytes) + ")");
    case KillReason::kNone:
      break;
  }
  return Status::Ok();
}

CallResult JsThread::Run(const CallRequest& request) {
  if (shared_->script_generation.load() != cache_generation_ ||
      cache_.size() > shared_->limits.max_cached_scripts) {
    cache_.clear();
    cache_generation_ = shared_->script_generation.load();
  }
  CallResult result;
  outer_log_ = &result.log;
  log_bytes_ = 0;
  log_truncated_ = false;
  kill_.store(KillReason::kNone);
  const auto started = shared_->clock->SteadyNow();
  deadline_ = started + shared_->limits.time_limit;
  nice_at_ = started + shared_->limits.nice_after;
  rss_start_ = shared_->rss_bytes.load();
  gc_start_ = JS_GetGCParameter(cx_, JSGC_BYTES);
  armed_.store(true, std::memory_order_release);

  CallResult inner = RunFrame(request);

  armed_.store(false, std::memory_order_release);
  if (niced_ && !stays_niced_) {
    // Raising a priority needs CAP_SYS_NICE or RLIMIT_NICE; without them
    // the thread keeps the nice value, as if niced from the start.
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), own_nice_) == 0) {
      niced_ = false;
    } else {
      stays_niced_ = true;
    }
  }
  result.status = std::move(inner.status);
  result.value = std::move(inner.value);
  outer_log_ = nullptr;
  bool memory_kill = kill_.load() == KillReason::kMemory;
  kill_.store(KillReason::kNone);
  // After a memory kill, collect at once so the memory goes back; otherwise
  // let the engine decide.
  if (memory_kill) {
    JS_GC(cx_);
  } else {
    JS_MaybeGC(cx_);
  }
  return result;
}

CallResult JsThread::RunNested(const CallRequest& request) {
  CallResult result;
  if (frames_.empty()) {
    result.status = Status(ErrorCode::kInternal, "nested call outside a running call");
    return result;
  }
  if (killed()) {
    result.status = KillStatus();
    return result;
  }
  if (frames_.size() >= shared_->limits.max_nesting_depth) {
    result.status = Status(ErrorCode::kFunctionExecutionError,
                           "functions nested deeper than " +
                               std::to_string(shared_->limits.max_nesting_depth) + " calls");
    return result;
  }
  return RunFrame(request);
}

void JsThread::AppendLog(LogEntry::Level level, std::string text) {
  if (outer_log_ == nullptr || log_truncated_) return;
  std::size_t max = shared_->limits.max_log_bytes;
  if (log_bytes_ + text.size() > max) {
    log_truncated_ = true;
    outer_log_->push_back(
        {LogEntry::Level::kWarn,
         "log truncated: more than " + std::to_string(max) + " bytes of console output"});
    return;
  }
  log_bytes_ += text.size();
  outer_log_->push_back({level, std::move(text)});
}

JSObject* JsThread::NewGlobal() {
  // In the anchor's zone: per-global zones would never trigger zone GCs
  // (BUILD-NOTES gotcha 9).
  JS::RealmOptions options;
  options.creationOptions().setNewCompartmentInExistingZone(*anchor_);
  return JS_NewGlobalObject(cx_, &kGlobalClass, nullptr, JS::FireOnNewGlobalHook, options);
}

base::Result<FunctionRealm*> JsThread::AcquireRealm(const Script& script) {
  auto it = cache_.find(script.name());
  if (it != cache_.end() && (it->second.script->source_hash() != script.source_hash() ||
                             it->second.script->source() != script.source())) {
    // A new version of the function: its old realms go unless a running
    // (outer) call still uses one, in which case they go at the next Run.
    bool busy = false;
    for (const auto& realm : it->second.realms) busy = busy || realm->in_use;
    if (busy)
      return Status(ErrorCode::kFunctionExecutionError,
                    "function '" + script.name() + "' changed while it was running");
    cache_.erase(it);
    it = cache_.end();
  }
  if (it == cache_.end()) {
    it = cache_.emplace(script.name(), Compiled{std::make_shared<const Script>(script), {}}).first;
  }
  for (auto& realm : it->second.realms) {
    if (!realm->in_use) return realm.get();
  }
  auto realm = std::make_unique<FunctionRealm>(cx_);
  Status status = SetUpRealm(*it->second.script, realm.get());
  if (!status.ok()) {
    if (it->second.realms.empty()) cache_.erase(it);
    return status;
  }
  it->second.realms.push_back(std::move(realm));
  return it->second.realms.back().get();
}

base::Status JsThread::SetUpRealm(const Script& script, FunctionRealm* realm) {
  realm->global = NewGlobal();
  if (!realm->global) {
    // Outside any realm: do not inspect the exception (BUILD-NOTES gotcha 7).
    JS_ClearPendingException(cx_);
    if (killed()) return KillStatus();
    return Status(ErrorCode::kFunctionExecutionError, "could not create a global for the function");
  }
  JSAutoRealm ar(cx_, realm->global);
  realm->realm = JS::GetObjectRealmOrNull(realm->global);
  // Every standard class now, once per realm (300-400 us), so reset()'s
  // snapshot of the global is complete: a lazily resolved class would look
  // like a global the call added.
  if (!JS::InitRealmStandardClasses(cx_) || !DefineNatives(cx_, realm->global)) return Failure();
  JS::RootedValue internals(cx_);
  {
    JS::CompileOptions compile(cx_);
    compile.setFileAndLine("plinth-prelude.js", 1).setForceFullParse();
    JS::InstantiateOptions instantiate(compile);
    JS::RootedScript prelude(cx_, JS::InstantiateGlobalStencil(cx_, instantiate, prelude_));
    if (!prelude || !JS_ExecuteScript(cx_, prelude, &internals)) return Failure();
    if (!internals.isObject()) return Status(ErrorCode::kInternal, "prelude returned no internals");
    realm->internals = &internals.toObject();
  }
  {
    // The source becomes the body of function(exports, module), so its
    // top-level declarations are locals of each call. The appended return
    // hands back what it assigned to `exports`.
    std::string body = script.source() + "\n;return exports;";
    static const char* const kArgs[] = {"exports", "module"};
    JS::CompileOptions compile(cx_);
    // CompileFunction counts the synthesized `function exports(...) {`
    // header as a line of its own; starting at 0 keeps the source's line
    // numbers in errors and stacks.
    compile.setFileAndLine(script.name().c_str(), 0);
    JS::SourceText<mozilla::Utf8Unit> source;
    if (!source.init(cx_, body.data(), body.size(), JS::SourceOwnership::Borrowed))
      return Failure();
    JS::RootedObjectVector env(cx_);
    JSFunction* fn = JS::CompileFunction(cx_, env, compile, "exports", 2, kArgs, source);
    if (!fn) return Failure();
    realm->body = JS_GetFunctionObject(fn);
  }
  JS::RootedValue ignored(cx_);
  if (!JS_CallFunctionName(cx_, realm->internals, "snapshot", JS::HandleValueArray::empty(),
                           &ignored) ||
      !TakeBaseline(realm)) {
    return Failure();
  }
  return Status::Ok();
}

namespace {

constexpr unsigned kOwnKeys = JSITER_OWNONLY | JSITER_HIDDEN | JSITER_SYMBOLS;

// The same property: the same kind and attributes, and the very same value
// or accessor functions (bit-identical values, as reset()'s !== but
// stricter for -0 and NaN, which only sends a call to the full reset).
bool SameProperty(const JS::PropertyDescriptor& a, const JS::PropertyDescriptor& b) {
  if (a.isDataDescriptor() != b.isDataDescriptor() || a.configurable() != b.configurable() ||
      a.enumerable() != b.enumerable()) {
    return false;
  }
  if (a.isDataDescriptor()) return a.writable() == b.writable() && a.value() == b.value();
  return a.getter() == b.getter() && a.setter() == b.setter();
}

}  // namespace

bool JsThread::TakeBaseline(FunctionRealm* realm) {
  JS::RootedIdVector ids(cx_);
  if (!::js::GetPropertyKeys(cx_, realm->global, kOwnKeys, &ids)) return false;
  JS::Rooted<mozilla::Maybe<JS::PropertyDescriptor>> property(cx_);
  for (std::size_t i = 0; i < ids.length(); ++i) {
    if (!JS_GetOwnPropertyDescriptorById(cx_, realm->global, ids[i], &property) ||
        property.isNothing() || !realm->baseline_ids.append(ids[i]) ||
        !realm->baseline_properties.append(*property)) {
      return false;
    }
  }
  return true;
}

bool JsThread::GlobalUnchanged(const FunctionRealm& realm) {
  // A global made non-extensible (Object.preventExtensions, freeze, seal)
  // cannot be made extensible again: it costs the realm.
  bool extensible = false;
  JS::RootedIdVector ids(cx_);
  if (!JS_IsExtensible(cx_, realm.global, &extensible) ||
      !::js::GetPropertyKeys(cx_, realm.global, kOwnKeys, &ids)) {
    JS_ClearPendingException(cx_);
    return false;
  }
  if (!extensible) return false;
  const auto& base_ids = realm.baseline_ids.get();
  const auto& base_properties = realm.baseline_properties.get();
  JS::Rooted<mozilla::Maybe<JS::PropertyDescriptor>> property(cx_);
  std::size_t b = 0;
  for (std::size_t i = 0; i < ids.length(); ++i) {
    if (ids[i] == context_id_) continue;
    if (b >= base_ids.length() || ids[i] != base_ids[b]) return false;
    if (!JS_GetOwnPropertyDescriptorById(cx_, realm.global, ids[i], &property)) {
      JS_ClearPendingException(cx_);
      return false;
    }
    if (property.isNothing() || !SameProperty(*property, base_properties[b])) return false;
    ++b;
  }
  return b == base_ids.length();
}

void JsThread::DiscardRealm(const Script& script, FunctionRealm* realm) {
  auto it = cache_.find(script.name());
  if (it == cache_.end()) return;
  auto& realms = it->second.realms;
  for (auto r = realms.begin(); r != realms.end(); ++r) {
    if (r->get() == realm) {
      realms.erase(r);
      break;
    }
  }
}

CallResult JsThread::RunFrame(const CallRequest& request) {
  CallResult result;
  base::Result<FunctionRealm*> acquired = AcquireRealm(*request.script);
  if (!acquired.ok()) {
    result.status = acquired.status();
    return result;
  }
  FunctionRealm* realm = *acquired;
  realm->in_use = true;
  bool keep = true;
  {
    JSAutoRealm ar(cx_, realm->global);
    NullHost null_host;
    CallFrame frame(cx_, realm->realm, request.host ? request.host.get() : &null_host, outer_log_);
    frame.internals = realm->internals;
    frames_.push_back(&frame);
    jobs_->Open(cx_, frame.realm);
    result.status = Execute(request, *realm, frame, &result.value);
    jobs_->Close();
    frames_.pop_back();
    if (JS_IsExceptionPending(cx_)) JS_ClearPendingException(cx_);
    // Put the global back for the next call; a realm a limit stopped
    // mid-way, or one that cannot be restored, is dropped instead.
    JS::RootedValue restored(cx_);
    // Most calls leave the global alone, which the quick check confirms;
    // otherwise reset() puts it back, and what it cannot put back exactly
    // (the order of the keys after a delete and re-add) costs the realm.
    keep = !killed() && (GlobalUnchanged(*realm) ||
                         (JS_CallFunctionName(cx_, realm->internals, "reset",
                                              JS::HandleValueArray::empty(), &restored) &&
                          restored.isTrue() && GlobalUnchanged(*realm)));
    if (JS_IsExceptionPending(cx_)) JS_ClearPendingException(cx_);
  }
  realm->in_use = false;
  // Extra realms exist only for re-entrant calls of one function; keep two
  // at most so a deep self-recursion does not pin a realm per level.
  auto it = cache_.find(request.script->name());
  bool surplus = it != cache_.end() && it->second.realms.size() > 2;
  if (!keep || surplus) DiscardRealm(*request.script, realm);
  return result;
}

base::Status JsThread::Execute(const CallRequest& request, FunctionRealm& realm, CallFrame& frame,
                               doc::Value* out) {
  const Limits& limits = shared_->limits;
  ConvertLimits value_limits{limits.max_value_depth, limits.max_result_bytes};

  // context: the per-call values become plain JS values, each converted
  // where it is (gathering them in one document first copied them all).
  {
    JS::RootedObject info(cx_, JS_NewPlainObject(cx_));
    if (info == nullptr) return Failure();
    JS::RootedValue field(cx_);
    const std::pair<const char*, const doc::Value*> fields[] = {
        {"user", &request.info.user},
        {"environment", &request.info.environment},
        {"request", &request.info.request},
        {"app", &request.info.app}};
    for (const auto& [name, value] : fields) {
      if (!ToJs(cx_, frame.internals, *value, value_limits, &field) ||
          !JS_DefineProperty(cx_, info, name, field, JSPROP_ENUMERATE)) {
        return Failure();
      }
    }
    field.setBoolean(request.info.running_as_system);
    if (!JS_DefineProperty(cx_, info, "runningAsSystem", field, JSPROP_ENUMERATE)) {
      return Failure();
    }
    JS::RootedValue info_js(cx_, JS::ObjectValue(*info));
    JS::RootedValue ignored(cx_);
    if (!JS_CallFunctionName(cx_, frame.internals, "install", JS::HandleValueArray(info_js),
                             &ignored)) {
      return Failure();
    }
  }

  // The function source's top level, run afresh for this call.
  JS::RootedValue entry(cx_);
  {
    JS::RootedValue body(cx_, JS::ObjectValue(*realm.body));
    if (!JS_CallFunctionName(cx_, frame.internals, "run", JS::HandleValueArray(body), &entry)) {
      return Failure();
    }
  }
  if (!entry.isObject() || !JS::IsCallable(&entry.toObject())) {
    return Status(
        ErrorCode::kFunctionExecutionError,
        "function '" + request.script->name() + "' does not assign a function to exports");
  }

  JS::RootedValueVector args(cx_);
  {
    JS::RootedValue arg(cx_);
    for (const doc::Value& value : request.arguments) {
      if (!ToJs(cx_, frame.internals, value, value_limits, &arg) || !args.append(arg))
        return Failure();
    }
  }

  JS::RootedValue rval(cx_);
  if (!JS::Call(cx_, JS::UndefinedHandleValue, entry, args, &rval)) return Failure();
  if (!jobs_->Drain(cx_)) return Failure();

  if (rval.isObject()) {
    JS::RootedObject promise(cx_, &rval.toObject());
    if (JS::IsPromiseObject(promise)) {
      switch (JS::GetPromiseState(promise)) {
        case JS::PromiseState::Pending:
          // Host calls complete synchronously, so once the jobs are drained
          // nothing can settle this promise any more. App Services would
          // wait for its time limit; answering now frees the JS thread.
          return Status(
              ErrorCode::kExecutionTimeLimitExceeded,
              "function returned a promise that never settles (nothing left to wait for)");
        case JS::PromiseState::Rejected: {
          JS::RootedValue reason(cx_, JS::GetPromiseResult(promise));
          JS::SetSettledPromiseIsHandled(cx_, promise);
          std::string message = DescribeException(reason);
          if (killed()) return KillStatus();
          return Status(ErrorCode::kFunctionExecutionError, std::move(message));
        }
        case JS::PromiseState::Fulfilled:
          rval = JS::GetPromiseResult(promise);
          break;
      }
    }
  }

  base::Result<doc::Value> value = ToDoc(cx_, rval, value_limits);
  if (!value.ok()) {
    if (IsJsFailure(value.status())) return Failure();
    return Status(value.status().code(), "function result: " + value.status().message());
  }
  *out = std::move(value).value();
  return Status::Ok();
}

base::Status JsThread::Failure() {
  if (killed()) {
    JS_ClearPendingException(cx_);
    return KillStatus();
  }
  if (!JS_IsExceptionPending(cx_)) {
    return Status(ErrorCode::kFunctionExecutionError, "function execution was terminated");
  }
  if (JS_IsThrowingOutOfMemory(cx_)) {
    JS_ClearPendingException(cx_);
    return Status(ErrorCode::kFunctionExecutionError,
                  "function exceeded the memory limit (out of memory)");
  }
  JS::RootedValue exception(cx_);
  if (!JS_GetPendingException(cx_, &exception)) {
    return Status(ErrorCode::kFunctionExecutionError, "function execution failed");
  }
  JS_ClearPendingException(cx_);
  std::string message = DescribeException(exception);
  if (killed()) return KillStatus();
  return Status(ErrorCode::kFunctionExecutionError, std::move(message));
}

std::string JsThread::DescribeException(JS::HandleValue exception) {
  // An Error: "message", or "TypeError: message" for the other kinds; a
  // syntax error also names its line. Anything else thrown: its EJSON, or
  // its string form.
  std::string text;
  if (exception.isObject()) {
    JS::RootedObject obj(cx_, &exception.toObject());
    if (JSErrorReport* report = JS_ErrorFromException(cx_, obj)) {
      std::string name, message;
      GetStringProperty(cx_, obj, "name", &name);
      if (!GetStringProperty(cx_, obj, "message", &message) && report->message()) {
        message = report->message().c_str();
      }
      JS_ClearPendingException(cx_);
      text = (name.empty() || name == "Error") ? message : name + ": " + message;
      if (name == "SyntaxError" && report->filename) {
        text += " (" + std::string(report->filename) + ":" + std::to_string(report->lineno) + ")";
      }
      return text;
    }
    ConvertLimits limits{shared_->limits.max_value_depth, 64 * 1024};
    base::Result<doc::Value> value = ToDoc(cx_, exception, limits);
    JS_ClearPendingException(cx_);
    if (value.ok() && value->is_document()) return doc::ToRelaxedJson(*value);
  }
  JS::RootedString str(cx_, JS::ToString(cx_, exception));
  if (!str || !StringToUtf8(cx_, str, &text)) {
    JS_ClearPendingException(cx_);
    return "a value that cannot be shown was thrown";
  }
  return text;
}

}  // namespace plinth::js::mozjs
