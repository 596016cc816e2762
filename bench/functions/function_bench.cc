// The cost of one client call of a trivial function through the functions/
// layer (docs/functions.md), on the real SpiderMonkey engine and a SQLite
// store, against a baseline measured in the same process: calling an
// already-compiled sync function in a long-lived global with the bare JSAPI
// (the baseline of bench/js/js_bench.cc). bench/run.sh runs it
// (BENCH_FUNCTIONS_INPROC); docs/performance.md "Functions" records the figures.
//
//   baseline/compiled_call    JS::Call of a compiled `(a, b) => a + b`, no isolation
//   engine/sync_call          js::Engine::Call(...).get() of `exports = (a, b) => a + b`:
//                             the queue, a JS thread's wake-up, the isolated call
//                             (docs/functions.md "Isolation between calls")
//   functions/call_from_client  FunctionRuntime::CallFromClient of the app's `add` as
//                             an authenticated user, waited for: the catalog lookup,
//                             the private and can_evaluate checks, `context` and the
//                             per-call host, the engine call, the call's log
//   functions/run             FunctionRuntime::Run of `add` (the server's own entry point)
//
// Every row reports wall time and the CPU time of the whole process per call:
// a call through the engine runs on a JS thread, so the calling thread's CPU
// would miss it. The engine's threads sleep between calls, so process CPU is
// the work of one call plus the two thread wake-ups.
#include <benchmark/benchmark.h>
#include <js/CompilationAndEvaluation.h>
#include <js/Initialization.h>
#include <js/RealmOptions.h>
#include <js/SourceText.h>
#include <jsapi.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "base/clock.h"
#include "base/logger.h"
#include "base/random.h"
#include "config/app_config.h"
#include "doc/ejson.h"
#include "functions/function_runtime.h"
#include "js/mozjs/mozjs_engine.h"
#include "services/data_access.h"
#include "services/data_caller.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::functions {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kAddSource[] = "exports = (a, b) => a + b;";

struct Cost {
  double wall_us = 0;
  double cpu_us = 0;  // the whole process
};

std::map<std::string, Cost>& Costs() {
  static std::map<std::string, Cost> m;
  return m;
}

double ProcessCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Times the loop of one benchmark row: per-iteration wall and process CPU.
class RowTimer {
 public:
  RowTimer() : cpu_start_(ProcessCpuMicros()), start_(Clock::now()) {}
  void Record(const std::string& name, const benchmark::State& state) const {
    double n = static_cast<double>(state.iterations());
    double wall = std::chrono::duration<double, std::micro>(Clock::now() - start_).count();
    Costs()[name] = Cost{wall / n, (ProcessCpuMicros() - cpu_start_) / n};
  }

 private:
  double cpu_start_;
  Clock::time_point start_;
};

const JSClass kBenchGlobal = {
    "global", JSCLASS_GLOBAL_FLAGS, &JS::DefaultGlobalClassOps, nullptr, nullptr, nullptr};

// The bare JSAPI baseline, as bench_js measures it.
void BM_BaselineCompiledCall(benchmark::State& state) {
  JSContext* cx = JS_NewContext(512u * 1024 * 1024);
  JS::InitSelfHostedCode(cx);
  {
    JS::RealmOptions realm;
    JS::RootedObject global(
        cx, JS_NewGlobalObject(cx, &kBenchGlobal, nullptr, JS::FireOnNewGlobalHook, realm));
    JSAutoRealm ar(cx, global);
    const char* text = "var add = function(a, b) { return a + b; };";
    JS::CompileOptions options(cx);
    options.setFileAndLine("baseline", 1);
    JS::SourceText<mozilla::Utf8Unit> source;
    JS::RootedValue ignored(cx);
    JS::RootedValue fn(cx);
    if (!source.init(cx, text, std::strlen(text), JS::SourceOwnership::Borrowed) ||
        !JS::Evaluate(cx, options, source, &ignored) || !JS_GetProperty(cx, global, "add", &fn)) {
      state.SkipWithError("baseline setup failed");
    } else {
      JS::RootedValueArray<2> args(cx);
      JS::RootedValue rval(cx);
      int i = 0;
      RowTimer timer;
      for (auto _ : state) {
        args[0].setInt32(i++ & 0xFFFF);
        args[1].setInt32(2);
        JS::Call(cx, JS::UndefinedHandleValue, fn, args, &rval);
        benchmark::DoNotOptimize(rval.toInt32());
      }
      timer.Record("baseline/compiled_call", state);
    }
  }
  JS_DestroyContext(cx);
}

// A logger at the server's benchmark level (warn): nothing a successful call
// writes is enabled, as in `plinth serve --log-level warn`.
class WarnLogger final : public base::Logger {
 public:
  bool Enabled(base::LogLevel level) const override { return level >= base::LogLevel::kWarn; }
  void Write(base::LogLevel, std::string_view, std::initializer_list<base::LogField>) override {}
};

// One app with the function `add`, on one JS thread and a temporary SQLite
// store, built as server/app_services.cc builds a served app.
struct App {
  std::unique_ptr<storage::Engine> store;
  base::SystemClock clock;
  base::SystemRandom random;
  WarnLogger logger;
  config::AppConfig config;
  std::unique_ptr<js::Engine> engine;
  std::unique_ptr<services::DataAccess> data;
  std::unique_ptr<FunctionRuntime> runtime;

  base::Status Init() {
    PLINTH_ASSIGN_OR_RETURN(store, storage::OpenSqliteEngine(storage::SqliteOptions{}));
    config.root.app_id = "bench-functions";
    config.root.name = "bench-functions";
    config::FunctionConfig add;
    add.name = "add";
    add.source = kAddSource;
    config.functions.push_back(std::move(add));
    js::Limits limits;
    limits.threads = 1;
    PLINTH_ASSIGN_OR_RETURN(engine, js::mozjs::CreateEngine(limits, &clock, &random));
    PLINTH_ASSIGN_OR_RETURN(
        data, services::DataAccess::Create(config, {store.get(), &clock, &random, nullptr}));
    PLINTH_ASSIGN_OR_RETURN(runtime,
                            FunctionRuntime::Create(config, {engine.get(), data.get(), &logger}));
    data->SetFunctionCaller(runtime.get());
    return base::Status();
  }
};

// An authenticated user as HTTP handlers pass it (the %%user object).
services::DataCaller BenchUser() {
  return services::DataCaller::User(doc::Document{{"id", doc::Value("65a000000000000000000001")},
                                                  {"type", doc::Value("normal")},
                                                  {"data", doc::Value(doc::Document{})},
                                                  {"custom_data", doc::Value(doc::Document{})},
                                                  {"identities", doc::Value(doc::Array{})}});
}

js::CallResult CallFromClient(const FunctionRuntime& runtime, const services::DataCaller& user) {
  std::promise<js::CallResult> promise;
  std::future<js::CallResult> future = promise.get_future();
  base::Status queued =
      runtime.CallFromClient(user, "add", doc::Array{1, 2}, "bench-request",
                             [&promise](js::CallResult r) { promise.set_value(std::move(r)); });
  if (!queued.ok()) {
    js::CallResult refused;
    refused.status = queued;
    return refused;
  }
  return future.get();
}

void BM_EngineSyncCall(benchmark::State& state) {
  App app;
  if (base::Status s = app.Init(); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  js::CallRequest request{js::Script::Make("add", kAddSource), {1, 2}, {}, nullptr};
  app.engine->Call(request).get();
  RowTimer timer;
  for (auto _ : state) {
    js::CallResult r = app.engine->Call(request).get();
    benchmark::DoNotOptimize(r.value);
  }
  timer.Record("engine/sync_call", state);
}

void BM_CallFromClient(benchmark::State& state) {
  App app;
  if (base::Status s = app.Init(); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  services::DataCaller user = BenchUser();
  js::CallResult warm = CallFromClient(*app.runtime, user);
  if (!warm.status.ok() || doc::ToRelaxedJson(warm.value) != "3") {
    state.SkipWithError(("add(1, 2) did not answer 3: " + warm.status.ToString()).c_str());
    return;
  }
  RowTimer timer;
  for (auto _ : state) {
    js::CallResult r = CallFromClient(*app.runtime, user);
    benchmark::DoNotOptimize(r.value);
  }
  timer.Record("functions/call_from_client", state);
}

void BM_Run(benchmark::State& state) {
  App app;
  if (base::Status s = app.Init(); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  services::DataCaller user = BenchUser();
  app.runtime->Run(user, "add", doc::Array{1, 2});
  RowTimer timer;
  for (auto _ : state) {
    js::CallResult r = app.runtime->Run(user, "add", doc::Array{1, 2}, "bench-request");
    benchmark::DoNotOptimize(r.value);
  }
  timer.Record("functions/run", state);
}

void PrintSummary() {
  const auto& m = Costs();
  auto base = m.find("baseline/compiled_call");
  std::printf(
      "\n== functions summary: per-call cost (wall, and CPU of the whole process), ratio to the "
      "baseline\n");
  for (const auto& [name, cost] : m) {
    std::printf("%-28s wall %9.2f us  cpu %9.2f us", name.c_str(), cost.wall_us, cost.cpu_us);
    if (base != m.end() && base->second.cpu_us > 0) {
      std::printf("  %8.0fx baseline (cpu)", cost.cpu_us / base->second.cpu_us);
    }
    std::printf("\n");
  }
  auto client = m.find("functions/call_from_client");
  auto engine = m.find("engine/sync_call");
  if (client != m.end() && engine != m.end()) {
    std::printf("functions/ layer alone (call_from_client - engine/sync_call, cpu): %.2f us\n",
                client->second.cpu_us - engine->second.cpu_us);
  }
  if (base != m.end() && client != m.end()) {
    double overhead = client->second.cpu_us - base->second.cpu_us;
    std::printf(
        "call overhead incl. isolation (functions/call_from_client - baseline, cpu): %.2f us -> "
        "%s 50 us (wall %.2f us)\n",
        overhead, overhead < 50.0 ? "under" : "NOT under", client->second.wall_us);
  }
}

}  // namespace
}  // namespace plinth::functions

int main(int argc, char** argv) {
  using namespace plinth::functions;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The engine initialises SpiderMonkey (JS_Init) for the whole process;
  // create one first so the baseline may make a context too.
  {
    auto engine = plinth::js::mozjs::CreateEngine(plinth::js::Limits{});
    if (!engine.ok()) return 1;
  }
  benchmark::RegisterBenchmark("baseline/compiled_call", BM_BaselineCompiledCall);
  benchmark::RegisterBenchmark("engine/sync_call", BM_EngineSyncCall)->UseRealTime();
  benchmark::RegisterBenchmark("functions/call_from_client", BM_CallFromClient)->UseRealTime();
  benchmark::RegisterBenchmark("functions/run", BM_Run)->UseRealTime();
  benchmark::RunSpecifiedBenchmarks();
  PrintSummary();
  benchmark::Shutdown();
  return 0;
}
