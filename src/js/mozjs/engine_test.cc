// The engine as a whole: calls, promises, isolation, the compile cache, the
// host seam (including re-entrant nested calls), console capture, the pool.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <thread>
#include <vector>

#include "js/mozjs/test_util.h"

namespace plinth::js::mozjs {
namespace {

using base::ErrorCode;
using testing::Canonical;
using testing::MakeEngine;
using testing::RunJs;

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { engine_ = MakeEngine().release(); }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static Engine* engine_;
};
Engine* EngineTest::engine_ = nullptr;

TEST_F(EngineTest, SyncExports) {
  CallResult r = RunJs(*engine_, "exports = function(a, b) { return a + b; };", {1, 2});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.value, doc::Value(3));
}

TEST_F(EngineTest, AsyncExports) {
  CallResult r = RunJs(*engine_,
                       "exports = async function(x) { const y = await Promise.resolve(x * 2);"
                       " await null; return {y}; };",
                       {21});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(Canonical(r.value), R"({"y":{"$numberInt":"42"}})");
}

TEST_F(EngineTest, ModuleExports) {
  CallResult r =
      RunJs(*engine_, "function helper() { return 'h'; }\nmodule.exports = () => helper();");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.value, doc::Value("h"));
}

TEST_F(EngineTest, MissingExportsIsAnError) {
  CallResult r = RunJs(*engine_, "var x = 1;", {}, nullptr, "noexports");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_NE(r.status.message().find("noexports"), std::string::npos) << r.status.message();
}

TEST_F(EngineTest, ThrownErrorGivesItsMessage) {
  CallResult r = RunJs(*engine_, "exports = function() { throw new Error('boom'); };");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_EQ(r.status.message(), "boom");
  r = RunJs(*engine_, "exports = function() { null.x; };");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_EQ(r.status.message().rfind("TypeError: ", 0), 0u) << r.status.message();
}

TEST_F(EngineTest, ThrownNonErrorIsStringified) {
  CallResult r = RunJs(*engine_, "exports = function() { throw 'plain string'; };");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_EQ(r.status.message(), "plain string");
  r = RunJs(*engine_, "exports = function() { throw {reason: 'x', n: 1}; };");
  EXPECT_EQ(r.status.message(), R"({"reason":"x","n":1})");
  r = RunJs(*engine_, "exports = function() { throw 42; };");
  EXPECT_EQ(r.status.message(), "42");
}

TEST_F(EngineTest, RejectedPromiseGivesItsMessage) {
  CallResult r =
      RunJs(*engine_, "exports = async function() { await null; throw new Error('later'); };");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_EQ(r.status.message(), "later");
}

TEST_F(EngineTest, SyntaxErrorNamesTheLine) {
  CallResult r = RunJs(*engine_, "exports = function() {\n  return (;\n};", {}, nullptr, "broken");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_EQ(r.status.message().rfind("SyntaxError: ", 0), 0u) << r.status.message();
  EXPECT_NE(r.status.message().find("broken:2"), std::string::npos) << r.status.message();
  // Runtime errors point at the source's own lines too.
  r = RunJs(*engine_, "exports = function() {\n  return new Error('x').stack;\n};", {}, nullptr,
            "lines");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NE(r.value.as_string().find("lines:2"), std::string::npos) << r.value.as_string();
}

TEST_F(EngineTest, NeverSettlingPromiseEndsWithTimeLimitCode) {
  auto start = std::chrono::steady_clock::now();
  CallResult r = RunJs(*engine_, "exports = function() { return new Promise(() => {}); };");
  EXPECT_EQ(r.status.code(), ErrorCode::kExecutionTimeLimitExceeded);
  EXPECT_NE(r.status.message().find("never settles"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_TRUE(RunJs(*engine_, "exports = () => 1;").status.ok());
}

TEST_F(EngineTest, GlobalsDoNotLeakBetweenCalls) {
  // Implicit globals, globalThis properties, overwritten globals, the
  // runtime's objects and top-level bindings: each call starts clean.
  const std::string source =
      "let counter = 0;\n"
      "var seenBefore = typeof leaked;\n"
      "exports = function() {\n"
      "  counter++;\n"
      "  const seen = [seenBefore, typeof globalThis.viaThis, typeof BSON.injected, typeof "
      "JSON.parse,\n"
      "                typeof context.mark, counter];\n"
      "  leaked = 1; globalThis.viaThis = 2; JSON = null; context.mark = 1;\n"
      "  try { BSON.injected = 4; } catch (e) {}\n"
      "  try { BSON.ObjectId.prototype.toString = null; } catch (e) {}\n"
      "  return seen;\n"
      "};";
  for (int i = 0; i < 6; ++i) {  // several rounds: both JS threads see it twice
    CallResult r = RunJs(*engine_, source);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(Canonical(r.value),
              R"(["undefined","undefined","undefined","function","undefined",{"$numberInt":"1"}])");
  }
  // A global that cannot be removed costs the function its realm, not its
  // isolation.
  const std::string sticky =
      "exports = function() { const had = typeof sticky;"
      " Object.defineProperty(globalThis, 'sticky', {value: 1}); return had; };";
  for (int i = 0; i < 4; ++i) {
    CallResult r = RunJs(*engine_, sticky, {}, nullptr, "sticky");
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.value, doc::Value("undefined"));
  }
  // A different function does not see them either.
  CallResult r =
      RunJs(*engine_, "exports = () => typeof leaked + typeof viaThis;", {}, nullptr, "other");
  EXPECT_EQ(r.value, doc::Value("undefinedundefined"));
}

// What the quick check after a call must notice before it skips the full
// reset: an attribute changed with the value kept, a global deleted and put
// back (the same value, a new position), a value turned into an accessor, a
// global made non-extensible.
TEST_F(EngineTest, GlobalChangesThatKeepTheValueAreUndone) {
  const std::string source =
      "exports = function(step) {\n"
      "  const d = Object.getOwnPropertyDescriptor(globalThis, 'Math');\n"
      "  const seen = [d.writable, d.enumerable, typeof d.get,\n"
      "                Reflect.ownKeys(globalThis).indexOf('Math'), "
      "Object.isExtensible(globalThis)];\n"
      "  const m = Math;\n"
      "  if (step === 0) Object.defineProperty(globalThis, 'Math', {writable: false});\n"
      "  if (step === 1) Object.defineProperty(globalThis, 'Math', {enumerable: true});\n"
      "  if (step === 2) { delete globalThis.Math; globalThis.Math = m; }\n"
      "  if (step === 3) Object.defineProperty(globalThis, 'Math', {get: () => m});\n"
      "  if (step === 4) Object.preventExtensions(globalThis);\n"
      "  return seen;\n"
      "};";
  std::string pristine;
  for (int round = 0; round < 3; ++round) {  // both JS threads, each step more than once
    for (int step = 0; step < 5; ++step) {
      CallResult r = RunJs(*engine_, source, {step}, nullptr, "attributes");
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      if (pristine.empty()) pristine = Canonical(r.value);
      EXPECT_EQ(Canonical(r.value), pristine) << "round " << round << " step " << step;
    }
  }
  EXPECT_NE(pristine.find("true,false,\"undefined\""), std::string::npos) << pristine;
}

TEST_F(EngineTest, ScriptCacheFollowsSourceAndInvalidation) {
  EXPECT_EQ(RunJs(*engine_, "exports = () => 1;", {}, nullptr, "f").value, doc::Value(1));
  // Same name, new text (a new config version): the new text runs.
  EXPECT_EQ(RunJs(*engine_, "exports = () => 2;", {}, nullptr, "f").value, doc::Value(2));
  engine_->InvalidateScripts();
  EXPECT_EQ(RunJs(*engine_, "exports = () => 3;", {}, nullptr, "f").value, doc::Value(3));
  EXPECT_EQ(RunJs(*engine_, "exports = () => 3;", {}, nullptr, "f").value, doc::Value(3));
}

TEST_F(EngineTest, ConsoleIsCapturedPerCallWithLevels) {
  CallResult r = RunJs(*engine_,
                       "exports = function() { console.log('a', 1, {b: 2}); console.warn('w');"
                       " console.error(new Error('e').message); "
                       "console.info(BSON.ObjectId('0123456789abcdef01234567'));"
                       " return 0; };");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.log.size(), 4u);
  EXPECT_EQ(r.log[0].level, LogEntry::Level::kLog);
  EXPECT_EQ(r.log[0].text, R"(a 1 {"b":2})");
  EXPECT_EQ(r.log[1].level, LogEntry::Level::kWarn);
  EXPECT_EQ(r.log[2].level, LogEntry::Level::kError);
  EXPECT_EQ(r.log[2].text, "e");
  EXPECT_EQ(r.log[3].text, "0123456789abcdef01234567");
  // The log comes back with errors too.
  r = RunJs(*engine_, "exports = function() { console.log('before'); throw new Error('x'); };");
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_EQ(r.log[0].text, "before");
}

TEST_F(EngineTest, RequireNamesTheModule) {
  CallResult r = RunJs(*engine_, "exports = function() { return require('lodash'); };");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_NE(r.status.message().find("'lodash'"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("dependencies are not supported"), std::string::npos);
}

// A host that records calls and answers a few methods; "functions.execute"
// runs the named source nested on the same JS thread.
class RecordingHost final : public Host {
 public:
  explicit RecordingHost(Engine* engine) : engine_(engine) {}
  base::Result<doc::Value> Invoke(std::string_view method, const doc::Array& args) override {
    calls.push_back(std::string(method) + " " + doc::ToCanonicalJson(doc::Value(args)));
    if (method == "services.get") return doc::Value(args[0] == doc::Value("mongodb-atlas"));
    if (method == "mongodb.findOne") return doc::Value(doc::Document{{"_id", 7}, {"name", "x"}});
    if (method == "mongodb.find")
      return doc::Value(doc::Array{doc::Document{{"n", 1}}, doc::Document{{"n", 2}}});
    if (method == "mongodb.insertOne")
      return base::Status(ErrorCode::kDuplicateKey, "duplicate key");
    if (method == "values.get") return doc::Value(doc::Undefined{});
    if (method == "functions.execute") {
      CallRequest nested;
      nested.script = Script::Make(args[0].as_string(), sources.at(args[0].as_string()));
      for (std::size_t i = 1; i < args.size(); ++i) nested.arguments.Append(args[i]);
      nested.host = self.lock();
      CallResult r = engine_->CallNested(nested);
      if (!r.status.ok()) return r.status;
      return r.value;
    }
    return base::Status(ErrorCode::kServiceCommandNotFound, "no " + std::string(method));
  }
  Engine* engine_;
  std::weak_ptr<Host> self;
  std::map<std::string, std::string> sources;
  std::vector<std::string> calls;
};

std::shared_ptr<RecordingHost> MakeHost(Engine* engine) {
  auto host = std::make_shared<RecordingHost>(engine);
  host->self = host;
  return host;
}

TEST_F(EngineTest, ContextServicesReturnPromisesThroughTheHost) {
  auto host = MakeHost(engine_);
  CallResult r = RunJs(
      *engine_,
      "exports = async function() {\n"
      "  const coll = context.services.get('mongodb-atlas').db('app').collection('users');\n"
      "  const p = coll.findOne({a: 1});\n"
      "  if (!(p instanceof Promise)) throw new Error('not a promise');\n"
      "  const doc = await p;\n"
      "  const all = await coll.find({}, {n: 1}).sort({n: -1}).limit(5).toArray();\n"
      "  let code = '';\n"
      "  try { await coll.insertOne({_id: 1}); } catch (e) { code = e.code + ':' + e.message; }\n"
      "  return {doc, all: all.length, code, missing: context.services.get('nope') === undefined,\n"
      "          value: context.values.get('v') === undefined};\n"
      "};",
      {}, host);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      doc::ToRelaxedJson(r.value),
      R"({"doc":{"_id":7,"name":"x"},"all":2,"code":"MongoDBError:duplicate key","missing":true,"value":true})");
  ASSERT_GE(host->calls.size(), 3u);
  EXPECT_EQ(host->calls[1],
            R"(mongodb.findOne ["mongodb-atlas","app","users",{"a":{"$numberInt":"1"}}])");
  EXPECT_EQ(
      host->calls[2],
      R"(mongodb.find ["mongodb-atlas","app","users",{},{"n":{"$numberInt":"1"}},{"sort":{"n":{"$numberInt":"-1"}},"limit":{"$numberInt":"5"}}])");
}

TEST_F(EngineTest, ContextCarriesTheCallInfo) {
  CallRequest request;
  request.script =
      Script::Make("info",
                   "exports = () => ({id: context.user.id, tag: context.environment.tag,"
                   " sys: context.runningAsSystem(), req: context.request === undefined});");
  request.info.user = doc::Document{{"id", "u1"}, {"type", "normal"}};
  request.info.environment = doc::Document{{"tag", "production"}, {"values", doc::Document{}}};
  request.info.running_as_system = true;
  CallResult r = engine_->Call(std::move(request)).get();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(doc::ToRelaxedJson(r.value), R"({"id":"u1","tag":"production","sys":true,"req":true})");
}

TEST_F(EngineTest, NestedCallsRunInlineAndIsolated) {
  auto host = MakeHost(engine_);
  host->sources["inner"] =
      "exports = async function(x) { await null; console.log('inner', x);"
      " if (x === 'fail') throw new Error('inner failed'); globalThis.innerMark = 1;"
      " return {x, outerMark: typeof outerMark}; };";
  CallResult r = RunJs(
      *engine_,
      "exports = async function() {\n"
      "  globalThis.outerMark = 1;\n"
      "  const a = await context.functions.execute('inner', 'hi');\n"
      "  let err = '';\n"
      "  try { await context.functions.execute('inner', 'fail'); } catch (e) { err = e.message; }\n"
      "  return {a, err, innerMark: typeof innerMark};\n"
      "};",
      {}, host);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      doc::ToRelaxedJson(r.value),
      R"({"a":{"x":"hi","outerMark":"undefined"},"err":"inner failed","innerMark":"undefined"})");
  ASSERT_EQ(r.log.size(), 2u);
  EXPECT_EQ(r.log[0].text, "inner hi");
}

TEST_F(EngineTest, NestingDepthIsLimited) {
  auto host = MakeHost(engine_);
  host->sources["self"] = "exports = (n) => context.functions.execute('self', n + 1);";
  CallResult r = RunJs(*engine_, host->sources["self"], {0}, host, "self");
  EXPECT_EQ(r.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_NE(r.status.message().find("nested deeper than"), std::string::npos) << r.status.message();
}

TEST_F(EngineTest, CallNestedOffAJsThreadIsRefused) {
  CallRequest request;
  request.script = Script::Make("x", "exports = () => 1;");
  EXPECT_EQ(engine_->CallNested(request).status.code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace plinth::js::mozjs
