// FunctionRuntime on the real SpiderMonkey engine and SQLite store: who a call
// runs as, client checks, context.* through the host, %function in rules.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/error_code.h"
#include "base/random.h"
#include "config/config_error.h"
#include "config/data_source.h"
#include "config/value_config.h"
#include "doc/ejson.h"
#include "functions/function_runtime.h"
#include "functions/service_call.h"
#include "js/mozjs/mozjs_engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::functions {
namespace {

using base::ErrorCode;
using ::testing::HasSubstr;

constexpr char kAlice[] = "65a000000000000000000001";
constexpr char kBob[] = "65a000000000000000000002";

doc::Value Json(const std::string& text) {
  base::Result<doc::Value> value = doc::ParseJson(text);
  EXPECT_TRUE(value.ok()) << value.status().ToString() << " in " << text;
  return value.ok() ? *value : doc::Value();
}

config::CollectionRules Rules(const std::string& db, const std::string& coll,
                              const std::string& text) {
  std::vector<config::ConfigError> errors;
  config::FileDiagnostics diag("rules.json", &errors, nullptr);
  config::CollectionRules rules = config::ParseCollectionRules(Json(text), db, coll, &diag);
  EXPECT_TRUE(errors.empty()) << config::FormatConfigErrors(errors);
  rules.has_rules_file = true;
  return rules;
}

config::FunctionConfig Fn(std::string name, std::string source) {
  config::FunctionConfig f;
  f.name = std::move(name);
  f.source = std::move(source);
  return f;
}

class FunctionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    js::Limits limits;
    limits.threads = 1;
    limits.time_limit = std::chrono::milliseconds(5000);
    base::Result<std::unique_ptr<js::Engine>> engine = js::mozjs::CreateEngine(limits);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    js_ = std::move(engine).value().release();
  }
  static void TearDownTestSuite() {
    delete js_;
    js_ = nullptr;
  }

  void SetUp() override {
    base::Result<std::unique_ptr<storage::Engine>> store =
        storage::OpenSqliteEngine(storage::SqliteOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();

    app_.root.app_id = "fn-app";
    app_.root.name = "fn-app";
    config::DataSourceConfig ds;
    ds.name = "mongodb-atlas";
    ds.type = "mongodb-atlas";
    ds.dir = "data_sources/mongodb-atlas";
    // Owners see and write their own notes only.
    ds.collections.push_back(Rules("appdb", "notes", R"({"roles": [
      {"name": "owner", "apply_when": {"owner_id": "%%user.id"}, "read": true, "write": true}]})"));
    // Readable when the function isEven says the document's n is even.
    ds.collections.push_back(Rules("appdb", "numbers", R"({"roles": [
      {"name": "even", "apply_when": {"%%true": {"%function": {"name": "isEven",
         "arguments": ["%%root.n"]}}}, "read": true}]})"));
    app_.data_sources.push_back(std::move(ds));
    config::ValueConfig greeting;
    greeting.name = "greeting";
    greeting.value = doc::Value("hello");
    app_.values.push_back(greeting);

    app_.functions.push_back(Fn("add", "exports = function(a, b) { return a + b; };"));
    app_.functions.push_back(Fn("echo", "exports = async function(...args) { return args; };"));
    app_.functions.push_back(Fn("isEven", "exports = (n) => n % 2 === 0;"));
    config::FunctionConfig hidden = Fn("hidden", "exports = () => 'secret';");
    hidden.is_private = true;
    app_.functions.push_back(hidden);
    config::FunctionConfig gated = Fn("gated", "exports = () => 'in';");
    gated.can_evaluate = Json(R"({"%%user.custom_data.plan": "pro"})");
    app_.functions.push_back(gated);
    app_.functions.push_back(Fn("whoami", R"(exports = () => ({
        id: context.user.id, type: context.user.type, color: context.user.custom_data.color,
        system: context.runningAsSystem(), app: context.app.id,
        greeting: context.values.get("greeting"), none: context.values.get("nope") === undefined}))"));
    const char* notes = R"(exports = async function(owner, text) {
        const c = context.services.get("mongodb-atlas").db("appdb").collection("notes");
        await c.insertOne({owner_id: owner, text});
        return (await c.find({}, {_id: 0, text: 1}).sort({text: 1}).toArray()).map(d => d.text);
      };)";
    app_.functions.push_back(Fn("notes", notes));
    config::FunctionConfig notes_system = Fn("notesAsSystem", notes);
    notes_system.run_as_system = true;
    app_.functions.push_back(notes_system);
    app_.functions.push_back(Fn("numbers", R"(exports = async () =>
        (await context.services.get("mongodb-atlas").db("appdb").collection("numbers")
            .find({}, {_id: 0}).toArray()).map(d => d.n);)"));
    app_.functions.push_back(Fn("twice", R"(exports = (x) =>
        context.functions.execute("add", x, x) + context.functions.execute("hidden").length;)"));
    app_.functions.push_back(Fn("page", R"(exports = async () =>
        (await context.services.get("mongodb-atlas").db("appdb").collection("notes")
           .find({}).sort({text: 1}).skip(1).limit(1).toArray()).map(d => d.text);)"));
    app_.functions.push_back(Fn("noService", R"(exports = () => context.services.get("nope"))"));
    app_.functions.push_back(
        Fn("http", R"(exports = async () => context.http.get({url: "http://example.com"}))"));

    // The seed's user creation function, read from the quickstart unmodified.
    std::ifstream seed(std::string(PLINTH_SOURCE_DIR) +
                       "/examples/quickstart/functions/onUserCreation.js");
    std::stringstream seed_source;
    seed_source << seed.rdbuf();
    ASSERT_FALSE(seed_source.str().empty());
    config::FunctionConfig on_create = Fn("onUserCreation", seed_source.str());
    on_create.is_private = true;
    app_.functions.push_back(on_create);

    services::DataAccess::Deps deps{store_.get(), &clock_, &random_, nullptr};
    base::Result<std::unique_ptr<services::DataAccess>> data =
        services::DataAccess::Create(app_, deps);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    data_ = std::move(data).value();
    base::Result<std::unique_ptr<FunctionRuntime>> runtime =
        FunctionRuntime::Create(app_, RuntimeDeps{js_, data_.get(), nullptr});
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    runtime_ = std::move(runtime).value();
    data_->SetFunctionCaller(runtime_.get());
  }

  static services::DataCaller User(const std::string& id, const std::string& custom = "{}") {
    return services::DataCaller::User(doc::Document{{"id", doc::Value(id)},
                                                    {"type", doc::Value("normal")},
                                                    {"data", doc::Value(doc::Document{})},
                                                    {"custom_data", Json(custom)},
                                                    {"identities", doc::Value(doc::Array{})}});
  }

  // A client call, waited for.
  js::CallResult Client(const services::DataCaller& caller, const std::string& name,
                        const std::string& args_json) {
    auto promise = std::make_shared<std::promise<js::CallResult>>();
    std::future<js::CallResult> future = promise->get_future();
    base::Status queued =
        runtime_->CallFromClient(caller, name, Json(args_json).as_array(), "req-1",
                                 [promise](js::CallResult r) { promise->set_value(std::move(r)); });
    if (!queued.ok()) {
      js::CallResult refused;
      refused.status = queued;
      return refused;
    }
    return future.get();
  }

  std::string Canonical(const js::CallResult& r) {
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    return doc::ToCanonicalJson(r.value);
  }

  static js::Engine* js_;
  std::unique_ptr<storage::Engine> store_;
  base::SystemClock clock_;
  base::SystemRandom random_;
  config::AppConfig app_;
  std::unique_ptr<services::DataAccess> data_;
  std::unique_ptr<FunctionRuntime> runtime_;
};

js::Engine* FunctionsTest::js_ = nullptr;

TEST_F(FunctionsTest, ClientCallRoundTripsTypes) {
  EXPECT_EQ(Canonical(Client(User(kAlice), "add", "[2, 3]")), R"({"$numberInt":"5"})");
  const std::string args =
      R"([{"$numberDouble":"1.5"},"s",{"$date":{"$numberLong":"1700000000000"}},)"
      R"({"$oid":"65a000000000000000000009"},{"a":[{"$numberLong":"9007199254740993"},null]}])";
  EXPECT_EQ(Canonical(Client(User(kAlice), "echo", args)), doc::ToCanonicalJson(Json(args)));
}

TEST_F(FunctionsTest, UnknownPrivateAndCanEvaluateAreRefused) {
  EXPECT_EQ(Client(User(kAlice), "nope", "[]").status.code(), ErrorCode::kFunctionNotFound);
  js::CallResult hidden = Client(User(kAlice), "hidden", "[]");
  EXPECT_EQ(hidden.status.code(), ErrorCode::kNotCallable);
  EXPECT_EQ(Client(User(kAlice), "gated", "[]").status.code(), ErrorCode::kNotCallable);
  EXPECT_EQ(Canonical(Client(User(kAlice, R"({"plan": "pro"})"), "gated", "[]")), R"("in")");
}

TEST_F(FunctionsTest, ContextShowsCallerValuesAndApp) {
  js::CallResult r = Client(User(kAlice, R"({"color": "blue"})"), "whoami", "[]");
  EXPECT_EQ(doc::ToRelaxedJson(r.value),
            std::string(R"({"id":")") + kAlice +
                R"(","type":"normal","color":"blue","system":false,"app":"fn-app",)"
                R"("greeting":"hello","none":true})");
  js::CallResult system = runtime_->Run(services::DataCaller::System(), "whoami", doc::Array{});
  ASSERT_TRUE(system.status.ok()) << system.status.ToString();
  EXPECT_EQ(system.value.as_document().Get("type")->as_string(), "system");
  EXPECT_TRUE(system.value.as_document().Get("system")->as_bool());
}

TEST_F(FunctionsTest, ServicesRunUnderTheCallersRules) {
  EXPECT_EQ(Canonical(Client(User(kAlice), "notes", std::string(R"([")") + kAlice + R"(", "a1"])")),
            R"(["a1"])");
  EXPECT_EQ(Canonical(Client(User(kBob), "notes", std::string(R"([")") + kBob + R"(", "b1"])")),
            R"(["b1"])");
  // Inserting a note owned by someone else is a rule refusal.
  js::CallResult forged = Client(User(kBob), "notes", std::string(R"([")") + kAlice + R"(", "x"])");
  EXPECT_EQ(forged.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_THAT(forged.status.message(), HasSubstr("insert not permitted"));
  // The run_as_system copy sees and writes everything, and still knows its caller.
  EXPECT_EQ(
      Canonical(Client(User(kBob), "notesAsSystem", std::string(R"([")") + kAlice + R"(", "a2"])")),
      R"(["a1","a2","b1"])");
  EXPECT_EQ(Canonical(Client(User(kAlice), "page", "[]")), R"(["a2"])");
}

TEST_F(FunctionsTest, NestedCallsRunInlineAndMayCallPrivateFunctions) {
  EXPECT_EQ(Canonical(Client(User(kAlice), "twice", "[20]")), R"({"$numberInt":"46"})");
}

TEST_F(FunctionsTest, FunctionInRulesDecidesPerDocument) {
  auto coll = store_->GetCollection("fn-app", "appdb.numbers");
  ASSERT_TRUE(coll.ok());
  for (int n = 1; n <= 4; ++n) ASSERT_TRUE((*coll)->InsertOne(doc::Document{{"n", n}}).ok());
  // From JS (nested on the JS thread) ...
  EXPECT_EQ(Canonical(Client(User(kAlice), "numbers", "[]")),
            R"([{"$numberInt":"2"},{"$numberInt":"4"}])");
  // ... and from a client's service call (blocking on the JS pool).
  base::Result<doc::Value> direct = data_->Call(
      User(kAlice), "mongodb-atlas", "find",
      Json(R"([{"database": "appdb", "collection": "numbers", "projection": {"_id": 0}}])"));
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  EXPECT_EQ(doc::ToRelaxedJson(*direct), R"([{"n":2},{"n":4}])");
}

TEST_F(FunctionsTest, SeedUserCreationFunctionRunsAsSystem) {
  doc::Value user = Json(std::string(R"({"id": ")") + kAlice +
                         R"(", "type": "normal", "data": {}, "identities": []})");
  js::CallResult r =
      runtime_->Run(services::DataCaller::System(), "onUserCreation", doc::Array{user});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  auto users = store_->GetCollection("fn-app", "myapp.users");
  ASSERT_TRUE(users.ok());
  base::Result<std::optional<doc::Document>> found =
      (*users)->FindOne(doc::Document{{"user_account_id", doc::Value(kAlice)}});
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->Get("favorite_color")->as_string(), "blue");
  // The same source as a user fails: myapp.users has no rules here.
  js::CallResult as_user = runtime_->Run(User(kBob), "onUserCreation", doc::Array{user});
  EXPECT_EQ(as_user.status.code(), ErrorCode::kFunctionExecutionError);
}

TEST_F(FunctionsTest, SystemCallsCanWriteIntoAStage) {
  doc::Value user = Json(std::string(R"({"id": ")") + kAlice + R"("})");
  std::unique_ptr<storage::Stage> stage = store_->NewStage();
  base::Result<doc::Value> r =
      runtime_->RunAsSystem("onUserCreation", doc::Array{user}, &stage->view());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto count = [&](storage::Engine& engine) {
    auto users = engine.GetCollection("fn-app", "myapp.users");
    EXPECT_TRUE(users.ok());
    return *(*users)->CountDocuments(doc::Document{});
  };
  EXPECT_EQ(count(stage->view()), 1);
  EXPECT_EQ(count(*store_), 0);  // held back until the stage commits
  ASSERT_TRUE(stage->Commit().ok());
  EXPECT_EQ(count(*store_), 1);
}

TEST_F(FunctionsTest, UnavailableContextPartsFailClearly) {
  // An unknown service is undefined, which EJSON carries as such.
  EXPECT_EQ(doc::ToCanonicalJson(Client(User(kAlice), "noService", "[]").value),
            R"({"$undefined":true})");
  js::CallResult http = Client(User(kAlice), "http", "[]");
  EXPECT_EQ(http.status.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_THAT(http.status.message(), HasSubstr("context.http is not available"));
}

TEST_F(FunctionsTest, RunAsUserIdIsRefusedAtLoad) {
  config::FunctionConfig f = Fn("as", "exports = () => 1;");
  f.run_as_user_id = kAlice;
  base::Result<FunctionCatalog> catalog = FunctionCatalog::Build({f});
  EXPECT_EQ(catalog.status().code(), ErrorCode::kInvalidConfig);
  config::FunctionConfig bad = Fn("bad", "exports = () => 1;");
  bad.can_evaluate = Json(R"({"%%root.x": 1})");
  EXPECT_EQ(FunctionCatalog::Build({bad}).status().code(), ErrorCode::kInvalidConfig);
}

TEST(ServiceCallTest, TranslatesCollectionMethods) {
  auto call = [](const std::string& method, const std::string& args) {
    base::Result<ServiceCall> c = ToServiceCall(method, Json(args).as_array());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->action + " " + doc::ToRelaxedJson(c->arguments) : c.status().ToString();
  };
  EXPECT_EQ(call("findOneAndUpdate",
                 R"(["s","d","c",{"a":1},{"$set":{"b":2}},{"upsert":true,"session":{}}])"),
            R"(findOneAndUpdate [{"database":"d","collection":"c","query":{"a":1},)"
            R"("update":{"$set":{"b":2}},"upsert":true}])");
  EXPECT_EQ(call("countDocuments", R"(["s","d","c"])"),
            R"(count [{"database":"d","collection":"c"}])");
  EXPECT_EQ(call("find", R"(["s","d","c",{"a":1},null,{"skip":2,"limit":3}])"),
            R"(aggregate [{"database":"d","collection":"c","pipeline":[{"$match":{"a":1}},)"
            R"({"$skip":2},{"$limit":3}]}])");
  EXPECT_EQ(call("distinct", R"(["s","d","c","tag",{"a":1}])"),
            R"(distinct [{"database":"d","collection":"c","key":"tag","query":{"a":1}}])");
  EXPECT_EQ(ToServiceCall("bulkWrite", Json(R"(["s","d","c",[]])").as_array()).status().code(),
            ErrorCode::kServiceCommandNotFound);
  EXPECT_EQ(ToServiceCall("find", Json(R"(["s",1,"c"])").as_array()).status().code(),
            ErrorCode::kInvalidParameter);
}

}  // namespace
}  // namespace plinth::functions
