// The cost of one JavaScript function call, and of its isolation
// (DECISIONS 11: a fresh global per call), against a baseline measured in the
// same process: calling an already-compiled sync function in a long-lived
// global with the bare JSAPI. bench/run.sh runs it; docs/functions.md
// records the figures.
//
//   baseline/compiled_call   JS::Call of a compiled `(a, b) => a + b`, no isolation
//   raw/fresh_global         a new global in the shared zone, nothing run in it
//   raw/fresh_global_prelude a new global with the prelude run in it: the cost
//                            of isolating by a fresh global per call (not taken)
//   thread/sync_call         JsThread::Run of `exports = (a, b) => a + b` on this
//                            thread, as the engine runs it: the function's realm
//                            reused, a fresh context, the source's top level run
//                            afresh, the call, the result converted, the global reset
//   thread/async_host_call   the same for an async function awaiting one
//                            context.services...findOne through a trivial Host
//   engine/sync_call         Engine::Call(...).get() through the pool: adds the
//                            queue and the wake-up of a JS thread
#include <benchmark/benchmark.h>
#include <js/CompilationAndEvaluation.h>
#include <js/Initialization.h>
#include <js/RealmOptions.h>
#include <js/SourceText.h>
#include <js/experimental/JSStencil.h>
#include <jsapi.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <string>

#include "js/mozjs/js_thread.h"
#include "js/mozjs/mozjs_engine.h"
#include "js/mozjs/prelude.h"

namespace plinth::js::mozjs {
namespace {

using Clock = std::chrono::steady_clock;

// Per-iteration wall time and this thread's CPU time, in microseconds. On a
// loaded machine wall time includes waiting for a core; CPU time does not
// (except for engine/sync_call, whose work happens on a JS thread).
struct Cost {
  double wall_us = 0;
  double cpu_us = 0;
};

std::map<std::string, Cost>& Costs() {
  static std::map<std::string, Cost> m;
  return m;
}

double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

thread_local double t_cpu_start = 0;

void Record(const std::string& name, Clock::time_point start, benchmark::State& state) {
  double n = static_cast<double>(state.iterations());
  double wall = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  Costs()[name] = Cost{wall / n, (ThreadCpuMicros() - t_cpu_start) / n};
}

const JSClass kBenchGlobal = {
    "global", JSCLASS_GLOBAL_FLAGS, &JS::DefaultGlobalClassOps, nullptr, nullptr, nullptr};

// A bare context on the benchmark thread, for the baseline rows.
struct RawContext {
  JSContext* cx = nullptr;
  std::unique_ptr<JS::PersistentRootedObject> global;
  RawContext() {
    cx = JS_NewContext(512u * 1024 * 1024);
    JS::InitSelfHostedCode(cx);
    JS::RealmOptions options;
    global = std::make_unique<JS::PersistentRootedObject>(
        cx, JS_NewGlobalObject(cx, &kBenchGlobal, nullptr, JS::FireOnNewGlobalHook, options));
  }
  ~RawContext() {
    global.reset();
    JS_DestroyContext(cx);
  }
};

void BM_BaselineCompiledCall(benchmark::State& state) {
  RawContext raw;
  JSContext* cx = raw.cx;
  JSAutoRealm ar(cx, *raw.global);
  const char* text = "var add = function(a, b) { return a + b; };";
  JS::CompileOptions options(cx);
  options.setFileAndLine("baseline", 1);
  JS::SourceText<mozilla::Utf8Unit> source;
  if (!source.init(cx, text, std::strlen(text), JS::SourceOwnership::Borrowed)) return;
  JS::RootedValue ignored(cx);
  if (!JS::Evaluate(cx, options, source, &ignored)) return;
  JS::RootedValue fn(cx);
  JS_GetProperty(cx, *raw.global, "add", &fn);
  JS::RootedValueArray<2> args(cx);
  JS::RootedValue rval(cx);
  int i = 0;
  t_cpu_start = ThreadCpuMicros();
  auto start = Clock::now();
  for (auto _ : state) {
    args[0].setInt32(i++ & 0xFFFF);
    args[1].setInt32(2);
    JS::Call(cx, JS::UndefinedHandleValue, fn, args, &rval);
    benchmark::DoNotOptimize(rval.toInt32());
  }
  Record("baseline/compiled_call", start, state);
}

void BM_RawFreshGlobal(benchmark::State& state) {
  RawContext raw;
  JSContext* cx = raw.cx;
  std::uint64_t n = 0;
  t_cpu_start = ThreadCpuMicros();
  auto start = Clock::now();
  for (auto _ : state) {
    JS::RealmOptions options;
    options.creationOptions().setNewCompartmentInExistingZone(*raw.global);
    JSObject* g = JS_NewGlobalObject(cx, &kBenchGlobal, nullptr, JS::FireOnNewGlobalHook, options);
    benchmark::DoNotOptimize(g);
    if (++n % 256 == 0) JS_GC(cx);
  }
  Record("raw/fresh_global", start, state);
}

// A fresh global plus the prelude run in it, with the bare JSAPI: what
// isolation by a fresh global per call would cost (the design not taken,
// docs/functions.md "Isolation").
void BM_RawFreshGlobalWithPrelude(benchmark::State& state) {
  RawContext raw;
  JSContext* cx = raw.cx;
  RefPtr<JS::Stencil> stencil;
  {
    JSAutoRealm ar(cx, *raw.global);
    std::string_view text = PreludeSource();
    JS::CompileOptions options(cx);
    options.setFileAndLine("prelude", 1).setForceFullParse();
    JS::SourceText<mozilla::Utf8Unit> source;
    if (!source.init(cx, text.data(), text.size(), JS::SourceOwnership::Borrowed)) return;
    stencil = JS::CompileGlobalScriptToStencil(cx, options, source);
  }
  std::uint64_t n = 0;
  t_cpu_start = ThreadCpuMicros();
  auto start = Clock::now();
  for (auto _ : state) {
    JS::RealmOptions options;
    options.creationOptions().setNewCompartmentInExistingZone(*raw.global);
    JS::RootedObject g(
        cx, JS_NewGlobalObject(cx, &kBenchGlobal, nullptr, JS::FireOnNewGlobalHook, options));
    JSAutoRealm ar(cx, g);
    JS::CompileOptions compile(cx);
    compile.setFileAndLine("prelude", 1).setForceFullParse();
    JS::InstantiateOptions instantiate(compile);
    JS::RootedScript script(cx, JS::InstantiateGlobalStencil(cx, instantiate, stencil));
    JS::RootedValue rval(cx);
    if (!script || !JS_ExecuteScript(cx, script, &rval)) {
      state.SkipWithError("prelude failed");
      JS_ClearPendingException(cx);
      return;
    }
    if (++n % 256 == 0) JS_GC(cx);
  }
  Record("raw/fresh_global_prelude", start, state);
}

class FindOneHost final : public Host {
 public:
  base::Result<doc::Value> Invoke(std::string_view method, const doc::Array&) override {
    if (method == "services.get") return doc::Value(true);
    return doc::Value(doc::Document{{"_id", 1}, {"name", "x"}});
  }
};

SharedState& BenchShared() {
  static SharedState* shared = [] {
    auto* s = new SharedState();
    s->clock = base::SystemClock::Default();
    s->random = base::SystemRandom::Default();
    return s;
  }();
  return *shared;
}

void RunThreadBench(benchmark::State& state, const std::string& name, const CallRequest& request) {
  JsThread thread(&BenchShared());
  if (!thread.Init().ok()) {
    state.SkipWithError("JsThread::Init failed");
    return;
  }
  CallResult warm = thread.Run(request);
  if (!warm.status.ok()) {
    state.SkipWithError(warm.status.ToString().c_str());
    return;
  }
  t_cpu_start = ThreadCpuMicros();
  auto start = Clock::now();
  for (auto _ : state) {
    CallResult r = thread.Run(request);
    benchmark::DoNotOptimize(r.value);
  }
  Record(name, start, state);
}

void BM_ThreadSyncCall(benchmark::State& state) {
  CallRequest request{
      Script::Make("add", "exports = function(a, b) { return a + b; };"), {1, 2}, {}, nullptr};
  RunThreadBench(state, "thread/sync_call", request);
}

void BM_ThreadAsyncHostCall(benchmark::State& state) {
  CallRequest request{
      Script::Make(
          "find",
          "exports = async function(id) {\n"
          "  const users = context.services.get('mongodb-atlas').db('app').collection('users');\n"
          "  const doc = await users.findOne({_id: id});\n"
          "  return {ok: true, name: doc.name};\n"
          "};"),
      {1},
      {},
      std::make_shared<FindOneHost>()};
  RunThreadBench(state, "thread/async_host_call", request);
}

void BM_EngineSyncCall(benchmark::State& state) {
  Limits limits;
  limits.threads = 1;
  auto engine = CreateEngine(limits);
  if (!engine.ok()) {
    state.SkipWithError(engine.status().ToString().c_str());
    return;
  }
  CallRequest request{
      Script::Make("add", "exports = function(a, b) { return a + b; };"), {1, 2}, {}, nullptr};
  (*engine)->Call(request).get();
  t_cpu_start = ThreadCpuMicros();
  auto start = Clock::now();
  for (auto _ : state) {
    CallResult r = (*engine)->Call(request).get();
    benchmark::DoNotOptimize(r.value);
  }
  Record("engine/sync_call", start, state);
}

void PrintSummary() {
  const auto& m = Costs();
  auto base = m.find("baseline/compiled_call");
  std::printf(
      "\n== js summary: per-call cost (wall, and CPU of the calling thread), ratio to the "
      "baseline\n");
  for (const auto& [name, cost] : m) {
    std::printf("%-26s wall %9.2f us  cpu %9.2f us", name.c_str(), cost.wall_us, cost.cpu_us);
    if (base != m.end() && base->second.cpu_us > 0) {
      std::printf("  %8.0fx baseline (cpu)", cost.cpu_us / base->second.cpu_us);
    }
    std::printf("\n");
  }
  auto sync = m.find("thread/sync_call");
  if (base != m.end() && sync != m.end()) {
    double overhead = sync->second.cpu_us - base->second.cpu_us;
    std::printf(
        "runtime + isolation overhead per call (thread/sync_call - baseline, cpu): %.2f us -> %s "
        "50 us\n",
        overhead, overhead < 50.0 ? "under" : "NOT under");
  }
}

}  // namespace
}  // namespace plinth::js::mozjs

int main(int argc, char** argv) {
  using namespace plinth::js::mozjs;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The engine initialises SpiderMonkey (JS_Init) for the whole process;
  // create one first so the raw rows may make contexts too.
  {
    auto engine = CreateEngine(plinth::js::Limits{});
    if (!engine.ok()) return 1;
  }
  benchmark::RegisterBenchmark("baseline/compiled_call", BM_BaselineCompiledCall);
  benchmark::RegisterBenchmark("raw/fresh_global", BM_RawFreshGlobal);
  benchmark::RegisterBenchmark("raw/fresh_global_prelude", BM_RawFreshGlobalWithPrelude);
  benchmark::RegisterBenchmark("thread/sync_call", BM_ThreadSyncCall);
  benchmark::RegisterBenchmark("thread/async_host_call", BM_ThreadAsyncHostCall);
  benchmark::RegisterBenchmark("engine/sync_call", BM_EngineSyncCall)->UseRealTime();
  benchmark::RunSpecifiedBenchmarks();
  PrintSummary();
  benchmark::Shutdown();
  return 0;
}
