// DataAccess: the MongoDB service as users under rules and as the system,
// on the SQLite engine. One test per guarantee of ruled_actions.h.

#include "services/data_access.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/error_code.h"
#include "base/random.h"
#include "config/config_error.h"
#include "config/data_source.h"
#include "doc/ejson.h"
#include "storage/app_namespace.h"
#include "storage/cursor.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::services {
namespace {

using base::ErrorCode;
using ::testing::HasSubstr;

constexpr char kApp[] = "rules-app";
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

// Owners read, write, insert and delete their own notes; nobody else has a role.
constexpr char kNotesRules[] = R"({"roles": [
  {"name": "owner", "apply_when": {"owner_id": "%%user.id"}, "read": true, "write": true}]})";

// Everyone reads name and owner_id of every profile; owners write theirs but
// may not delete it.
constexpr char kProfilesRules[] = R"({"roles": [
  {"name": "owner", "apply_when": {"owner_id": "%%user.id"}, "read": true, "write": true,
   "delete": false},
  {"name": "reader", "apply_when": {},
   "fields": {"name": {"read": true}, "owner_id": {"read": true}}}]})";

// The custom user data pattern of app-config §4.2: filter plus owner role,
// no inserts or deletes by users.
constexpr char kCustomRules[] = R"({"roles": [
  {"name": "owner", "apply_when": {"user_account_id": "%%user.id"},
   "document_filters": {"read": {"user_account_id": "%%user.id"},
                        "write": {"user_account_id": "%%user.id"}},
   "read": true, "write": true, "insert": false, "delete": false, "search": false}],
  "filters": [{"name": "own", "apply_when": {}, "query": {"user_account_id": "%%user.id"},
               "projection": {}}]})";

// Owners may write while n stays below 10 (judged on the new document too).
constexpr char kCountersRules[] = R"({"roles": [
  {"name": "owner", "apply_when": {"owner_id": "%%user.id"}, "read": true,
   "write": {"n": {"$lt": 10}}}]})";

// A filter that hides `secret` and keeps only documents of the caller's team.
constexpr char kTeamRules[] = R"({"roles": [{"name": "all", "apply_when": {}, "read": true}],
  "filters": [{"name": "team", "apply_when": {"%%user.custom_data.team": {"$exists": true}},
               "query": {"team": "%%user.custom_data.team"}, "projection": {"secret": 0}}]})";

class DataAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base::Result<std::unique_ptr<storage::Engine>> engine =
        storage::OpenSqliteEngine(storage::SqliteOptions{});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();

    app_.root.app_id = kApp;
    app_.root.name = kApp;
    config::DataSourceConfig ds;
    ds.name = "mongodb-atlas";
    ds.type = "mongodb-atlas";
    ds.dir = "data_sources/mongodb-atlas";
    ds.collections.push_back(Rules("appdb", "notes", kNotesRules));
    ds.collections.push_back(Rules("appdb", "profiles", kProfilesRules));
    ds.collections.push_back(Rules("myapp", "users", kCustomRules));
    ds.collections.push_back(Rules("appdb", "counters", kCountersRules));
    ds.collections.push_back(Rules("appdb", "team", kTeamRules));
    app_.data_sources.push_back(std::move(ds));

    DataAccess::Deps deps{engine_.get(), &clock_, &random_, nullptr};
    base::Result<std::unique_ptr<DataAccess>> access = DataAccess::Create(app_, deps);
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    access_ = std::move(access).value();
  }

  static DataCaller User(const std::string& id, const std::string& team = "") {
    doc::Document custom;
    if (!team.empty()) custom.Append("team", team);
    return DataCaller::User(doc::Document{{"id", doc::Value(id)},
                                          {"type", doc::Value("normal")},
                                          {"data", doc::Value(doc::Document{})},
                                          {"custom_data", doc::Value(custom)},
                                          {"identities", doc::Value(doc::Array{})}});
  }

  // The `arguments` array of a call: `args` (a JSON document) with the
  // namespace added.
  static doc::Value Arguments(const std::string& args, const std::string& coll = "notes",
                              const std::string& db = "appdb") {
    std::string with_ns = R"({"database":")" + db + R"(","collection":")" + coll + "\"";
    with_ns += args == "{}" ? std::string("}") : "," + args.substr(1);
    return doc::Value(doc::Array{Json(with_ns)});
  }

  base::Result<std::string> TryCall(const DataCaller& caller, const std::string& action,
                                    const std::string& args, const std::string& coll = "notes",
                                    const std::string& db = "appdb") {
    PLINTH_ASSIGN_OR_RETURN(
        doc::Value out, access_->Call(caller, "mongodb-atlas", action, Arguments(args, coll, db)));
    return doc::ToRelaxedJson(out);
  }

  std::string Call(const DataCaller& caller, const std::string& action, const std::string& args,
                   const std::string& coll = "notes", const std::string& db = "appdb") {
    base::Result<std::string> out = TryCall(caller, action, args, coll, db);
    EXPECT_TRUE(out.ok()) << action << " " << args << ": " << out.status().ToString();
    return out.ok() ? *out : "";
  }

  // A denied call: its error code, and the collection unchanged.
  void ExpectDenied(const DataCaller& caller, const std::string& action, const std::string& args,
                    const std::string& coll = "notes",
                    ErrorCode code = ErrorCode::kNoMatchingRuleFound) {
    const std::string before = Contents(coll);
    base::Result<std::string> out = TryCall(caller, action, args, coll);
    ASSERT_FALSE(out.ok()) << action << " " << args << " gave " << *out;
    EXPECT_EQ(out.status().code(), code) << out.status().ToString();
    EXPECT_EQ(Contents(coll), before) << action << " " << args << " changed the collection";
  }

  // The whole collection as the system sees it, in natural order.
  std::string Contents(const std::string& coll, const std::string& db = "appdb") {
    return Call(DataCaller::System(), "find", "{}", coll, db);
  }

  void SeedNotes() {
    Call(DataCaller::System(), "insertMany",
         std::string(R"({"documents":[{"_id":1,"owner_id":")") + kAlice +
             R"(","n":1},{"_id":2,"owner_id":")" + kBob + R"(","n":2},{"_id":3,"owner_id":")" +
             kAlice + R"(","n":3},{"_id":4,"owner_id":")" + kBob + R"(","n":4}]})");
  }

  // Alice's and Bob's profiles, each with a name and a secret.
  void SeedProfiles() {
    Call(DataCaller::System(), "insertMany",
         std::string(R"({"documents":[{"_id":1,"owner_id":")") + kAlice +
             R"(","name":"Alice","secret":"s1"},{"_id":2,"owner_id":")" + kBob +
             R"(","name":"Bob","secret":"s2"}]})",
         "profiles");
  }

  std::unique_ptr<storage::Engine> engine_;
  base::FakeClock clock_;
  base::SeededRandom random_{7};
  config::AppConfig app_;
  std::unique_ptr<DataAccess> access_;
};

TEST_F(DataAccessTest, OwnerInsertsFindsUpdatesAndDeletesOwnDocuments) {
  const DataCaller alice = User(kAlice);
  std::string inserted = Call(
      alice, "insertOne", std::string(R"({"document":{"owner_id":")") + kAlice + R"(","t":"a"}})");
  EXPECT_THAT(inserted, HasSubstr(R"({"insertedId":{"$oid":")"));
  EXPECT_EQ(Call(alice, "count", "{}"), "1");
  EXPECT_THAT(Call(alice, "find", "{}"), HasSubstr(R"("t":"a")"));
  EXPECT_EQ(Call(alice, "updateOne", R"({"query":{"t":"a"},"update":{"$set":{"t":"b"}}})"),
            R"({"matchedCount":1,"modifiedCount":1})");
  EXPECT_THAT(Call(alice, "findOne", R"({"query":{"t":"b"}})"), HasSubstr(R"("t":"b")"));
  EXPECT_EQ(Call(alice, "deleteOne", R"({"query":{"t":"b"}})"), R"({"deletedCount":1})");
  EXPECT_EQ(Contents("notes"), "[]");
}

TEST_F(DataAccessTest, OthersDocumentsAreInvisibleToEveryRead) {
  SeedNotes();
  const DataCaller alice = User(kAlice);
  EXPECT_EQ(Call(alice, "find", "{}"), std::string(R"([{"_id":1,"owner_id":")") + kAlice +
                                           R"(","n":1},{"_id":3,"owner_id":")" + kAlice +
                                           R"(","n":3}])");
  EXPECT_EQ(Call(alice, "findOne", R"({"query":{"_id":2}})"), "null");
  EXPECT_EQ(Call(alice, "count", "{}"), "2");
  EXPECT_EQ(Call(alice, "count", R"({"query":{"n":{"$gte":2}}})"), "1");
  EXPECT_EQ(Call(alice, "aggregate", R"({"pipeline":[{"$match":{}},{"$project":{"n":1}}]})"),
            R"([{"_id":1,"n":1},{"_id":3,"n":3}])");
  EXPECT_EQ(Call(alice, "aggregate", R"({"pipeline":[{"$count":"all"}]})"), R"([{"all":2}])");
}

TEST_F(DataAccessTest, InvisibleDocumentsAreSkippedBeforeSortAndLimit) {
  SeedNotes();
  const DataCaller bob = User(kBob);
  // Sorted descending, Bob's first document is 4, then 2: Alice's 3 and 1
  // must not use up the limit.
  EXPECT_EQ(Call(bob, "find", R"({"sort":{"n":-1},"limit":1,"project":{"n":1}})"),
            R"([{"_id":4,"n":4}])");
  EXPECT_EQ(Call(bob, "find", R"({"sort":{"n":1},"limit":2,"project":{"_id":0,"n":1}})"),
            R"([{"n":2},{"n":4}])");
  EXPECT_EQ(Call(bob, "count", R"({"limit":1})"), "1");
}

TEST_F(DataAccessTest, DistinctSeesOnlyVisibleDocumentsAndReadableFields) {
  SeedNotes();
  EXPECT_EQ(Call(User(kBob), "distinct", R"({"key":"n"})"), "[2,4]");
  EXPECT_EQ(Call(User(kAlice), "distinct", R"({"key":"n","query":{"n":{"$gt":1}}})"), "[3]");
  EXPECT_EQ(Call(DataCaller::System(), "distinct", R"({"key":"n"})"), "[1,2,3,4]");
  // The filter hides `secret`: distinct over it finds nothing.
  Call(DataCaller::System(), "insertMany",
       R"({"documents":[{"_id":1,"team":"red","secret":1},{"_id":2,"team":"red","secret":2}]})",
       "team");
  EXPECT_EQ(Call(User(kAlice, "red"), "distinct", R"({"key":"secret"})", "team"), "[]");
  base::Result<std::string> no_key = TryCall(User(kBob), "distinct", "{}");
  ASSERT_FALSE(no_key.ok());
}

TEST_F(DataAccessTest, OthersDocumentsAreUntouchedByEveryWrite) {
  SeedNotes();
  const DataCaller carol = User("65a000000000000000000003");
  const std::string before = Contents("notes");
  EXPECT_EQ(Call(carol, "updateMany", R"({"query":{},"update":{"$set":{"n":0}}})"),
            R"({"matchedCount":0,"modifiedCount":0})");
  EXPECT_EQ(Call(carol, "updateOne", R"({"query":{"_id":1},"update":{"n":0}})"),
            R"({"matchedCount":0,"modifiedCount":0})");
  EXPECT_EQ(Call(carol, "deleteMany", R"({"query":{}})"), R"({"deletedCount":0})");
  EXPECT_EQ(Call(carol, "deleteOne", R"({"query":{"_id":1}})"), R"({"deletedCount":0})");
  EXPECT_EQ(Call(carol, "findOneAndUpdate", R"({"filter":{},"update":{"$set":{"n":0}}})"), "null");
  EXPECT_EQ(Call(carol, "findOneAndReplace", R"({"filter":{"_id":2},"update":{"n":0}})"), "null");
  EXPECT_EQ(Call(carol, "findOneAndDelete", R"({"filter":{}})"), "null");
  EXPECT_EQ(Contents("notes"), before);
}

TEST_F(DataAccessTest, WritesThatWouldHandADocumentToSomeoneElseAreRefused) {
  SeedNotes();
  const DataCaller alice = User(kAlice);
  const std::string to_bob = std::string(R"({"$set":{"owner_id":")") + kBob + R"("}})";
  ExpectDenied(alice, "updateOne", R"({"query":{"_id":1},"update":)" + to_bob + "}");
  ExpectDenied(alice, "updateMany", R"({"query":{},"update":)" + to_bob + "}");
  ExpectDenied(alice, "findOneAndUpdate", R"({"filter":{"_id":3},"update":)" + to_bob + "}");
  ExpectDenied(alice, "findOneAndReplace",
               std::string(R"({"filter":{"_id":1},"update":{"owner_id":")") + kBob + R"("}})");
  // Inserts and upserts of documents owned by another user.
  ExpectDenied(alice, "insertOne", std::string(R"({"document":{"owner_id":")") + kBob + R"("}})");
  ExpectDenied(alice, "insertMany",
               std::string(R"({"documents":[{"owner_id":")") + kAlice + R"("},{"owner_id":")" +
                   kBob + R"("}]})");
  ExpectDenied(alice, "updateOne",
               R"({"query":{"_id":99},"update":)" + to_bob + R"(,"upsert":true})");
  ExpectDenied(alice, "updateOne",
               std::string(R"({"query":{"owner_id":")") + kBob +
                   R"("},"update":{"$set":{"n":5}},"upsert":true})");
  // Bob's documents stay his own; an upsert of Alice's own document works.
  EXPECT_EQ(Call(alice, "updateOne",
                 std::string(R"({"query":{"_id":98,"owner_id":")") + kAlice +
                     R"("},"update":{"$set":{"n":5}},"upsert":true})"),
            R"({"matchedCount":0,"modifiedCount":0,"upsertedId":98})");
}

TEST_F(DataAccessTest, UpsertSeedsTheFiltersEqualities) {
  const DataCaller alice = User(kAlice);
  // The custom data pattern: the filter adds user_account_id to the query, so
  // an upsert creates the caller's own document... which this role may not
  // insert.
  ExpectDenied(alice, "updateOne", R"({"query":{},"update":{"$set":{"c":"blue"}},"upsert":true})",
               "users");
}

TEST_F(DataAccessTest, AFailedDocumentRollsBackTheWholeWrite) {
  Call(DataCaller::System(), "insertMany",
       std::string(R"({"documents":[{"_id":1,"owner_id":")") + kAlice +
           R"(","n":1},{"_id":2,"owner_id":")" + kAlice + R"(","n":9}]})",
       "counters");
  const DataCaller alice = User(kAlice);
  // _id 1 becomes 6 (allowed), _id 2 would become 14 (refused): nothing changes.
  ExpectDenied(alice, "updateMany", R"({"query":{},"update":{"$inc":{"n":5}}})", "counters");
  EXPECT_EQ(Call(alice, "updateMany", R"({"query":{},"update":{"$inc":{"n":-1}}})", "counters"),
            R"({"matchedCount":2,"modifiedCount":2})");
}

TEST_F(DataAccessTest, ReadersSeeReadableFieldsAndCannotWrite) {
  SeedProfiles();
  const DataCaller bob = User(kBob);
  EXPECT_EQ(Call(bob, "find", "{}", "profiles"), std::string(R"([{"owner_id":")") + kAlice +
                                                     R"(","name":"Alice"},{"_id":2,"owner_id":")" +
                                                     kBob + R"(","name":"Bob","secret":"s2"}])");
  // Alice's profile is readable but not writable by Bob: not matched.
  EXPECT_EQ(Call(bob, "updateMany", R"({"query":{},"update":{"$set":{"name":"X"}}})", "profiles"),
            R"({"matchedCount":1,"modifiedCount":1})");
  EXPECT_EQ(Call(bob, "deleteMany", R"({"query":{"_id":1}})", "profiles"), R"({"deletedCount":0})");
  // The owner may write but not delete: an error, not a silent no-op.
  ExpectDenied(bob, "deleteOne", R"({"query":{"_id":2}})", "profiles");
  ExpectDenied(bob, "findOneAndDelete", R"({"filter":{"_id":2}})", "profiles");
}

TEST_F(DataAccessTest, CustomUserDataPatternShowsOnlyTheOwnDocument) {
  Call(DataCaller::System(), "insertMany",
       std::string(R"({"documents":[{"_id":1,"user_account_id":")") + kAlice +
           R"(","c":"blue"},{"_id":2,"user_account_id":")" + kBob + R"(","c":"red"}]})",
       "users", "myapp");
  const DataCaller alice = User(kAlice);
  EXPECT_EQ(Call(alice, "find", "{}", "users", "myapp"),
            std::string(R"([{"_id":1,"user_account_id":")") + kAlice + R"(","c":"blue"}])");
  EXPECT_EQ(
      Call(alice, "updateOne", R"({"query":{},"update":{"$set":{"c":"green"}}})", "users", "myapp"),
      R"({"matchedCount":1,"modifiedCount":1})");
  EXPECT_EQ(Call(alice, "findOneAndUpdate",
                 R"({"filter":{},"update":{"$set":{"c":"teal"}},"returnNewDocument":true,)"
                 R"("projection":{"c":1,"_id":0}})",
                 "users", "myapp"),
            R"({"c":"teal"})");
  base::Result<std::string> insert = TryCall(
      alice, "insertOne", std::string(R"({"document":{"user_account_id":")") + kAlice + R"("}})",
      "users", "myapp");
  ASSERT_FALSE(insert.ok());
  EXPECT_EQ(insert.status().message(), "insert not permitted");
  base::Result<std::string> del = TryCall(alice, "deleteOne", "{}", "users", "myapp");
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.status().code(), ErrorCode::kNoMatchingRuleFound);
  EXPECT_THAT(Contents("users", "myapp"), HasSubstr(R"("c":"red")"));
}

TEST_F(DataAccessTest, FilterQueryAndProjectionApply) {
  Call(DataCaller::System(), "insertMany",
       R"({"documents":[{"_id":1,"team":"red","secret":1},{"_id":2,"team":"blue","secret":2}]})",
       "team");
  EXPECT_EQ(Call(User(kAlice, "red"), "find", "{}", "team"), R"([{"_id":1,"team":"red"}])");
  // Without a team the filter does not apply: the role alone decides.
  EXPECT_EQ(Call(User(kAlice), "count", "{}", "team"), "2");
  // A request projection that mixes forms with the filter's is refused.
  base::Result<std::string> mixed =
      TryCall(User(kAlice, "red"), "find", R"({"project":{"team":1}})", "team");
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), ErrorCode::kMongoDbError);
}

TEST_F(DataAccessTest, NoRulesMeansNoAccessButForTheSystem) {
  base::Result<std::string> out = TryCall(User(kAlice), "find", "{}", "unruled");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kNoMatchingRuleFound);
  EXPECT_EQ(out.status().message(), "no rule exists for namespace 'appdb.unruled'");
  EXPECT_EQ(Call(DataCaller::System(), "insertOne", R"({"document":{"_id":1}})", "unruled"),
            R"({"insertedId":1})");
  EXPECT_EQ(Contents("unruled"), R"([{"_id":1}])");
}

TEST_F(DataAccessTest, DataLivesInTheAppsNamespaceOfTheStore) {
  Call(DataCaller::System(), "insertOne", R"({"document":{"_id":1}})", "unruled");
  storage::StoreNamespace ns = storage::AppNamespace(kApp, "appdb", "unruled");
  base::Result<std::shared_ptr<storage::Collection>> coll =
      engine_->GetCollection(ns.database, ns.collection);
  ASSERT_TRUE(coll.ok());
  base::Result<std::int64_t> n = (*coll)->CountDocuments(doc::Document{});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
}

TEST_F(DataAccessTest, BadRequestsAreRefusedAndChangeNothing) {
  SeedNotes();
  const DataCaller alice = User(kAlice);
  ExpectDenied(alice, "aggregate", R"({"pipeline":[{"$out":"stolen"}]})", "notes",
               ErrorCode::kMongoDbError);
  ExpectDenied(alice, "aggregate", R"({"pipeline":[{"$merge":{"into":"x"}}]})", "notes",
               ErrorCode::kMongoDbError);
  ExpectDenied(alice, "aggregate",
               R"({"pipeline":[{"$graphLookup":{"from":"profiles","startWith":"$a",)"
               R"("connectFromField":"a","connectToField":"b","as":"c"}}]})",
               "notes", ErrorCode::kMongoDbError);
  ExpectDenied(alice, "aggregate",
               R"({"pipeline":[{"$lookup":{"from":"profiles","pipeline":[{"$out":"x"}],)"
               R"("as":"c"}}]})",
               "notes", ErrorCode::kMongoDbError);
  ExpectDenied(alice, "aggregate", R"({"pipeline":[{"$facet":{"x":[{"$unionWith":"profiles"}]}}]})",
               "notes", ErrorCode::kMongoDbError);
  ExpectDenied(alice, "find", R"({"query":{"$where":"true"}})", "notes", ErrorCode::kMongoDbError);
  ExpectDenied(alice, "find", R"({"query":{"n":{"$bogus":1}}})", "notes", ErrorCode::kMongoDbError);
  ExpectDenied(alice, "updateOne", R"({"query":{},"update":{"$bogus":{"n":1}}})", "notes",
               ErrorCode::kFailedToParse);
  ExpectDenied(alice, "watch", "{}", "notes", ErrorCode::kServiceCommandNotFound);
  ExpectDenied(alice, "find", R"({"limit":"x"})", "notes", ErrorCode::kInvalidParameter);

  base::Result<doc::Value> no_coll = access_->Call(
      alice, "mongodb-atlas", "find", doc::Value(doc::Array{Json(R"({"database":"appdb"})")}));
  ASSERT_FALSE(no_coll.ok());
  EXPECT_EQ(no_coll.status().code(), ErrorCode::kMissingParameter);
  base::Result<doc::Value> no_service = access_->Call(
      alice, "nope", "find", doc::Value(doc::Array{Json(R"({"database":"a","collection":"b"})")}));
  ASSERT_FALSE(no_service.ok());
  EXPECT_EQ(no_service.status().code(), ErrorCode::kServiceNotFound);
  EXPECT_EQ(no_service.status().message(), "service not found: 'nope'");
  base::Result<doc::Value> reserved = access_->Call(
      DataCaller::System(), "mongodb-atlas", "find",
      doc::Value(doc::Array{Json(R"({"database":"__plinth","collection":"rules-app.users"})")}));
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.status().code(), ErrorCode::kInvalidNamespace);
}

TEST_F(DataAccessTest, ResultsKeepTheTypesTheSdksAssert) {
  const DataCaller alice = User(kAlice);
  base::Result<doc::Value> counted =
      access_->Call(alice, "mongodb-atlas", "count",
                    doc::Value(doc::Array{Json(R"({"database":"appdb","collection":"notes"})")}));
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(doc::ToCanonicalJson(*counted), R"({"$numberLong":"0"})");
  base::Result<doc::Value> updated = access_->Call(
      alice, "mongodb-atlas", "updateMany",
      doc::Value(doc::Array{Json(
          R"({"database":"appdb","collection":"notes","query":{},"update":{"$set":{"a":1}}})")}));
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(doc::ToCanonicalJson(*updated),
            R"({"matchedCount":{"$numberInt":"0"},"modifiedCount":{"$numberInt":"0"}})");
}

TEST_F(DataAccessTest, PositionalUpdatesAndArrayFiltersWorkUnderRules) {
  const DataCaller alice = User(kAlice);
  Call(alice, "insertOne",
       std::string(R"({"document":{"_id":1,"owner_id":")") + kAlice +
           R"(","tags":[{"k":"a","v":1},{"k":"b","v":2}]}})");
  EXPECT_EQ(Call(alice, "updateOne",
                 R"({"query":{"_id":1,"tags.k":"b"},"update":{"$set":{"tags.$.v":20}}})"),
            R"({"matchedCount":1,"modifiedCount":1})");
  EXPECT_EQ(
      Call(alice, "updateMany",
           R"({"query":{},"update":{"$inc":{"tags.$[t].v":5}},"arrayFilters":[{"t.k":"a"}]})"),
      R"({"matchedCount":1,"modifiedCount":1})");
  EXPECT_EQ(Call(alice, "findOne", R"({"query":{"_id":1},"project":{"_id":0,"tags":1}})"),
            R"({"tags":[{"k":"a","v":6},{"k":"b","v":20}]})");
  // The positional projection shows the element the query matched.
  EXPECT_EQ(Call(alice, "find", R"({"query":{"tags.k":"b"},"project":{"_id":0,"tags.$":1}})"),
            R"([{"tags":[{"k":"b","v":20}]}])");
  EXPECT_EQ(Call(alice, "findOneAndUpdate",
                 R"({"filter":{"tags.v":6},"update":{"$set":{"seen":true}},)"
                 R"("projection":{"_id":0,"tags.$":1}})"),
            R"({"tags":[{"k":"a","v":6}]})");
  // A filter no path uses is refused before anything changes.
  ExpectDenied(alice, "updateOne",
               R"({"query":{},"update":{"$set":{"tags.0.v":0}},"arrayFilters":[{"t.k":"a"}]})",
               "notes", ErrorCode::kFailedToParse);
}

TEST_F(DataAccessTest, PipelineUpdatesAreJudgedLikeOtherUpdates) {
  SeedNotes();
  const DataCaller alice = User(kAlice);
  EXPECT_EQ(
      Call(alice, "updateMany",
           R"({"query":{},"update":[{"$set":{"n2":{"$multiply":["$n",2]}}},{"$unset":"n"}]})"),
      R"({"matchedCount":2,"modifiedCount":2})");
  EXPECT_EQ(Call(alice, "find", R"({"project":{"_id":1,"n2":1}})"),
            R"([{"_id":1,"n2":2},{"_id":3,"n2":6}])");
  // Bob's documents are not matched.
  EXPECT_THAT(Contents("notes"),
              HasSubstr(R"({"_id":2,"owner_id":")" + std::string(kBob) + R"(","n":2})"));
  EXPECT_EQ(Call(alice, "findOneAndUpdate",
                 R"({"filter":{"_id":1},"update":[{"$set":{"n2":{"$add":["$n2",1]}}}],)"
                 R"("returnNewDocument":true,"projection":{"_id":0,"n2":1}})"),
            R"({"n2":3})");
  // The after image decides too: a pipeline handing the document to Bob, or
  // replacing it without owner, is refused.
  ExpectDenied(
      alice, "updateOne",
      R"({"query":{"_id":1},"update":[{"$set":{"owner_id":")" + std::string(kBob) + R"("}}]})");
  ExpectDenied(alice, "updateOne", R"({"query":{"_id":3},"update":[{"$replaceWith":{"x":1}}]})");
  // An upsert seeds the filter's equalities, then runs the stages.
  EXPECT_EQ(Call(alice, "updateOne",
                 R"({"query":{"_id":7,"owner_id":")" + std::string(kAlice) +
                     R"("},"update":[{"$set":{"made":{"$literal":true}}}],"upsert":true})"),
            R"({"matchedCount":0,"modifiedCount":0,"upsertedId":7})");
  EXPECT_EQ(Call(alice, "findOne", R"({"query":{"_id":7},"project":{"_id":0,"made":1}})"),
            R"({"made":true})");
  ExpectDenied(alice, "updateOne", R"({"query":{"_id":1},"update":[{"$group":{"_id":null}}]})",
               "notes", ErrorCode::kInvalidOptions);
  ExpectDenied(alice, "findOneAndReplace", R"({"filter":{"_id":1},"update":[{"$set":{"a":1}}]})",
               "notes", ErrorCode::kInvalidParameter);
}

TEST_F(DataAccessTest, ProjectionExpressionsReadOnlyReadableFields) {
  SeedProfiles();
  const DataCaller bob = User(kBob);
  // Alice's secret is not readable for Bob: an expression reading it sees nothing.
  EXPECT_EQ(
      Call(bob, "find", R"({"project":{"_id":0,"who":{"$concat":["$name","!"]},"s":"$secret"}})",
           "profiles"),
      R"([{"who":"Alice!"},{"who":"Bob!","s":"s2"}])");
  EXPECT_EQ(
      Call(bob, "findOne", R"({"query":{"_id":2},"project":{"x":{"$literal":1}}})", "profiles"),
      R"({"_id":2,"x":1})");
}

TEST_F(DataAccessTest, LookupReadsTheTargetThroughItsOwnRules) {
  Call(DataCaller::System(), "insertMany",
       std::string(R"({"documents":[{"_id":1,"owner_id":")") + kAlice +
           R"(","tag":"t"},{"_id":2,"owner_id":")" + kBob +
           R"(","tag":"t"},{"_id":3,"owner_id":")" + kAlice + R"(","tag":"u"}]})");
  const DataCaller alice = User(kAlice);
  // A self-join on a tag both users use: Bob's note never joins.
  EXPECT_EQ(Call(alice, "aggregate",
                 R"({"pipeline":[{"$match":{"tag":"t"}},{"$lookup":{"from":"notes",)"
                 R"("localField":"tag","foreignField":"tag","as":"same"}},)"
                 R"({"$project":{"same._id":1}}]})"),
            R"([{"_id":1,"same":[{"_id":1}]}])");
  // The pipeline form too, uncorrelated or with let/$expr.
  EXPECT_EQ(Call(alice, "aggregate",
                 R"({"pipeline":[{"$match":{"_id":3}},{"$lookup":{"from":"notes",)"
                 R"("let":{"t":"$tag"},"pipeline":[{"$match":{"$expr":{"$ne":["$tag","$$t"]}}},)"
                 R"({"$project":{"_id":1}}],"as":"others"}},{"$project":{"others":1}}]})"),
            R"([{"_id":3,"others":[{"_id":1}]}])");
  // Inside $facet as well.
  EXPECT_EQ(Call(alice, "aggregate",
                 R"({"pipeline":[{"$match":{"_id":3}},{"$facet":{"f":[{"$lookup":{)"
                 R"("from":"notes","pipeline":[{"$project":{"_id":1}}],"as":"all"}},)"
                 R"({"$project":{"all":1}}]}}]})"),
            R"([{"f":[{"_id":3,"all":[{"_id":1},{"_id":3}]}]}])");
}

TEST_F(DataAccessTest, LookupRemovesTheTargetsUnreadableFields) {
  SeedNotes();
  SeedProfiles();
  const DataCaller alice = User(kAlice);
  // Alice reads all of her own profile, only name and owner_id of Bob's.
  EXPECT_EQ(Call(alice, "aggregate",
                 R"({"pipeline":[{"$match":{"_id":1}},{"$lookup":{"from":"profiles",)"
                 R"("pipeline":[],"as":"p"}},{"$project":{"p":1}}]})"),
            std::string(R"([{"_id":1,"p":[{"_id":1,"owner_id":")") + kAlice +
                R"(","name":"Alice","secret":"s1"},{"owner_id":")" + kBob +
                R"(","name":"Bob"}]}])");
  // A join on an unreadable field finds nothing through it.
  EXPECT_EQ(Call(alice, "aggregate",
                 R"({"pipeline":[{"$match":{"_id":1}},{"$set":{"s":"s2"}},{"$lookup":{)"
                 R"("from":"profiles","localField":"s","foreignField":"secret","as":"p"}},)"
                 R"({"$project":{"p":1}}]})"),
            R"([{"_id":1,"p":[]}])");
}

TEST_F(DataAccessTest, LookupAppliesTheTargetsFiltersAndSkipsUnruledCollections) {
  Call(
      DataCaller::System(), "insertMany",
      R"({"documents":[{"_id":1,"team":"red","secret":"r"},{"_id":2,"team":"blue","secret":"b"}]})",
      "team");
  Call(DataCaller::System(), "insertMany", R"({"documents":[{"_id":1,"x":1}]})", "norules");
  const DataCaller alice = User(kAlice, "red");
  Call(alice, "insertOne",
       std::string(R"({"document":{"_id":9,"owner_id":")") + kAlice + R"(","team":"red"}})");
  // team's filter keeps the caller's team and hides `secret`.
  EXPECT_EQ(Call(alice, "aggregate",
                 R"({"pipeline":[{"$lookup":{"from":"team","pipeline":[],"as":"t"}},)"
                 R"({"$project":{"t":1}}]})"),
            R"([{"_id":9,"t":[{"_id":1,"team":"red"}]}])");
  // A collection without rules reads as empty.
  EXPECT_EQ(Call(alice, "aggregate",
                 R"({"pipeline":[{"$lookup":{"from":"norules","pipeline":[],"as":"n"}},)"
                 R"({"$project":{"n":1}}]})"),
            R"([{"_id":9,"n":[]}])");
  // The system caller reads it, in the app's namespace of the store.
  EXPECT_EQ(Call(DataCaller::System(), "aggregate",
                 R"({"pipeline":[{"$lookup":{"from":"norules","localField":"_id",)"
                 R"("foreignField":"x","as":"n"}},{"$project":{"n":1}}]})"),
            R"([{"_id":9,"n":[]}])");
  EXPECT_EQ(Call(DataCaller::System(), "aggregate",
                 R"({"pipeline":[{"$lookup":{"from":"team","localField":"team",)"
                 R"("foreignField":"team","as":"t"}},{"$project":{"t._id":1}}]})"),
            R"([{"_id":9,"t":[{"_id":1}]}])");
}

TEST_F(DataAccessTest, PointReadsAreFindsPinnedToOneId) {
  auto point = [&](const std::string& action, const std::string& args) {
    base::Result<MongoRequest> req = access_->Prepare("mongodb-atlas", action, Arguments(args));
    EXPECT_TRUE(req.ok()) << req.status().ToString();
    return req.ok() && DataAccess::IsPointRead(*req);
  };
  EXPECT_TRUE(point("findOne", R"({"query":{"_id":{"$oid":"65a000000000000000000001"}}})"));
  EXPECT_TRUE(point("find", R"({"query":{"_id":1,"n":2}})"));
  EXPECT_TRUE(point("count", R"({"query":{"_id":{"$eq":1}}})"));
  EXPECT_TRUE(point("findOne", R"({"query":{"_id":{"a":1}}})"));
  EXPECT_FALSE(point("findOne", R"({"query":{"_id":{"$gt":1}}})"));
  EXPECT_FALSE(point("findOne", R"({"query":{"_id":{"$in":[1,2]}}})"));
  EXPECT_FALSE(point("findOne", R"({"query":{"n":1}})"));
  EXPECT_FALSE(point("find", "{}"));
  EXPECT_FALSE(point("deleteOne", R"({"query":{"_id":1}})"));
  EXPECT_FALSE(point("aggregate", R"({"pipeline":[{"$match":{"_id":1}}]})"));
}

}  // namespace
}  // namespace plinth::services
