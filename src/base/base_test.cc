#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/error_code.h"
#include "base/hex.h"
#include "base/json_escape.h"
#include "base/logger.h"
#include "base/random.h"
#include "base/result.h"
#include "base/status.h"
#include "base/utf8.h"
#include "base/work_pool.h"

namespace plinth::base {
namespace {

TEST(StatusTest, OkAndErrorCarryCodeAndMessage) {
  EXPECT_TRUE(Status().ok());
  Status s(ErrorCode::kInvalidSession, "access token expired");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "InvalidSession: access token expired");
  EXPECT_EQ(s.WithContext("refresh").message(), "refresh: access token expired");
  EXPECT_EQ(s.WithContext("refresh").code(), ErrorCode::kInvalidSession);
}

Result<int> Half(int x) {
  if (x % 2) return Status(ErrorCode::kBadValue, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  PLINTH_ASSIGN_OR_RETURN(int h, Half(x));
  PLINTH_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(ResultTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kBadValue);
}

TEST(ErrorCodeTest, TableHasUniqueNumbersAndKnownMappings) {
  std::size_t n = 0;
  const ErrorCodeInfo* rows = AllErrorCodes(&n);
  std::set<int> numbers;
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_TRUE(numbers.insert(static_cast<int>(rows[i].code)).second) << rows[i].symbol;
    EXPECT_GE(rows[i].http_status, 200);
    EXPECT_LT(rows[i].http_status, 600);
  }
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidSession), "InvalidSession");
  EXPECT_EQ(HttpStatusOf(ErrorCode::kInvalidSession), 401);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kApiKeyNotFound), "APIKeyNotFound");
  EXPECT_EQ(HttpStatusOf(ErrorCode::kAppNotFound), 404);
  EXPECT_EQ(HttpStatusOf(ErrorCode::kBodyTooLarge), 413);
  EXPECT_EQ(HttpStatusOf(ErrorCode::kHeaderTooLarge), 431);
  EXPECT_EQ(HttpStatusOf(ErrorCode::kNoMatchingRuleFound), 403);
  EXPECT_EQ(ErrorCodeSymbol(ErrorCode::kUserDisabled), "UserDisabled");
}

// docs/error-codes.md is the human copy of error_codes.inc; keep them in step.
TEST(ErrorCodeTest, DocumentedTableMatchesCode) {
  std::ifstream in(std::string(PLINTH_SOURCE_DIR) + "/docs/error-codes.md");
  ASSERT_TRUE(in) << "docs/error-codes.md is missing";
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  std::size_t n = 0;
  const ErrorCodeInfo* rows = AllErrorCodes(&n);
  for (std::size_t i = 1; i < n; ++i) {
    std::ostringstream row;
    row << "| " << static_cast<int>(rows[i].code) << " | " << rows[i].symbol << " | `"
        << rows[i].app_code << "` | " << rows[i].http_status << " |";
    EXPECT_NE(text.find(row.str()), std::string::npos) << "missing row: " << row.str();
  }
}

TEST(ClockTest, FakeClockMovesOnlyWhenAdvanced) {
  FakeClock clock;
  auto t0 = clock.Now();
  auto s0 = clock.SteadyNow();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(std::chrono::seconds(30));
  EXPECT_EQ(clock.Now() - t0, std::chrono::seconds(30));
  EXPECT_EQ(clock.SteadyNow() - s0, std::chrono::seconds(30));
  EXPECT_EQ(clock.NowMillis(), 1'700'000'030'000);
}

TEST(RandomTest, SeededIsRepeatableAndSystemIsNot) {
  SeededRandom a(42), b(42);
  EXPECT_EQ(a.Hex(16), b.Hex(16));
  EXPECT_EQ(SystemRandom::Default()->Hex(16).size(), 32u);
  EXPECT_NE(SystemRandom::Default()->Hex(16), SystemRandom::Default()->Hex(16));
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.Uniform(7), 7u);
}

// Small requests come from a per-thread block of kernel output: values stay
// distinct across threads and block refills, and large requests still work.
TEST(RandomTest, SystemRandomValuesAreDistinct) {
  SystemRandom* random = SystemRandom::Default();
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 2000; ++i) mine.push_back(random->Hex(12));
      std::lock_guard<std::mutex> lock(mu);
      seen.insert(mine.begin(), mine.end());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), 8000u);
  EXPECT_EQ(random->Hex(1000).size(), 2000u);
  EXPECT_NE(random->Hex(1000), random->Hex(1000));
}

// A forked child must not hand out the bytes its parent buffered before the
// fork: both would issue the same ids.
TEST(RandomTest, ForkedChildDoesNotRepeatTheParentsBytes) {
  SystemRandom* random = SystemRandom::Default();
  (void)random->Hex(8);  // the parent's block is filled
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string mine = random->Hex(8);
    ssize_t wrote = write(fds[1], mine.data(), mine.size());
    _exit(wrote == static_cast<ssize_t>(mine.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string from_child(16, '\0');
  ASSERT_EQ(read(fds[0], from_child.data(), from_child.size()), 16);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_NE(random->Hex(8), from_child);
}

TEST(HexTest, EncodesAndDecodesDigits) {
  const unsigned char bytes[] = {0x00, 0x7f, 0xa5, 0xff};
  EXPECT_EQ(HexEncode(bytes, sizeof bytes), "007fa5ff");
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('/'), -1);
}

TEST(Utf8Test, AcceptsShortestFormAndRejectsTheRest) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(Utf8SequenceLength("a\xC3\xA9", 1), 2u);
}

TEST(JsonEscapeTest, EscapesControlQuotesAndInvalidUtf8) {
  EXPECT_EQ(JsonString("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(JsonString(std::string("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(JsonString("h\xC3\xA9"), "\"h\xC3\xA9\"");
  EXPECT_EQ(JsonString("bad\xFF"), "\"bad\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

// Plain runs are copied in bulk: escapes between, at the ends and next to
// multi-byte characters must still land in place, and DEL is escaped.
TEST(JsonEscapeTest, PlainRunsAroundEscapes) {
  EXPECT_EQ(JsonString("\"abc\tdef\\"), "\"\\\"abc\\tdef\\\\\"");
  EXPECT_EQ(JsonString("x\x7Fy\xC3\xA9z"), "\"x\\u007fy\xC3\xA9z\"");
  std::string out = "keep:";
  AppendJsonString(&out, std::string(3000, 'a') + "\n" + std::string(5, 'b'));
  EXPECT_EQ(out, "keep:\"" + std::string(3000, 'a') + "\\n" + std::string(5, 'b') + "\"");
  EXPECT_EQ(JsonString(""), "\"\"");
}

TEST(LoggerTest, WritesOneJsonObjectPerLineAndFiltersLevels) {
  FakeClock clock;
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  JsonLinesLogger logger(LogLevel::kInfo, f, &clock);
  logger.Debug("hidden");
  logger.Info("request", {{"route", "location"}, {"status", 200}, {"ok", true}});
  std::rewind(f);
  char buf[512] = {};
  ASSERT_NE(std::fgets(buf, sizeof buf, f), nullptr);
  EXPECT_STREQ(
      buf,
      "{\"ts\":1700000000000,\"level\":\"info\",\"msg\":\"request\",\"route\":\"location\","
      "\"status\":200,\"ok\":true}\n");
  EXPECT_EQ(std::fgets(buf, sizeof buf, f), nullptr);
  std::fclose(f);
  LogLevel level;
  EXPECT_TRUE(ParseLogLevel("warn", &level));
  EXPECT_EQ(level, LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud", &level));
}

}  // namespace
}  // namespace plinth::base

namespace plinth::base {
namespace {

TEST(WorkPoolTest, RunsQueuedWorkAndRefusesBeyondTheBound) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> ran{0};
  WorkPool pool(1, 2);
  auto blocker = [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
    ran.fetch_add(1);
  };
  ASSERT_TRUE(pool.TrySubmit(blocker));  // running (or about to)
  // Wait until the worker has taken the first task off the queue.
  while (pool.queued() != 0) std::this_thread::yield();
  EXPECT_TRUE(pool.TrySubmit([&] { ran.fetch_add(1); }));
  EXPECT_TRUE(pool.TrySubmit([&] { ran.fetch_add(1); }));
  EXPECT_FALSE(pool.TrySubmit([&] { ran.fetch_add(100); }));  // queue full
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  pool.Shutdown();  // queued work still runs
  EXPECT_EQ(ran.load(), 3);
  EXPECT_FALSE(pool.TrySubmit([] {}));
}

}  // namespace
}  // namespace plinth::base

namespace plinth::base {
namespace {

TEST(WorkPoolTest, NicedThreadsRunAtLowerPriority) {
  const int before = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
  std::atomic<int> seen{-100};
  {
    WorkPool pool(1, 1, 5);
    ASSERT_TRUE(pool.TrySubmit(
        [&] { seen = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid))); }));
  }
  EXPECT_EQ(seen.load(), std::min(before + 5, 19));
  // The calling thread is untouched.
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid))), before);
}

}  // namespace
}  // namespace plinth::base
