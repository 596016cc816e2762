#include "config/app_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/logger.h"
#include "base/temp_dir_for_test.h"
#include "config/app_validator.h"
#include "config/secrets.h"

namespace plinth::config {
namespace {

using base::TempDirForTest;

using ::testing::HasSubstr;

const std::filesystem::path kQuickstart =
    std::filesystem::path(PLINTH_SOURCE_DIR) / "examples" / "quickstart";

// True when some error has this file and field and its message contains `part`.
bool HasError(const std::vector<ConfigError>& errors, const std::string& file,
              const std::string& field, const std::string& part = "") {
  for (const ConfigError& e : errors) {
    if (e.file == file && e.field == field && e.message.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string Dump(const std::vector<ConfigError>& errors) { return FormatConfigErrors(errors); }

void WriteMinimalApp(const TempDirForTest& dir) {
  dir.Write("root_config.json",
            R"({"app_id":"test-abcde","config_version":20230101,"name":"test"})");
  dir.Write("auth/providers.json", R"({"anon-user":{"name":"anon-user","type":"anon-user"}})");
}

TEST(QuickstartTest, LoadsWithExactValues) {
  base::CapturingLogger logger;
  LoadResult result = LoadAppCollectingErrors(kQuickstart, &logger);
  ASSERT_TRUE(result.ok()) << Dump(result.errors);
  ASSERT_TRUE(result.app.has_value());
  const AppConfig& app = *result.app;
  EXPECT_FALSE(logger.Contains("\"level\":\"warn\"")) << ::testing::PrintToString(logger.Lines());

  EXPECT_EQ(app.layout, ConfigLayout::kRootConfig);
  EXPECT_EQ(app.root_file, "root_config.json");
  EXPECT_EQ(app.root.config_version, 20230101);
  EXPECT_EQ(app.root.app_id, "quickstart-abcde");
  EXPECT_EQ(app.root.name, "quickstart");
  EXPECT_EQ(app.root.location, "US-VA");
  EXPECT_EQ(app.root.deployment_model, "GLOBAL");
  EXPECT_EQ(app.root.environment, "");
  EXPECT_TRUE(app.root.allowed_request_origins.empty());

  // Custom user data.
  const CustomUserDataConfig& cud = app.custom_user_data;
  EXPECT_TRUE(cud.enabled);
  EXPECT_EQ(cud.mongo_service_name, "mongodb-atlas");
  EXPECT_EQ(cud.database_name, "myapp");
  EXPECT_EQ(cud.collection_name, "users");
  EXPECT_EQ(cud.user_id_field, "user_account_id");
  EXPECT_EQ(cud.on_user_creation_function_name, "onUserCreation");

  // Providers.
  ASSERT_EQ(app.auth_providers.size(), 3u);
  const AuthProvider* anon = app.FindProvider("anon-user");
  ASSERT_NE(anon, nullptr);
  EXPECT_EQ(anon->type, ProviderType::kAnonUser);
  EXPECT_FALSE(anon->disabled);
  const AuthProvider* userpass = app.FindProvider("local-userpass");
  ASSERT_NE(userpass, nullptr);
  EXPECT_FALSE(userpass->disabled);
  ASSERT_TRUE(userpass->local_userpass.has_value());
  EXPECT_TRUE(userpass->local_userpass->auto_confirm);
  EXPECT_FALSE(userpass->local_userpass->run_confirmation_function);
  EXPECT_FALSE(userpass->local_userpass->run_reset_function);
  EXPECT_EQ(userpass->local_userpass->reset_function_name, "");
  const AuthProvider* api_key = app.FindProvider("api-key");
  ASSERT_NE(api_key, nullptr);
  EXPECT_TRUE(api_key->disabled);

  // Functions.
  ASSERT_EQ(app.functions.size(), 2u);
  const FunctionConfig* on_create = app.FindFunction("onUserCreation");
  ASSERT_NE(on_create, nullptr);
  EXPECT_TRUE(on_create->is_private);
  EXPECT_TRUE(on_create->in_manifest);
  EXPECT_EQ(on_create->source_file, "functions/onUserCreation.js");
  EXPECT_THAT(on_create->source, HasSubstr("exports = async function onUserCreation(user)"));
  EXPECT_THAT(on_create->source, HasSubstr("favorite_color: \"blue\""));
  EXPECT_EQ(on_create->can_evaluate, doc::Value(doc::Document{}));
  EXPECT_FALSE(on_create->run_as_system);
  const FunctionConfig* last_login = app.FindFunction("recordLastLogin");
  ASSERT_NE(last_login, nullptr);
  EXPECT_TRUE(last_login->is_private);
  EXPECT_THAT(last_login->source, HasSubstr("lastLogin: new Date()"));
  EXPECT_THAT(last_login->source, HasSubstr("updateOne"));

  // Data source and rules (app-config §4.2).
  ASSERT_EQ(app.data_sources.size(), 1u);
  const DataSourceConfig* ds = app.FindDataSource("mongodb-atlas");
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->type, "mongodb-atlas");
  EXPECT_EQ(ds->cluster_name, "Cluster0");
  EXPECT_EQ(ds->read_preference, "primary");
  EXPECT_FALSE(ds->default_rule.has_value());
  ASSERT_EQ(ds->collections.size(), 1u);
  const CollectionRules* users = ds->FindCollection("myapp", "users");
  ASSERT_NE(users, nullptr);
  EXPECT_TRUE(users->has_rules_file);
  EXPECT_EQ(users->file, "data_sources/mongodb-atlas/myapp/users/rules.json");
  EXPECT_EQ(ds->RulesFor("myapp", "users"), &users->rules);
  EXPECT_EQ(ds->RulesFor("myapp", "other"), nullptr);
  ASSERT_EQ(users->rules.roles.size(), 1u);
  const Role& owner = users->rules.roles[0];
  const doc::Value own_doc = doc::Document{{"user_account_id", "%%user.id"}};
  EXPECT_EQ(owner.name, "owner");
  EXPECT_EQ(owner.apply_when, own_doc);
  ASSERT_TRUE(owner.document_filters.read.has_value());
  EXPECT_EQ(*owner.document_filters.read, own_doc);
  ASSERT_TRUE(owner.document_filters.write.has_value());
  EXPECT_EQ(*owner.document_filters.write, own_doc);
  ASSERT_TRUE(owner.read.has_value());
  EXPECT_EQ(*owner.read, doc::Value(true));
  ASSERT_TRUE(owner.write.has_value());
  EXPECT_EQ(*owner.write, doc::Value(true));
  EXPECT_EQ(owner.insert, doc::Value(false));
  EXPECT_EQ(owner.delete_, doc::Value(false));
  EXPECT_EQ(owner.search, doc::Value(false));
  EXPECT_TRUE(owner.fields.empty());
  EXPECT_FALSE(owner.additional_fields.read.has_value());
  ASSERT_EQ(users->rules.filters.size(), 1u);
  const Filter& own = users->rules.filters[0];
  EXPECT_EQ(own.name, "own");
  EXPECT_EQ(own.apply_when, doc::Value(doc::Document{}));
  EXPECT_EQ(doc::Value(own.query), own_doc);
  EXPECT_TRUE(own.projection.empty());

  // Trigger.
  ASSERT_EQ(app.triggers.size(), 1u);
  const TriggerConfig* trigger = app.FindTrigger("recordLastLogin");
  ASSERT_NE(trigger, nullptr);
  EXPECT_EQ(trigger->type, TriggerType::kAuthentication);
  EXPECT_FALSE(trigger->disabled);
  EXPECT_EQ(trigger->function_name, "recordLastLogin");
  ASSERT_TRUE(trigger->auth.has_value());
  EXPECT_EQ(trigger->auth->operation_type, AuthOperationType::kLogin);
  EXPECT_EQ(trigger->auth->providers, (std::vector<std::string>{"anon-user", "local-userpass"}));
  EXPECT_EQ(trigger->file, "triggers/recordLastLogin.json");

  // Values, environment, settings.
  const ValueConfig* value = app.FindValue("appName");
  ASSERT_NE(value, nullptr);
  EXPECT_FALSE(value->from_secret);
  EXPECT_EQ(value->value, doc::Value("quickstart"));
  ASSERT_NE(app.ActiveEnvironment(), nullptr);
  EXPECT_EQ(app.ActiveEnvironment()->name, "no-environment");
  EXPECT_TRUE(app.ActiveEnvironment()->values.empty());
  EXPECT_EQ(app.settings.tokens.access_token_lifetime_seconds, 1800);
}

TEST(QuickstartTest, LoadAppReturnsTheConfig) {
  base::Result<AppConfig> app = LoadApp(kQuickstart, nullptr);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->root.app_id, "quickstart-abcde");
}

TEST(LayoutTest, RealmConfigLayoutLoads) {
  TempDirForTest dir;
  dir.Write("realm_config.json", R"({
    "app_id": "legacy-xyzab", "config_version": 20210101, "name": "legacy",
    "location": "IE", "deployment_model": "LOCAL", "environment": "development",
    "allowed_request_origins": ["https://www.example.com:443", "http://localhost"]})");
  dir.Write("auth/providers.json",
            R"({"local-userpass":{"name":"local-userpass","type":"local-userpass",
                "config":{"autoConfirm":false,"emailConfirmationUrl":"https://x/confirm",
                          "resetPasswordUrl":"https://x/reset"}}})");
  dir.Write("auth/custom_user_data.json", R"({"enabled": false})");
  dir.Write("data_sources/mongodb-atlas/config.json",
            R"({"name":"mongodb-atlas","type":"mongodb-atlas","config":{"clusterName":"C"}})");
  dir.Write("data_sources/mongodb-atlas/default_rule.json",
            R"({"roles":[{"name":"readAll","apply_when":{},"read":true,"write":false}]})");
  // A 20210101 collection rule: no document_filters, empty additional_fields, an id.
  dir.Write("data_sources/mongodb-atlas/shop/items/rules.json",
            R"({"id":"5f1","roles":[{"name":"r","apply_when":{},"fields":{"price":{"read":true},
                "meta":{"fields":{"tag":{"write":true}}}},"additional_fields":{}}],"filters":[]})");
  dir.Write("environments/development.json", R"({"values":{"color":"green"}})");
  dir.Write("functions/config.json", R"([{"name":"hello","private":false}])");
  dir.Write("functions/hello.js", "exports = function() { return 'hi'; };");

  base::CapturingLogger logger;
  LoadResult result = LoadAppCollectingErrors(dir.path(), &logger);
  ASSERT_TRUE(result.ok()) << Dump(result.errors);
  const AppConfig& app = *result.app;
  EXPECT_EQ(app.layout, ConfigLayout::kRealmConfig);
  EXPECT_EQ(app.root_file, "realm_config.json");
  EXPECT_EQ(app.root.deployment_model, "LOCAL");
  EXPECT_EQ(app.root.allowed_request_origins.size(), 2u);
  EXPECT_FALSE(app.custom_user_data.enabled);
  ASSERT_NE(app.ActiveEnvironment(), nullptr);
  EXPECT_EQ(app.ActiveEnvironment()->name, "development");
  const DataSourceConfig& ds = app.data_sources.at(0);
  ASSERT_TRUE(ds.default_rule.has_value());
  EXPECT_EQ(ds.RulesFor("shop", "other"), &*ds.default_rule);
  const CollectionRules* items = ds.FindCollection("shop", "items");
  ASSERT_NE(items, nullptr);
  // database and collection came from the directory names.
  EXPECT_EQ(items->database, "shop");
  EXPECT_EQ(items->collection, "items");
  const Role& role = items->rules.roles.at(0);
  EXPECT_FALSE(role.read.has_value());  // undefined, not false
  EXPECT_FALSE(role.document_filters.read.has_value());
  EXPECT_EQ(role.insert, doc::Value(true));  // spec default
  ASSERT_EQ(role.fields.size(), 2u);
  EXPECT_EQ(role.fields[0].name, "price");
  EXPECT_EQ(role.fields[1].name, "meta");
  ASSERT_EQ(role.fields[1].fields.size(), 1u);
  EXPECT_EQ(role.fields[1].fields[0].name, "tag");
  EXPECT_EQ(*role.fields[1].fields[0].write, doc::Value(true));
  EXPECT_FALSE(role.fields[1].fields[0].read.has_value());
}

TEST(LayoutTest, LegacyLayoutIsRefusedWithAdvice) {
  TempDirForTest dir;
  dir.Write("config.json", R"({"app_id":"old-abc","config_version":20200603})");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, "config.json");
  EXPECT_THAT(result.errors[0].message, HasSubstr("legacy layout"));
  EXPECT_THAT(result.errors[0].message, HasSubstr("root_config.json"));
  EXPECT_FALSE(result.app.has_value());
}

TEST(LayoutTest, DirectoryWithoutRootFileIsRefused) {
  TempDirForTest dir;
  dir.Write("functions/a.js", "exports = () => 1;");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("not an App Services app directory"));
  LoadResult missing = LoadAppCollectingErrors(dir.path() / "nope", nullptr);
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_THAT(missing.errors[0].message, HasSubstr("does not exist"));
}

// One app directory with many different mistakes across files: every one is
// reported, each with its file and field.
TEST(ValidationTest, ReportsEveryMistakeWithFileAndField) {
  TempDirForTest dir;
  dir.Write("root_config.json",
            R"({"app_id":"bad-abcde","name":"1bad","environment":"staging",
                "deployment_model":"EVERYWHERE",
                "allowed_request_origins":["example.com","https://ok.example.com:8443"]})");
  dir.Write("auth/providers.json", R"({
      "anon-user": {"name":"anon-user","type":"anon-user","disabled":"no"},
      "github": {"name":"github","type":"oauth2-github"},
      "local-userpass": {"name":"local-userpass","type":"local-userpass",
          "config":{"autoConfirm":"yes","runResetFunction":true,"resetFunctionName":"nope"}}})");
  dir.Write("auth/custom_user_data.json",
            R"({"enabled":true,"mongo_service_name":"mongodb-atlas","database_name":"myapp",
                "collection_name":"users","on_user_creation_function_name":"onUserCreation"})");
  dir.Write("functions/config.json", R"([{"name":"ghost","private":true}])");
  dir.Write("data_sources/mongodb-atlas/config.json",
            R"({"name":"mongodb-atlas","type":"mongodb-atlas",
                "config":{"readPreference":"closest"}})");
  dir.Write("data_sources/mongodb-atlas/myapp/users/rules.json",
            R"({"database":"myapp","collection":"people","roles":[{"name":"r","read":"yes"}]})");
  dir.Write("data_sources/mongodb-atlas/myapp/empty/rules.json", "{}");
  dir.Write("triggers/login.json",
            R"({"name":"login","type":"AUTHENTICATION","config":{"operation_type":"SIGNIN",
                "providers":["anon-user"]},"function_name":"missingFn"})");
  dir.Write("triggers/broken.json", R"({"name": "broken", "type": )");
  dir.Write("values/bad.json", R"({"name":"_bad","value":1})");

  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  const auto& e = result.errors;
  EXPECT_FALSE(result.app.has_value());
  // Root file.
  EXPECT_TRUE(HasError(e, "root_config.json", "name", "must start with a letter")) << Dump(e);
  EXPECT_TRUE(HasError(e, "root_config.json", "environment", "must be one of")) << Dump(e);
  EXPECT_TRUE(HasError(e, "root_config.json", "deployment_model")) << Dump(e);
  EXPECT_TRUE(HasError(e, "root_config.json", "allowed_request_origins[0]")) << Dump(e);
  EXPECT_FALSE(HasError(e, "root_config.json", "allowed_request_origins[1]")) << Dump(e);
  // Providers: wrong type for a field, unknown provider type, missing reset function.
  EXPECT_TRUE(
      HasError(e, "auth/providers.json", "anon-user.disabled", "expected a boolean, got string"))
      << Dump(e);
  EXPECT_TRUE(HasError(e, "auth/providers.json", "github.type", "unknown provider type"))
      << Dump(e);
  EXPECT_TRUE(
      HasError(e, "auth/providers.json", "local-userpass.config.autoConfirm", "expected a boolean"))
      << Dump(e);
  EXPECT_TRUE(HasError(e, "auth/providers.json", "local-userpass.config.resetFunctionName",
                       "\"nope\" does not exist"))
      << Dump(e);
  // Custom user data: no user_id_field, creation function missing.
  EXPECT_TRUE(HasError(e, "auth/custom_user_data.json", "user_id_field", "required")) << Dump(e);
  EXPECT_TRUE(HasError(e, "auth/custom_user_data.json", "on_user_creation_function_name",
                       "\"onUserCreation\" does not exist"))
      << Dump(e);
  // Manifest entry without a source file.
  EXPECT_TRUE(HasError(e, "functions/config.json", "[0].name", "no source file")) << Dump(e);
  // Data source and rules.
  EXPECT_TRUE(HasError(e, "data_sources/mongodb-atlas/config.json", "config.readPreference"))
      << Dump(e);
  EXPECT_TRUE(HasError(e, "data_sources/mongodb-atlas/myapp/users/rules.json", "collection",
                       "does not match the directory name \"users\""))
      << Dump(e);
  EXPECT_TRUE(HasError(e, "data_sources/mongodb-atlas/myapp/users/rules.json", "roles[0].read",
                       "expected an expression"))
      << Dump(e);
  EXPECT_TRUE(HasError(e, "data_sources/mongodb-atlas/myapp/empty/rules.json", "", "empty"))
      << Dump(e);
  // Triggers: bad operation type, missing function, malformed JSON.
  EXPECT_TRUE(HasError(e, "triggers/login.json", "config.operation_type", "SIGNIN")) << Dump(e);
  EXPECT_TRUE(HasError(e, "triggers/login.json", "function_name", "\"missingFn\" does not exist"))
      << Dump(e);
  EXPECT_TRUE(HasError(e, "triggers/broken.json", "", "malformed JSON")) << Dump(e);
  // Values.
  EXPECT_TRUE(HasError(e, "values/bad.json", "name", "must start with a letter or a digit"))
      << Dump(e);

  // LoadApp folds the same list into one kInvalidConfig status, one per line.
  base::Result<AppConfig> app = LoadApp(dir.path(), nullptr);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().code(), base::ErrorCode::kInvalidConfig);
  const std::string& message = app.status().message();
  EXPECT_THAT(message, HasSubstr("invalid app config (" + std::to_string(e.size()) + " errors)"));
  EXPECT_THAT(message, HasSubstr("\nauth/providers.json: local-userpass.config.autoConfirm: "
                                 "expected a boolean, got string"));
  EXPECT_THAT(message, HasSubstr("\ntriggers/broken.json: malformed JSON"));
}

TEST(ValidationTest, CustomUserDataNeedsAMongoDataSource) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("auth/custom_user_data.json",
            R"({"enabled":true,"mongo_service_name":"lake","database_name":"d",
                "collection_name":"c","user_id_field":"u"})");
  dir.Write("data_sources/lake/config.json",
            R"({"name":"lake","type":"datalake","config":{"dataLakeName":"L"}})");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  EXPECT_TRUE(HasError(result.errors, "auth/custom_user_data.json", "mongo_service_name",
                       "needs mongodb-atlas or mongodb"))
      << Dump(result.errors);

  dir.Write("auth/custom_user_data.json",
            R"({"enabled":true,"mongo_service_name":"nowhere","database_name":"d",
                "collection_name":"c","user_id_field":"u"})");
  result = LoadAppCollectingErrors(dir.path(), nullptr);
  EXPECT_TRUE(HasError(result.errors, "auth/custom_user_data.json", "mongo_service_name",
                       "no data source named \"nowhere\""))
      << Dump(result.errors);

  // Disabled: the other fields may be anything (they are kept, not checked).
  dir.Write("auth/custom_user_data.json", R"({"enabled":false,"mongo_service_name":"nowhere"})");
  result = LoadAppCollectingErrors(dir.path(), nullptr);
  EXPECT_TRUE(result.ok()) << Dump(result.errors);
  EXPECT_EQ(result.app->custom_user_data.mongo_service_name, "nowhere");
}

TEST(ValidationTest, BuiltInProviderNameMustEqualType) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("auth/providers.json", R"({"guest":{"name":"guest","type":"anon-user"}})");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  EXPECT_TRUE(HasError(result.errors, "auth/providers.json", "guest.name", "must equal its type"))
      << Dump(result.errors);
}

TEST(ValidationTest, NoEnabledProviderIsOnlyAWarning) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("auth/providers.json",
            R"({"anon-user":{"name":"anon-user","type":"anon-user","disabled":true}})");
  base::CapturingLogger logger;
  LoadResult result = LoadAppCollectingErrors(dir.path(), &logger);
  EXPECT_TRUE(result.ok()) << Dump(result.errors);
  EXPECT_TRUE(logger.Contains("no enabled authentication provider"));
}

TEST(ValidationTest, UnknownKeysAreLoggedNotFatal) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("root_config.json", R"({"app_id":"test-abcde","name":"test","colour":"red"})");
  dir.Write("auth/providers.json",
            R"({"anon-user":{"name":"anon-user","type":"anon-user","extra":{"a":1}}})");
  dir.Write("triggers/t.json",
            R"({"name":"t","type":"SCHEDULED","config":{"schedule":"*/5 * * * *","tz":"UTC"},
                "function_name":"f"})");
  dir.Write("functions/f.js", "exports = () => 1;");
  dir.Write("sync/config.json", R"({"type":"flexible"})");
  dir.Write("graphql/config.json", "{}");
  dir.Write("http_endpoints/config.json", "[]");
  dir.Write(".mdb/meta.json", R"({"config_version":20230101})");
  base::CapturingLogger logger;
  LoadResult result = LoadAppCollectingErrors(dir.path(), &logger);
  ASSERT_TRUE(result.ok()) << Dump(result.errors);
  EXPECT_TRUE(logger.Contains(R"("file":"root_config.json","key":"colour")"));
  EXPECT_TRUE(logger.Contains(R"("file":"auth/providers.json","key":"anon-user.extra")"));
  EXPECT_TRUE(logger.Contains(R"("file":"triggers/t.json","key":"config.tz")"));
  EXPECT_TRUE(
      logger.Contains(R"("level":"debug","msg":"not served by Plinth; ignored","dir":"sync")"));
  EXPECT_EQ(result.app->triggers.at(0).scheduled->schedule, "*/5 * * * *");
}

TEST(FunctionsTest, UnlistedSourcesGetDefaultEntriesAndNestedNamesWork) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("functions/config.json",
            R"([{"name":"utils/add","private":true,"run_as_system":true,
                 "can_evaluate":{"%%user.type":"normal"}}])");
  dir.Write("functions/utils/add.js", "exports = (a, b) => a + b;");
  dir.Write("functions/utils/deep/mul.js", "exports = (a, b) => a * b;");
  dir.Write("functions/hello.js", "exports = () => 'hi';");
  dir.Write("functions/node_modules/lodash/index.js", "module.exports = {};");
  dir.Write("functions/README.md", "not a function");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  ASSERT_TRUE(result.ok()) << Dump(result.errors);
  const AppConfig& app = *result.app;
  ASSERT_EQ(app.functions.size(), 3u);  // node_modules is not walked

  const FunctionConfig* add = app.FindFunction("utils/add");
  ASSERT_NE(add, nullptr);
  EXPECT_TRUE(add->in_manifest);
  EXPECT_TRUE(add->is_private);
  EXPECT_TRUE(add->run_as_system);
  EXPECT_EQ(add->source_file, "functions/utils/add.js");
  EXPECT_EQ(add->source, "exports = (a, b) => a + b;");
  EXPECT_EQ(add->can_evaluate, doc::Value(doc::Document{{"%%user.type", "normal"}}));

  const FunctionConfig* mul = app.FindFunction("utils/deep/mul");
  ASSERT_NE(mul, nullptr);
  EXPECT_FALSE(mul->in_manifest);
  EXPECT_FALSE(mul->is_private);
  EXPECT_EQ(mul->can_evaluate, doc::Value(doc::Document{}));
  EXPECT_EQ(mul->source_file, "functions/utils/deep/mul.js");

  const FunctionConfig* hello = app.FindFunction("hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_FALSE(hello->in_manifest);
  EXPECT_EQ(app.FindFunction("lodash/index"), nullptr);
}

TEST(FunctionsTest, ManifestProblemsAreReported) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("functions/config.json",
            R"([{"name":"a"},{"name":"a"},{"name":"../etc/passwd"},
                {"name":"b","run_as_user_id":"u1","run_as_user_id_script_source":"x"},
                {"private":true}])");
  dir.Write("functions/a.js", "exports = () => 1;");
  dir.Write("functions/b.js", "exports = () => 1;");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  const auto& e = result.errors;
  EXPECT_TRUE(HasError(e, "functions/config.json", "[1].name", "duplicate")) << Dump(e);
  EXPECT_TRUE(HasError(e, "functions/config.json", "[2].name", "may contain only")) << Dump(e);
  EXPECT_TRUE(HasError(e, "functions/config.json", "[3].run_as_user_id", "cannot be combined"))
      << Dump(e);
  EXPECT_TRUE(HasError(e, "functions/config.json", "[4].name", "is required")) << Dump(e);
}

TEST(TriggerTest, FunctionNameFromEitherPlaceAndTheyMustAgree) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("functions/f.js", "exports = () => 1;");
  dir.Write("functions/g.js", "exports = () => 1;");
  dir.Write("data_sources/mongodb-atlas/config.json",
            R"({"name":"mongodb-atlas","type":"mongodb-atlas"})");
  dir.Write("triggers/a.json",
            R"({"name":"a","type":"DATABASE","function_name":"f",
                "config":{"service_name":"mongodb-atlas","database":"d","collection":"c",
                          "operation_types":["INSERT","UPDATE"],"full_document":true}})");
  dir.Write("triggers/b.json",
            R"({"name":"b","type":"AUTHENTICATION",
                "config":{"operation_type":"CREATE","providers":["anon-user"]},
                "event_processors":{"FUNCTION":{"config":{"function_name":"g"}}}})");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  ASSERT_TRUE(result.ok()) << Dump(result.errors);
  const TriggerConfig* a = result.app->FindTrigger("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->function_name, "f");
  ASSERT_TRUE(a->database.has_value());
  EXPECT_EQ(a->database->operation_types, (std::vector<std::string>{"INSERT", "UPDATE"}));
  EXPECT_TRUE(a->database->full_document);
  const TriggerConfig* b = result.app->FindTrigger("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->function_name, "g");
  EXPECT_EQ(b->auth->operation_type, AuthOperationType::kCreate);

  dir.Write("triggers/b.json",
            R"({"name":"b","type":"AUTHENTICATION","function_name":"f",
                "config":{"operation_type":"CREATE","providers":["anon-user","twitter"]},
                "event_processors":{"FUNCTION":{"config":{"function_name":"g"}}}})");
  dir.Write("triggers/c.json",
            R"({"name":"c","type":"DATABASE","function_name":"f",
                "config":{"service_name":"other","database":"d","operation_types":["UPSERT"]}})");
  dir.Write("triggers/d.json",
            R"({"name":"d","type":"SCHEDULED","config":{"schedule":"* * * * *"}})");
  result = LoadAppCollectingErrors(dir.path(), nullptr);
  const auto& e = result.errors;
  EXPECT_TRUE(HasError(e, "triggers/b.json", "function_name", "differs")) << Dump(e);
  EXPECT_TRUE(HasError(e, "triggers/d.json", "function_name", "no function")) << Dump(e);
  EXPECT_TRUE(HasError(e, "triggers/b.json", "config.providers[1]", "twitter")) << Dump(e);
  EXPECT_TRUE(HasError(e, "triggers/c.json", "config.service_name", "other")) << Dump(e);
  EXPECT_TRUE(HasError(e, "triggers/c.json", "config.operation_types[0]", "UPSERT")) << Dump(e);
}

TEST(TemplateTest, EnvironmentValuesExpandIntoStringFields) {
  TempDirForTest dir;
  dir.Write("root_config.json",
            R"j({"app_id":"test-abcde","name":"test","environment":"production"})j");
  dir.Write("auth/providers.json", R"j({"anon-user":{"name":"anon-user","type":"anon-user"}})j");
  dir.Write("environments/production.json",
            R"j({"values":{"cluster":"Prod0","db":{"name":"shop"}}})j");
  dir.Write("data_sources/mongodb-atlas/config.json",
            R"j({"name":"mongodb-atlas","type":"mongodb-atlas",
                "config":{"clusterName":"%(%%environment.values.cluster)"}})j");
  dir.Write("values/v.json", R"j({"name":"v","value":"db=%(%%environment.values.db.name)!"})j");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  ASSERT_TRUE(result.ok()) << Dump(result.errors);
  EXPECT_EQ(result.app->data_sources.at(0).cluster_name, "Prod0");
  EXPECT_EQ(result.app->values.at(0).value, doc::Value("db=shop!"));

  dir.Write("values/v.json", R"j({"name":"v","value":"%(%%environment.values.missing)"})j");
  result = LoadAppCollectingErrors(dir.path(), nullptr);
  EXPECT_TRUE(HasError(result.errors, "values/v.json", "value",
                       "environments/production.json does not define"))
      << Dump(result.errors);
}

TEST(SecretReferencesTest, MissingSecretsAreNamedNeverValued) {
  TempDirForTest dir;
  WriteMinimalApp(dir);
  dir.Write("auth/providers.json",
            R"({"custom-token":{"name":"custom-token","type":"custom-token",
                "config":{"signingAlgorithm":"HS256"},
                "secret_config":{"signingKeys":["jwtKey"]}}})");
  dir.Write("values/apiKey.json", R"({"name":"apiKey","value":"stripeKey","from_secret":true})");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  ASSERT_TRUE(result.ok()) << Dump(result.errors);
  TempDirForTest data;
  base::Result<Secrets> secrets =
      Secrets::Load(data.path(), Secrets::Environment{{"PLINTH_SECRET_JWTKEY", "s3cr3t-value"}});
  ASSERT_TRUE(secrets.ok());
  std::vector<ConfigError> errors = CheckSecretReferences(*result.app, *secrets);
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  EXPECT_EQ(errors[0].file, "values/apiKey.json");
  EXPECT_THAT(errors[0].message, HasSubstr("PLINTH_SECRET_STRIPEKEY"));
  EXPECT_THAT(Dump(errors), ::testing::Not(HasSubstr("s3cr3t-value")));
}

}  // namespace
}  // namespace plinth::config
