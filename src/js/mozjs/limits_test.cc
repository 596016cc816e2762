// Abuse is contained: time, memory, recursion, sizes, the queue; the JS
// thread serves the next call normally after each.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "js/mozjs/test_util.h"

namespace plinth::js::mozjs {
namespace {

using base::ErrorCode;
using testing::MakeEngine;
using testing::RunJs;
using testing::TestLimits;

Limits FastLimits() {
  Limits limits = TestLimits();
  limits.time_limit = std::chrono::milliseconds(300);
  limits.memory_limit_bytes = 64u * 1024 * 1024;
  limits.threads = 2;
  return limits;
}

// After a limit stopped a call, both JS threads still answer.
void ExpectHealthy(Engine& engine) {
  for (int i = 0; i < 4; ++i) {
    CallResult r = RunJs(engine, "exports = async (x) => { await null; return x + 1; };", {i});
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.value, doc::Value(i + 1));
  }
}

class LimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { engine_ = MakeEngine(FastLimits()).release(); }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static Engine* engine_;
};
Engine* LimitsTest::engine_ = nullptr;

TEST_F(LimitsTest, InfiniteLoopHitsTheTimeLimit) {
  for (const char* source : {
           "exports = function() { while (true) {} };",
           "exports = function() { for (;;) { try { while (true) {} } catch (e) {} } };",
           "exports = async function() { await null; while (true) {} };",
       }) {
    auto start = std::chrono::steady_clock::now();
    CallResult r = RunJs(*engine_, source);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status.code(), ErrorCode::kExecutionTimeLimitExceeded)
        << source << r.status.ToString();
    EXPECT_NE(r.status.message().find("time limit"), std::string::npos);
    EXPECT_GE(took, std::chrono::milliseconds(300));
    EXPECT_LT(took, std::chrono::seconds(3));
  }
  ExpectHealthy(*engine_);
}

TEST(LimitsMemoryTest, UnboundedAllocationHitsTheMemoryLimit) {
  // A time limit far above what reaching 64 MB takes, so the memory check
  // must be what stops each of these.
  Limits limits = FastLimits();
  limits.time_limit = std::chrono::milliseconds(8000);
  auto engine = MakeEngine(limits);
  for (const char* source : {
           // Array elements, ArrayBuffer and typed-array contents, string
           // characters: malloc'd, invisible to the GC heap cap.
           "exports = function() { const a = []; while (true) a.push(new Array(1e6).fill(0)); };",
           "exports = function() { const a = [];"
           " while (true) a.push(new Uint8Array(new ArrayBuffer(8 * 1024 * 1024)).fill(1)); };",
           "exports = function() { const a = []; while (true) a.push(new Uint8Array(1024 * "
           "1024).fill(1)); };",
           "exports = function() { const a = []; let i = 0;"
           " while (true) a.push('x'.repeat(1 << 20) + (i++)); };",
           // Small objects: the GC heap.
           "exports = function() { const a = []; while (true) a.push({a: 1, b: [1, 2, 3]}); };",
           // Caught and retried: the limit cannot be caught.
           "exports = function() { const a = [];"
           " for (;;) { try { a.push(new Array(1e6).fill(0)); } catch (e) {} } };",
       }) {
    CallResult r = RunJs(*engine, source);
    EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError) << source << r.status.ToString();
    EXPECT_NE(r.status.message().find("memory limit"), std::string::npos)
        << source << r.status.message();
  }
  ExpectHealthy(*engine);
}

TEST_F(LimitsTest, UntouchedArrayBuffersEndAtTheTimeLimit) {
  // ArrayBuffers that are never written stay virtual (calloc'd pages are
  // not resident), so they cost no memory and end at the time limit.
  CallResult r = RunJs(
      *engine_,
      "exports = function() { const a = []; while (true) a.push(new ArrayBuffer(8 << 20)); };");
  EXPECT_FALSE(r.status.ok());
  ExpectHealthy(*engine_);
}

TEST_F(LimitsTest, AStringPastTheEngineMaximumIsACatchableError) {
  CallResult r = RunJs(*engine_, "exports = function() { let s = 'x'; while (true) s += s; };");
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError) << r.status.ToString();
  ExpectHealthy(*engine_);
}

TEST_F(LimitsTest, DeepRecursionIsAnError) {
  CallResult r = RunJs(*engine_, "function f(n) { return f(n + 1) + 1; }\nexports = () => f(0);");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_NE(r.status.message().find("too much recursion"), std::string::npos) << r.status.message();
  ExpectHealthy(*engine_);
}

TEST_F(LimitsTest, HugeResultIsRefused) {
  CallResult r = RunJs(
      *engine_, "exports = () => { const s = 'x'.repeat(1 << 20); return Array(40).fill(s); };");
  EXPECT_EQ(r.status.code(), ErrorCode::kSizeLimitExceeded) << r.status.ToString();
  r = RunJs(*engine_, "exports = () => new Array(1e8);");  // sparse, counted per element
  EXPECT_EQ(r.status.code(), ErrorCode::kSizeLimitExceeded) << r.status.ToString();
  ExpectHealthy(*engine_);
}

TEST_F(LimitsTest, HugeArgumentsAreRefusedBeforeQueuing) {
  doc::Array args;
  args.Append(doc::Value(std::string(19u * 1024 * 1024, 'x')));
  CallResult r = RunJs(*engine_, "exports = (x) => 1;", std::move(args));
  EXPECT_EQ(r.status.code(), ErrorCode::kSizeLimitExceeded);
}

TEST(LimitsPoolTest, OtherCallsAreServedWhileOneThreadSpins) {
  Limits limits = FastLimits();
  limits.time_limit = std::chrono::milliseconds(3000);
  auto engine = MakeEngine(limits);
  auto spinning = engine->Call(
      CallRequest{Script::Make("spin", "exports = () => { while (true) {} };"), {}, {}, nullptr});
  for (int i = 0; i < 20; ++i) {
    CallResult r = RunJs(*engine, "exports = (x) => x * 2;", {i});
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.value, doc::Value(i * 2));
  }
  // All twenty were answered while the spinning call still held its thread.
  EXPECT_EQ(spinning.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(spinning.get().status.code(), ErrorCode::kExecutionTimeLimitExceeded);
}

TEST(LimitsPoolTest, ThousandsOfConcurrentCallsWithABoundedQueue) {
  Limits limits = TestLimits();
  limits.max_queued_calls = 300;
  auto engine = MakeEngine(limits);
  const auto script =
      Script::Make("add", "exports = async (a, b) => { await null; return a + b; };");
  // Four submitting threads at once; the queue refuses what does not fit,
  // at once, with TooManyRequests; everything accepted completes correctly.
  std::atomic<int> ok{0}, refused{0}, wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      std::vector<std::future<CallResult>> futures;
      for (int i = 0; i < 600; ++i) {
        futures.push_back(engine->Call(CallRequest{script, {c, i}, {}, nullptr}));
      }
      for (int i = 0; i < 600; ++i) {
        CallResult r = futures[i].get();
        if (r.status.ok()) {
          (r.value == doc::Value(c + i) ? ok : wrong)++;
        } else if (r.status.code() == ErrorCode::kTooManyRequests) {
          refused++;
        } else {
          wrong++;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ok.load() + refused.load(), 2400);
  EXPECT_GE(ok.load(), 300);
  // Afterwards the queue is empty again and calls are accepted.
  EXPECT_TRUE(RunJs(*engine, "exports = () => 1;").status.ok());
}

TEST(LimitsPoolTest, FullQueueRefusesAtOnce) {
  Limits limits = TestLimits();
  limits.threads = 1;
  limits.max_queued_calls = 2;
  limits.time_limit = std::chrono::milliseconds(300);
  auto engine = MakeEngine(limits);
  auto spin = Script::Make("spin", "exports = () => { while (true) {} };");
  auto first = engine->Call(CallRequest{spin, {}, {}, nullptr});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the thread take it
  auto second = engine->Call(CallRequest{spin, {}, {}, nullptr});
  auto third = engine->Call(CallRequest{spin, {}, {}, nullptr});
  auto start = std::chrono::steady_clock::now();
  CallResult refused = engine->Call(CallRequest{spin, {}, {}, nullptr}).get();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_EQ(refused.status.code(), ErrorCode::kTooManyRequests);
  EXPECT_EQ(first.get().status.code(), ErrorCode::kExecutionTimeLimitExceeded);
  EXPECT_EQ(second.get().status.code(), ErrorCode::kExecutionTimeLimitExceeded);
  EXPECT_EQ(third.get().status.code(), ErrorCode::kExecutionTimeLimitExceeded);
}

}  // namespace
}  // namespace plinth::js::mozjs

namespace plinth::js::mozjs {
namespace {

TEST(LimitsPoolTest, ProcessBackstopStopsRunningCalls) {
  // A backstop below the process's current size: the next watchdog tick
  // stops whatever runs, with the memory-limit error, and nothing else.
  Limits limits = testing::TestLimits();
  limits.process_memory_limit_bytes = 1;
  auto engine = testing::MakeEngine(limits);
  CallResult r = testing::RunJs(*engine, "exports = function() { while (true) {} };");
  EXPECT_EQ(r.status.code(), base::ErrorCode::kFunctionExecutionError) << r.status.ToString();
  EXPECT_NE(r.status.message().find("memory limit"), std::string::npos);
}

}  // namespace
}  // namespace plinth::js::mozjs

namespace plinth::js::mozjs {
namespace {

// functions.execute of a fixed source, nested through Engine::CallNested.
class NestingHost final : public Host {
 public:
  NestingHost(Engine* engine, std::string callee) : engine_(engine), callee_(std::move(callee)) {}
  base::Result<doc::Value> Invoke(std::string_view method, const doc::Array&) override {
    if (method != "functions.execute")
      return base::Status(base::ErrorCode::kServiceCommandNotFound, "no");
    CallRequest nested;
    nested.script = Script::Make("callee", callee_);
    CallResult r = engine_->CallNested(nested);
    if (!r.status.ok()) return r.status;
    return r.value;
  }

 private:
  Engine* engine_;
  std::string callee_;
};

TEST(LimitsNestedTest, ALimitInANestedCallEndsTheWholeCall) {
  Limits limits = testing::TestLimits();
  limits.time_limit = std::chrono::milliseconds(300);
  auto engine = testing::MakeEngine(limits);
  auto host = std::make_shared<NestingHost>(engine.get(), "exports = () => { while (true) {} };");
  // The caller tries to catch the callee's failure and carry on: it cannot.
  CallResult r = testing::RunJs(
      *engine,
      "exports = function() {\n"
      "  try { context.functions.execute('callee'); } catch (e) { return 'caught'; }\n"
      "  return 'went on';\n"
      "};",
      {}, host);
  EXPECT_EQ(r.status.code(), base::ErrorCode::kExecutionTimeLimitExceeded) << r.status.ToString();
  // An ordinary error in the callee is the caller's to catch.
  auto throwing =
      std::make_shared<NestingHost>(engine.get(), "exports = () => { throw new Error('inner'); };");
  r = testing::RunJs(
      *engine,
      "exports = function() {\n"
      "  try { context.functions.execute('callee'); } catch (e) { return 'caught ' + e.message; }\n"
      "};",
      {}, throwing);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.value, doc::Value("caught inner"));
}

// Threads of this process whose nice value is `nice` (/proc/self/task/*/stat,
// field 19; the command name in parentheses may hold spaces).
int ThreadsWithNice(int nice) {
  int count = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string line;
    std::getline(in, line);
    std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    // Fields 3..19: the 17th from here is the nice value.
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19 && std::stoi(field) == nice) ++count;
    }
  }
  return count;
}

// Short calls run at the thread's own priority; a call computing past
// nice_after runs niced, and the thread gets its priority back afterwards
// (where the process may raise it again).
TEST(LimitsNiceTest, OnlyLongCallsRunNiced) {
  Limits limits = testing::TestLimits();
  limits.threads = 1;
  limits.thread_nice = 7;
  limits.nice_after = std::chrono::milliseconds(30);
  limits.watchdog_interval = std::chrono::milliseconds(5);
  auto engine = testing::MakeEngine(limits);
  ASSERT_EQ(ThreadsWithNice(7), 0);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(testing::RunJs(*engine, "exports = (x) => x + 1;", {i}).status.ok());
  }
  EXPECT_EQ(ThreadsWithNice(7), 0);

  auto spin = std::async(std::launch::async, [&engine] {
    return testing::RunJs(*engine,
                          "exports = () => { const end = Date.now() + 600;"
                          " while (Date.now() < end) {} return 1; };");
  });
  bool niced = false;
  for (int i = 0; i < 100 && !niced; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    niced = ThreadsWithNice(7) == 1;
  }
  EXPECT_TRUE(niced);
  CallResult r = spin.get();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  // Whether this process may raise a thread's priority again: a thread
  // tries, on itself.
  bool may_raise = false;
  std::thread([&may_raise] {
    const auto self = static_cast<id_t>(::gettid());
    const int own = ::getpriority(PRIO_PROCESS, self);
    may_raise = ::setpriority(PRIO_PROCESS, self, own + 1) == 0 &&
                ::setpriority(PRIO_PROCESS, self, own) == 0;
  }).join();
  EXPECT_EQ(ThreadsWithNice(7), may_raise ? 0 : 1);
}

}  // namespace
}  // namespace plinth::js::mozjs
