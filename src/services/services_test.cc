#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error_code.h"
#include "doc/ejson.h"
#include "services/mongo_request.h"
#include "services/mongo_result.h"
#include "storage/cursor.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::services {
namespace {

using base::ErrorCode;
using ::testing::HasSubstr;
using ::testing::StartsWith;

doc::Value Json(const std::string& text) {
  base::Result<doc::Value> value = doc::ParseJson(text);
  EXPECT_TRUE(value.ok()) << value.status().ToString() << " in " << text;
  return value.ok() ? *value : doc::Value();
}

doc::Document JsonDoc(const std::string& text) {
  doc::Value value = Json(text);
  return value.is_document() ? value.as_document() : doc::Document();
}

// Parses a whole `functions/call` body as the SDK sends it.
base::Result<MongoRequest> ParseBody(const std::string& body) {
  doc::Document call = JsonDoc(body);
  const doc::Value* name = call.Get("name");
  const doc::Value* arguments = call.Get("arguments");
  EXPECT_TRUE(name != nullptr && name->is_string() && arguments != nullptr) << body;
  if (name == nullptr || !name->is_string() || arguments == nullptr) {
    return base::Status(ErrorCode::kInternal, "bad test body");
  }
  return ParseMongoRequest(name->as_string(), *arguments);
}

MongoRequest MustParse(const std::string& body) {
  base::Result<MongoRequest> req = ParseBody(body);
  EXPECT_TRUE(req.ok()) << req.status().ToString() << " for " << body;
  return req.ok() ? *req : MongoRequest{};
}

std::string Call(const std::string& name, const std::string& args) {
  return R"({"name":")" + name + R"(","arguments":[)" + args + R"(],"service":"mongodb-atlas"})";
}

// ---------------------------------------------------------------------------
// Action names

TEST(MongoActionTest, ParsesEveryActionNameAndRoundTrips) {
  const std::vector<std::string> names = {"find",
                                          "findOne",
                                          "count",
                                          "aggregate",
                                          "insertOne",
                                          "insertMany",
                                          "updateOne",
                                          "updateMany",
                                          "deleteOne",
                                          "deleteMany",
                                          "findOneAndUpdate",
                                          "findOneAndReplace",
                                          "findOneAndDelete"};
  for (const std::string& name : names) {
    std::optional<MongoAction> action = ParseMongoAction(name);
    ASSERT_TRUE(action.has_value()) << name;
    EXPECT_EQ(MongoActionName(*action), name);
  }
  EXPECT_FALSE(ParseMongoAction("FIND").has_value());
  EXPECT_FALSE(ParseMongoAction("watch").has_value());
  EXPECT_FALSE(ParseMongoAction("").has_value());
}

// ---------------------------------------------------------------------------
// Parsing the bodies realm-web 2.0.1 sends (client-api §11, §14)

TEST(ParseMongoRequestTest, InsertOneFromAcceptanceFlow) {
  MongoRequest req = MustParse(
      R"({"name":"insertOne","arguments":[{"database":"appdb","collection":"custom_data","document":{"user_id":"u1","favoriteColor":"green"}}],"service":"mongodb-atlas"})");
  EXPECT_EQ(req.action, MongoAction::kInsertOne);
  EXPECT_EQ(req.database, "appdb");
  EXPECT_EQ(req.collection, "custom_data");
  ASSERT_EQ(req.documents.size(), 1u);
  EXPECT_EQ(req.documents[0], JsonDoc(R"({"user_id":"u1","favoriteColor":"green"})"));
}

TEST(ParseMongoRequestTest, FindWithQueryProjectSortLimit) {
  MongoRequest req = MustParse(Call(
      "find",
      R"({"database":"appdb","collection":"c","query":{"a":{"$gt":{"$numberInt":"1"}}},"project":{"a":{"$numberInt":"1"}},"sort":{"a":{"$numberInt":"-1"}},"limit":{"$numberInt":"5"}})"));
  EXPECT_EQ(req.action, MongoAction::kFind);
  EXPECT_EQ(req.filter, JsonDoc(R"({"a":{"$gt":1}})"));
  EXPECT_EQ(req.projection, JsonDoc(R"({"a":1})"));
  EXPECT_EQ(req.sort, JsonDoc(R"({"a":-1})"));
  EXPECT_EQ(req.limit, 5);
}

TEST(ParseMongoRequestTest, LimitAsInt64AndIntegralDouble) {
  EXPECT_EQ(
      MustParse(Call("find", R"({"database":"d","collection":"c","limit":{"$numberLong":"7"}})"))
          .limit,
      7);
  EXPECT_EQ(MustParse(Call("find",
                           R"({"database":"d","collection":"c","limit":{"$numberDouble":"3.0"}})"))
                .limit,
            3);
  EXPECT_EQ(MustParse(Call("find", R"({"database":"d","collection":"c"})")).limit, 0);
}

TEST(ParseMongoRequestTest, FindOneAndCount) {
  MongoRequest one = MustParse(
      Call("findOne",
           R"({"database":"appdb","collection":"c","query":{"x":"y"},"project":{},"sort":{}})"));
  EXPECT_EQ(one.action, MongoAction::kFindOne);
  EXPECT_EQ(one.filter, JsonDoc(R"({"x":"y"})"));
  MongoRequest count = MustParse(Call(
      "count", R"({"database":"appdb","collection":"c","query":{},"limit":{"$numberLong":"2"}})"));
  EXPECT_EQ(count.action, MongoAction::kCount);
  EXPECT_EQ(count.limit, 2);
}

TEST(ParseMongoRequestTest, AggregateInsertManyDeletes) {
  MongoRequest agg = MustParse(Call(
      "aggregate",
      R"({"database":"appdb","collection":"c","pipeline":[{"$match":{"a":{"$numberInt":"1"}}},{"$count":"n"}]})"));
  EXPECT_EQ(agg.action, MongoAction::kAggregate);
  ASSERT_EQ(agg.pipeline.size(), 2u);
  EXPECT_EQ(agg.pipeline[1], JsonDoc(R"({"$count":"n"})"));

  MongoRequest many = MustParse(
      Call("insertMany", R"({"database":"appdb","collection":"c","documents":[{"a":1},{"a":2}]})"));
  EXPECT_EQ(many.action, MongoAction::kInsertMany);
  EXPECT_EQ(many.documents.size(), 2u);

  for (const char* name : {"deleteOne", "deleteMany"}) {
    MongoRequest del =
        MustParse(Call(name, R"({"database":"appdb","collection":"c","query":{"a":1}})"));
    EXPECT_EQ(MongoActionName(del.action), name);
    EXPECT_EQ(del.filter, JsonDoc(R"({"a":1})"));
  }
}

TEST(ParseMongoRequestTest, UpdateOneAndManyWithUpsertAndArrayFilters) {
  MongoRequest one = MustParse(Call(
      "updateOne",
      R"({"database":"appdb","collection":"c","query":{"user_id":"u1"},"update":{"$set":{"favoriteColor":"blue"}},"upsert":true})"));
  EXPECT_EQ(one.action, MongoAction::kUpdateOne);
  EXPECT_TRUE(one.upsert);
  EXPECT_FALSE(one.update_is_replacement);
  EXPECT_EQ(one.update, JsonDoc(R"({"$set":{"favoriteColor":"blue"}})"));

  MongoRequest many = MustParse(Call(
      "updateMany",
      R"({"database":"appdb","collection":"c","query":{},"update":{"$inc":{"n":1}},"arrayFilters":[{"x.a":1}]})"));
  EXPECT_EQ(many.action, MongoAction::kUpdateMany);
  EXPECT_FALSE(many.upsert);
  ASSERT_EQ(many.array_filters.size(), 1u);
}

TEST(ParseMongoRequestTest, FindOneAndFamilyUsesFilterAndProjection) {
  MongoRequest upd = MustParse(Call(
      "findOneAndUpdate",
      R"({"database":"appdb","collection":"c","filter":{"a":1},"update":{"$set":{"b":2}},"sort":{"a":1},"projection":{"b":1},"upsert":false,"returnNewDocument":true})"));
  EXPECT_EQ(upd.action, MongoAction::kFindOneAndUpdate);
  EXPECT_EQ(upd.filter, JsonDoc(R"({"a":1})"));
  EXPECT_EQ(upd.projection, JsonDoc(R"({"b":1})"));
  EXPECT_TRUE(upd.return_new);

  MongoRequest rep = MustParse(Call(
      "findOneAndReplace",
      R"({"database":"appdb","collection":"c","filter":{"a":1},"update":{"a":1,"c":3},"returnNewDocument":false})"));
  EXPECT_EQ(rep.action, MongoAction::kFindOneAndReplace);
  EXPECT_EQ(rep.update, JsonDoc(R"({"a":1,"c":3})"));
  EXPECT_FALSE(rep.return_new);

  MongoRequest del = MustParse(
      Call("findOneAndDelete", R"({"database":"appdb","collection":"c","filter":{"a":1}})"));
  EXPECT_EQ(del.action, MongoAction::kFindOneAndDelete);
}

TEST(ParseMongoRequestTest, RealmWebFindOneAndDeleteArrivesAsReplaceWithoutUpdate) {
  MongoRequest req = MustParse(Call(
      "findOneAndReplace",
      R"({"database":"appdb","collection":"c","filter":{"a":1},"sort":{"a":-1},"projection":{"a":1}})"));
  EXPECT_EQ(req.action, MongoAction::kFindOneAndDelete);
  EXPECT_EQ(req.filter, JsonDoc(R"({"a":1})"));
  EXPECT_EQ(req.sort, JsonDoc(R"({"a":-1})"));
  EXPECT_EQ(req.projection, JsonDoc(R"({"a":1})"));
}

TEST(ParseMongoRequestTest, BothProjectionAndFilterSpellingsOnEveryAction) {
  for (const char* name : {"find", "findOne", "findOneAndUpdate", "findOneAndDelete"}) {
    for (const char* proj : {"project", "projection"}) {
      for (const char* filter : {"query", "filter"}) {
        std::string args = std::string(R"({"database":"d","collection":"c",")") + filter +
                           R"(":{"a":1},")" + proj + R"(":{"a":1},"update":{"$set":{"b":1}}})";
        MongoRequest req = MustParse(Call(name, args));
        EXPECT_EQ(req.projection, JsonDoc(R"({"a":1})")) << name << " " << proj;
        EXPECT_EQ(req.filter, JsonDoc(R"({"a":1})")) << name << " " << filter;
      }
    }
  }
}

TEST(ParseMongoRequestTest, OperatorlessUpdateIsAReplacement) {
  for (const char* name : {"updateOne", "updateMany"}) {
    MongoRequest req = MustParse(Call(
        name,
        R"({"database":"d","collection":"c","query":{"name":"Bob"},"update":{"name":"Alison"}})"));
    EXPECT_TRUE(req.update_is_replacement) << name;
    EXPECT_EQ(req.update, JsonDoc(R"({"name":"Alison"})"));
  }
  // An empty update is not a replacement; the collection refuses it.
  EXPECT_FALSE(MustParse(Call("updateOne", R"({"database":"d","collection":"c","update":{}})"))
                   .update_is_replacement);
}

TEST(ParseMongoRequestTest, WhereScanBoundsItsRecursion) {
  // Built in code, far deeper than any parsed value may be.
  doc::Document filter{{"a", doc::Value(1)}};
  for (int i = 0; i < 600; ++i) {
    doc::Array array;
    array.Append(doc::Value(std::move(filter)));
    doc::Document next;
    next.Append("$and", doc::Value(std::move(array)));
    filter = std::move(next);
  }
  doc::Document args{{"database", "d"}, {"collection", "c"}};
  args.Append("query", doc::Value(std::move(filter)));
  doc::Array arguments;
  arguments.Append(doc::Value(std::move(args)));
  base::Result<MongoRequest> req = ParseMongoRequest("find", doc::Value(std::move(arguments)));
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.status().code(), ErrorCode::kDepthLimitExceeded);
}

TEST(ParseMongoRequestTest, IgnoresArgumentsAnActionDoesNotUse) {
  MongoRequest req = MustParse(
      Call("deleteOne", R"({"database":"d","collection":"c","query":{},"somethingElse":1})"));
  EXPECT_EQ(req.action, MongoAction::kDeleteOne);
}

// ---------------------------------------------------------------------------
// Bad requests: each with its code, and nothing changed in the collection.

class MongoServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base::Result<std::unique_ptr<storage::Engine>> engine =
        storage::OpenSqliteEngine(storage::SqliteOptions{});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    base::Result<std::shared_ptr<storage::Collection>> coll = engine_->GetCollection("appdb", "c");
    ASSERT_TRUE(coll.ok()) << coll.status().ToString();
    coll_ = *coll;
  }

  void Seed() {
    ASSERT_EQ(
        Run(Call("insertMany", R"({"database":"appdb","collection":"c","documents":[)"
                               R"({"_id":1,"name":"Bob","n":1},{"_id":2,"name":"Carol","n":2},)"
                               R"({"_id":3,"name":"Dan","n":3}]})")),
        R"({"insertedIds":[{"$numberInt":"1"},{"$numberInt":"2"},{"$numberInt":"3"}]})");
  }

  // Everything in the collection, in natural order.
  std::string Contents() {
    base::Result<std::unique_ptr<storage::Cursor>> cursor = coll_->Find(doc::Document{});
    EXPECT_TRUE(cursor.ok());
    if (!cursor.ok()) return "";
    base::Result<std::vector<doc::Document>> all = storage::ReadAll(cursor->get());
    EXPECT_TRUE(all.ok());
    return all.ok() ? doc::ToCanonicalJson(EncodeDocuments(*all)) : "";
  }

  base::Result<std::string> TryRun(const std::string& body) {
    PLINTH_ASSIGN_OR_RETURN(MongoRequest req, ParseBody(body));
    PLINTH_ASSIGN_OR_RETURN(doc::Value out, Execute(*coll_, req));
    return doc::ToCanonicalJson(out);
  }

  std::string Run(const std::string& body) {
    base::Result<std::string> out = TryRun(body);
    EXPECT_TRUE(out.ok()) << out.status().ToString() << " for " << body;
    return out.ok() ? *out : "";
  }

  std::unique_ptr<storage::Engine> engine_;
  std::shared_ptr<storage::Collection> coll_;
};

struct BadCase {
  std::string name;
  std::string arguments;  // the whole `arguments` value
  ErrorCode code;
  std::string message_part;
};

TEST_F(MongoServiceTest, BadRequestsAreRefusedAndChangeNothing) {
  Seed();
  const std::string before = Contents();
  const std::vector<BadCase> cases = {
      {"bulkWrite", R"([{"database":"appdb","collection":"c"}])",
       ErrorCode::kServiceCommandNotFound, "bulkWrite"},
      {"watch", R"([{"database":"appdb","collection":"c"}])", ErrorCode::kServiceCommandNotFound,
       "stream"},
      {"deleteMany", R"({"database":"appdb","collection":"c"})", ErrorCode::kInvalidParameter,
       "arguments"},
      {"deleteMany", R"([])", ErrorCode::kInvalidParameter, "exactly one"},
      {"deleteMany", R"([{"database":"appdb","collection":"c"},{}])", ErrorCode::kInvalidParameter,
       "exactly one"},
      {"deleteMany", R"(["appdb"])", ErrorCode::kInvalidParameter, "string"},
      {"deleteMany", R"([{"collection":"c"}])", ErrorCode::kMissingParameter, "database"},
      {"deleteMany", R"([{"database":"appdb"}])", ErrorCode::kMissingParameter, "collection"},
      {"deleteMany", R"([{"database":1,"collection":"c"}])", ErrorCode::kInvalidParameter,
       "database"},
      {"deleteMany", R"([{"database":"appdb","collection":["c"]}])", ErrorCode::kInvalidParameter,
       "collection"},
      {"deleteMany", R"([{"database":"app.db","collection":"c"}])", ErrorCode::kInvalidNamespace,
       "app.db"},
      {"deleteMany", R"([{"database":"","collection":"c"}])", ErrorCode::kInvalidNamespace,
       "empty"},
      {"deleteMany", R"([{"database":"appdb","collection":"system.users"}])",
       ErrorCode::kInvalidNamespace, "system"},
      {"deleteMany", R"([{"database":"appdb","collection":"a$b"}])", ErrorCode::kInvalidNamespace,
       "a$b"},
      {"deleteMany", R"([{"database":"__plinth","collection":"users"}])",
       ErrorCode::kInvalidNamespace, "reserved"},
      {"deleteMany", R"([{"database":"appdb","collection":"c","query":"all"}])",
       ErrorCode::kInvalidParameter, "'query'"},
      {"findOneAndDelete", R"([{"database":"appdb","collection":"c","filter":[]}])",
       ErrorCode::kInvalidParameter, "'filter'"},
      {"deleteMany", R"([{"database":"appdb","collection":"c","query":{"a":1},"filter":{"a":2}}])",
       ErrorCode::kInvalidParameter, "give only one"},
      {"find", R"([{"database":"appdb","collection":"c","project":1}])",
       ErrorCode::kInvalidParameter, "'project'"},
      {"find", R"([{"database":"appdb","collection":"c","sort":"name"}])",
       ErrorCode::kInvalidParameter, "'sort'"},
      {"find", R"([{"database":"appdb","collection":"c","limit":"5"}])",
       ErrorCode::kInvalidParameter, "'limit'"},
      {"find", R"([{"database":"appdb","collection":"c","limit":2.5}])",
       ErrorCode::kInvalidParameter, "'limit'"},
      {"find", R"([{"database":"appdb","collection":"c","limit":1e19}])",
       ErrorCode::kInvalidParameter, "'limit'"},
      {"find", R"([{"database":"appdb","collection":"c","limit":{"$numberDouble":"NaN"}}])",
       ErrorCode::kInvalidParameter, "'limit'"},
      {"find", R"([{"database":"appdb","collection":"c","limit":{"$numberDecimal":"1"}}])",
       ErrorCode::kInvalidParameter, "'limit'"},
      {"findOneAndDelete",
       R"([{"database":"appdb","collection":"c","filter":{"a":{"$elemMatch":{"$where":"1"}}}}])",
       ErrorCode::kBadValue, "$where"},
      {"insertOne", R"([{"database":"appdb","collection":"c"}])", ErrorCode::kMissingParameter,
       "'document'"},
      {"insertOne", R"([{"database":"appdb","collection":"c","document":[1]}])",
       ErrorCode::kInvalidParameter, "'document'"},
      {"insertMany", R"([{"database":"appdb","collection":"c"}])", ErrorCode::kMissingParameter,
       "'documents'"},
      {"insertMany", R"([{"database":"appdb","collection":"c","documents":{"a":1}}])",
       ErrorCode::kInvalidParameter, "'documents'"},
      {"insertMany", R"([{"database":"appdb","collection":"c","documents":[{"a":1},2]}])",
       ErrorCode::kInvalidParameter, "element 1"},
      {"insertMany", R"([{"database":"appdb","collection":"c","documents":[]}])",
       ErrorCode::kInvalidParameter, "empty"},
      {"aggregate", R"([{"database":"appdb","collection":"c"}])", ErrorCode::kMissingParameter,
       "'pipeline'"},
      {"aggregate", R"([{"database":"appdb","collection":"c","pipeline":{"$match":{}}}])",
       ErrorCode::kInvalidParameter, "'pipeline'"},
      {"updateOne", R"([{"database":"appdb","collection":"c","query":{}}])",
       ErrorCode::kMissingParameter, "'update'"},
      {"updateMany", R"([{"database":"appdb","collection":"c","update":"x"}])",
       ErrorCode::kInvalidParameter, "'update'"},
      {"findOneAndUpdate", R"([{"database":"appdb","collection":"c","filter":{}}])",
       ErrorCode::kMissingParameter, "'update'"},
      {"updateOne",
       R"([{"database":"appdb","collection":"c","update":{"$set":{"a":1}},"upsert":"yes"}])",
       ErrorCode::kInvalidParameter, "'upsert'"},
      {"findOneAndUpdate",
       R"([{"database":"appdb","collection":"c","update":{"$set":{"a":1}},"returnNewDocument":1}])",
       ErrorCode::kInvalidParameter, "'returnNewDocument'"},
      {"updateMany",
       R"([{"database":"appdb","collection":"c","update":{"$set":{"a":1}},"arrayFilters":{}}])",
       ErrorCode::kInvalidParameter, "'arrayFilters'"},
      {"deleteMany", R"([{"database":"appdb","collection":"c","query":{"$where":"true"}}])",
       ErrorCode::kBadValue, "$where"},
      {"find",
       R"([{"database":"appdb","collection":"c","query":{"$or":[{"a":1},{"$where":"this.a"}]}}])",
       ErrorCode::kBadValue, "$where"},
      {"updateMany",
       R"([{"database":"appdb","collection":"c","query":{"$and":[{"$where":"1"}]},"update":{"$set":{"a":1}}}])",
       ErrorCode::kBadValue, "$where"},
      {"aggregate",
       R"([{"database":"appdb","collection":"c","pipeline":[{"$match":{"$where":"1"}}]}])",
       ErrorCode::kBadValue, "$where"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name + " " + c.arguments);
    base::Result<MongoRequest> req = ParseMongoRequest(c.name, Json(c.arguments));
    ASSERT_FALSE(req.ok());
    EXPECT_EQ(req.status().code(), c.code) << req.status().ToString();
    EXPECT_THAT(req.status().message(), HasSubstr(c.message_part));
  }
  EXPECT_EQ(Contents(), before);
}

TEST_F(MongoServiceTest, FailedWritesChangeNothing) {
  Seed();
  const std::string before = Contents();
  struct ExecCase {
    std::string body;
    ErrorCode code;
  };
  const std::vector<ExecCase> cases = {
      // Duplicate _id in the middle of a batch: all or nothing.
      {Call(
           "insertMany",
           R"({"database":"appdb","collection":"c","documents":[{"_id":10},{"_id":1},{"_id":11}]})"),
       ErrorCode::kDuplicateKey},
      {Call("insertOne", R"({"database":"appdb","collection":"c","document":{"_id":2}})"),
       ErrorCode::kDuplicateKey},
      {Call("updateMany",
            R"({"database":"appdb","collection":"c","query":{},"update":{"$bogus":{"a":1}}})"),
       ErrorCode::kFailedToParse},
      {Call("updateMany",
            R"({"database":"appdb","collection":"c","query":{},"update":{"$inc":{"name":1}}})"),
       ErrorCode::kTypeMismatch},
      {Call(
           "updateOne",
           R"({"database":"appdb","collection":"c","query":{"_id":1},"update":{"_id":99,"name":"X"}})"),
       ErrorCode::kImmutableField},
      {Call("updateMany",
            R"({"database":"appdb","collection":"c","query":{},"update":{"_id":99,"name":"X"}})"),
       ErrorCode::kImmutableField},
      {Call(
           "updateMany",
           R"({"database":"appdb","collection":"c","query":{},"update":{"$set":{"a.$[x]":1}},"arrayFilters":[{"x":1}]})"),
       ErrorCode::kBadValue},
      {Call(
           "findOneAndReplace",
           R"({"database":"appdb","collection":"c","filter":{"_id":1},"update":{"$set":{"a":1}}})"),
       ErrorCode::kBadValue},
      {Call("deleteMany", R"({"database":"appdb","collection":"c","query":{"a":{"$bogus":1}}})"),
       ErrorCode::kBadValue},
  };
  for (const ExecCase& c : cases) {
    SCOPED_TRACE(c.body);
    base::Result<std::string> out = TryRun(c.body);
    ASSERT_FALSE(out.ok()) << *out;
    EXPECT_EQ(out.status().code(), c.code) << out.status().ToString();
    EXPECT_EQ(Contents(), before);
  }
}

// ---------------------------------------------------------------------------
// Result encodings, byte for byte.

std::string JsonEncodeUpdateResult(const storage::UpdateResult& r) {
  return doc::ToCanonicalJson(EncodeUpdateResult(r));
}
std::string JsonEncodeCount(std::int64_t n) { return doc::ToCanonicalJson(EncodeCount(n)); }
std::string JsonEncodeDeleteResult(const storage::DeleteResult& r) {
  return doc::ToCanonicalJson(EncodeDeleteResult(r));
}
std::string JsonEncodeInsertOneResult(const storage::InsertResult& r) {
  return doc::ToCanonicalJson(EncodeInsertOneResult(r));
}
std::string JsonEncodeInsertManyResult(const storage::InsertResult& r) {
  return doc::ToCanonicalJson(EncodeInsertManyResult(r));
}
std::string JsonEncodeDocuments(const std::vector<doc::Document>& d) {
  return doc::ToCanonicalJson(EncodeDocuments(d));
}
std::string JsonEncodeOptionalDocument(const std::optional<doc::Document>& d) {
  return doc::ToCanonicalJson(EncodeOptionalDocument(d));
}

TEST(MongoResultTest, EncodesUpdateResults) {
  storage::UpdateResult r;
  r.matched = 1;
  r.modified = 1;
  EXPECT_EQ(JsonEncodeUpdateResult(r),
            R"({"matchedCount":{"$numberInt":"1"},"modifiedCount":{"$numberInt":"1"}})");
  r.matched = 0;
  r.modified = 0;
  r.upserted_id = doc::Value(*doc::ObjectId::FromHex("0123456789abcdef01234567"));
  EXPECT_EQ(JsonEncodeUpdateResult(r),
            R"({"matchedCount":{"$numberInt":"0"},"modifiedCount":{"$numberInt":"0"},)"
            R"("upsertedId":{"$oid":"0123456789abcdef01234567"}})");
  r.upserted_id.reset();
  r.matched = std::int64_t{1} << 40;
  EXPECT_EQ(JsonEncodeUpdateResult(r),
            R"({"matchedCount":{"$numberInt":"2147483647"},"modifiedCount":{"$numberInt":"0"}})");
}

TEST(MongoResultTest, EncodesCountsDeletesAndInserts) {
  EXPECT_EQ(JsonEncodeCount(2), R"({"$numberLong":"2"})");
  EXPECT_EQ(JsonEncodeCount(0), R"({"$numberLong":"0"})");
  EXPECT_EQ(JsonEncodeDeleteResult(storage::DeleteResult{0}),
            R"({"deletedCount":{"$numberInt":"0"}})");
  EXPECT_EQ(JsonEncodeDeleteResult(storage::DeleteResult{3}),
            R"({"deletedCount":{"$numberInt":"3"}})");
  storage::InsertResult ins;
  ins.inserted_ids = {doc::Value(*doc::ObjectId::FromHex("0123456789abcdef01234567"))};
  EXPECT_EQ(JsonEncodeInsertOneResult(ins),
            R"({"insertedId":{"$oid":"0123456789abcdef01234567"}})");
  ins.inserted_ids.push_back(doc::Value("two"));
  EXPECT_EQ(JsonEncodeInsertManyResult(ins),
            R"({"insertedIds":[{"$oid":"0123456789abcdef01234567"},"two"]})");
  EXPECT_EQ(JsonEncodeInsertManyResult(storage::InsertResult{}), R"({"insertedIds":[]})");
}

TEST(MongoResultTest, EncodesDocuments) {
  EXPECT_EQ(JsonEncodeDocuments({}), "[]");
  EXPECT_EQ(JsonEncodeDocuments({JsonDoc(R"({"a":1})"), JsonDoc(R"({"b":2.5})")}),
            R"([{"a":{"$numberInt":"1"}},{"b":{"$numberDouble":"2.5"}}])");
  EXPECT_EQ(JsonEncodeOptionalDocument(std::nullopt), "null");
  EXPECT_EQ(JsonEncodeOptionalDocument(JsonDoc(R"({"d":{"$date":{"$numberLong":"5"}}})")),
            R"({"d":{"$date":{"$numberLong":"5"}}})");
}

// ---------------------------------------------------------------------------
// Execute round trips, one per action.

TEST_F(MongoServiceTest, InsertOneGeneratesObjectId) {
  std::string out = Run(Call(
      "insertOne",
      R"({"database":"appdb","collection":"c","document":{"user_id":"u1","favoriteColor":"green"}})"));
  EXPECT_THAT(out, StartsWith(R"({"insertedId":{"$oid":")"));
  doc::Document result = JsonDoc(out);
  const doc::Value* id = result.Get("insertedId");
  ASSERT_NE(id, nullptr);
  ASSERT_EQ(id->type(), doc::Type::kObjectId);
  EXPECT_EQ(Contents(), "[" +
                            doc::ToCanonicalJson(doc::Document{
                                {"_id", *id}, {"user_id", "u1"}, {"favoriteColor", "green"}}) +
                            "]");
}

TEST_F(MongoServiceTest, InsertManyKeepsInputOrder) {
  std::string out = Run(Call(
      "insertMany",
      R"({"database":"appdb","collection":"c","documents":[{"_id":"b"},{"x":1},{"_id":"a"}]})"));
  doc::Document result = JsonDoc(out);
  const doc::Value* ids = result.Get("insertedIds");
  ASSERT_NE(ids, nullptr);
  ASSERT_TRUE(ids->is_array());
  ASSERT_EQ(ids->as_array().size(), 3u);
  EXPECT_EQ(ids->as_array()[0], doc::Value("b"));
  EXPECT_EQ(ids->as_array()[1].type(), doc::Type::kObjectId);
  EXPECT_EQ(ids->as_array()[2], doc::Value("a"));
}

TEST_F(MongoServiceTest, FindFindOneCountAggregate) {
  Seed();
  EXPECT_EQ(
      Run(Call(
          "find",
          R"({"database":"appdb","collection":"c","query":{"n":{"$gte":2}},"project":{"_id":0,"name":1},"sort":{"n":-1},"limit":{"$numberInt":"1"}})")),
      R"([{"name":"Dan"}])");
  EXPECT_EQ(Run(Call("find", R"({"database":"appdb","collection":"c","query":{"n":9}})")), "[]");
  EXPECT_EQ(Run(Call("find", R"({"database":"appdb","collection":"c","limit":0})")), Contents());
  EXPECT_EQ(
      Run(Call(
          "findOne",
          R"({"database":"appdb","collection":"c","query":{},"projection":{"name":1},"sort":{"n":-1}})")),
      R"({"_id":{"$numberInt":"3"},"name":"Dan"})");
  EXPECT_EQ(Run(Call("findOne", R"({"database":"appdb","collection":"c","query":{"n":9}})")),
            "null");
  EXPECT_EQ(Run(Call("count", R"({"database":"appdb","collection":"c","query":{}})")),
            R"({"$numberLong":"3"})");
  EXPECT_EQ(
      Run(Call("count",
               R"({"database":"appdb","collection":"c","query":{},"limit":{"$numberLong":"2"}})")),
      R"({"$numberLong":"2"})");
  EXPECT_EQ(
      Run(Call(
          "aggregate",
          R"({"database":"appdb","collection":"c","pipeline":[{"$match":{"n":{"$lt":3}}},{"$count":"n"}]})")),
      R"([{"n":{"$numberInt":"2"}}])");
}

TEST_F(MongoServiceTest, UpdateOneAndManyWithOperators) {
  Seed();
  EXPECT_EQ(
      Run(Call(
          "updateOne",
          R"({"database":"appdb","collection":"c","query":{"_id":1},"update":{"$set":{"name":"Bobby"}}})")),
      R"({"matchedCount":{"$numberInt":"1"},"modifiedCount":{"$numberInt":"1"}})");
  EXPECT_EQ(
      Run(Call(
          "updateMany",
          R"({"database":"appdb","collection":"c","query":{"n":{"$gte":2}},"update":{"$inc":{"n":10}}})")),
      R"({"matchedCount":{"$numberInt":"2"},"modifiedCount":{"$numberInt":"2"}})");
  EXPECT_EQ(
      Run(Call(
          "updateMany",
          R"({"database":"appdb","collection":"c","query":{"n":999},"update":{"$inc":{"n":1}}})")),
      R"({"matchedCount":{"$numberInt":"0"},"modifiedCount":{"$numberInt":"0"}})");
  EXPECT_EQ(Contents(), R"([{"_id":{"$numberInt":"1"},"name":"Bobby","n":{"$numberInt":"1"}},)"
                        R"({"_id":{"$numberInt":"2"},"name":"Carol","n":{"$numberInt":"12"}},)"
                        R"({"_id":{"$numberInt":"3"},"name":"Dan","n":{"$numberInt":"13"}}])");
}

TEST_F(MongoServiceTest, UpsertReportsUpsertedIdOnlyWhenInserted) {
  std::string out = Run(Call(
      "updateOne",
      R"({"database":"appdb","collection":"c","query":{"user_id":"u1"},"update":{"$set":{"color":"red"}},"upsert":true})"));
  EXPECT_THAT(
      out,
      StartsWith(
          R"({"matchedCount":{"$numberInt":"0"},"modifiedCount":{"$numberInt":"0"},"upsertedId":{"$oid":")"));
  // Second time it matches: no upsertedId.
  EXPECT_EQ(
      Run(Call(
          "updateOne",
          R"({"database":"appdb","collection":"c","query":{"user_id":"u1"},"update":{"$set":{"color":"blue"}},"upsert":true})")),
      R"({"matchedCount":{"$numberInt":"1"},"modifiedCount":{"$numberInt":"1"}})");
  EXPECT_EQ(
      Run(Call("count",
               R"({"database":"appdb","collection":"c","query":{"user_id":"u1","color":"blue"}})")),
      R"({"$numberLong":"1"})");
}

TEST_F(MongoServiceTest, OperatorlessUpdateReplacesKeepingId) {
  Seed();
  EXPECT_EQ(
      Run(Call(
          "updateOne",
          R"({"database":"appdb","collection":"c","query":{"name":"Bob"},"update":{"name":"Alison"}})")),
      R"({"matchedCount":{"$numberInt":"1"},"modifiedCount":{"$numberInt":"1"}})");
  EXPECT_EQ(Run(Call("findOne", R"({"database":"appdb","collection":"c","query":{"_id":1}})")),
            R"({"_id":{"$numberInt":"1"},"name":"Alison"})");
  EXPECT_EQ(
      Run(Call(
          "updateMany",
          R"({"database":"appdb","collection":"c","query":{"n":{"$gte":2}},"update":{"name":"Zed"}})")),
      R"({"matchedCount":{"$numberInt":"2"},"modifiedCount":{"$numberInt":"2"}})");
  EXPECT_EQ(Contents(), R"([{"_id":{"$numberInt":"1"},"name":"Alison"},)"
                        R"({"_id":{"$numberInt":"2"},"name":"Zed"},)"
                        R"({"_id":{"$numberInt":"3"},"name":"Zed"}])");
  // Upsert of a replacement when nothing matches.
  std::string out = Run(Call(
      "updateMany",
      R"({"database":"appdb","collection":"c","query":{"name":"Nobody"},"update":{"name":"New"},"upsert":true})"));
  EXPECT_THAT(out, HasSubstr(R"("upsertedId":)"));
  EXPECT_EQ(Run(Call("count", R"({"database":"appdb","collection":"c","query":{"name":"New"}})")),
            R"({"$numberLong":"1"})");
}

TEST_F(MongoServiceTest, DeleteOneAndMany) {
  Seed();
  EXPECT_EQ(Run(Call("deleteOne", R"({"database":"appdb","collection":"c","query":{}})")),
            R"({"deletedCount":{"$numberInt":"1"}})");
  EXPECT_EQ(Run(Call("deleteMany", R"({"database":"appdb","collection":"c","query":{"n":9}})")),
            R"({"deletedCount":{"$numberInt":"0"}})");
  EXPECT_EQ(Run(Call("deleteMany", R"({"database":"appdb","collection":"c","query":{}})")),
            R"({"deletedCount":{"$numberInt":"2"}})");
  EXPECT_EQ(Contents(), "[]");
}

TEST_F(MongoServiceTest, FindOneAndUpdateReplaceDelete) {
  Seed();
  EXPECT_EQ(
      Run(Call(
          "findOneAndUpdate",
          R"({"database":"appdb","collection":"c","filter":{"_id":1},"update":{"$set":{"n":5}},"projection":{"n":1}})")),
      R"({"_id":{"$numberInt":"1"},"n":{"$numberInt":"1"}})");
  EXPECT_EQ(
      Run(Call(
          "findOneAndUpdate",
          R"({"database":"appdb","collection":"c","filter":{"_id":1},"update":{"$inc":{"n":1}},"project":{"_id":0,"n":1},"returnNewDocument":true})")),
      R"({"n":{"$numberInt":"6"}})");
  EXPECT_EQ(
      Run(Call(
          "findOneAndUpdate",
          R"({"database":"appdb","collection":"c","filter":{"_id":42},"update":{"$set":{"n":1}}})")),
      "null");
  EXPECT_EQ(
      Run(Call(
          "findOneAndReplace",
          R"({"database":"appdb","collection":"c","filter":{"_id":2},"update":{"name":"Carla"},"returnNewDocument":true})")),
      R"({"_id":{"$numberInt":"2"},"name":"Carla"})");
  EXPECT_EQ(Run(Call("findOneAndDelete",
                     R"({"database":"appdb","collection":"c","filter":{},"sort":{"_id":-1}})")),
            R"({"_id":{"$numberInt":"3"},"name":"Dan","n":{"$numberInt":"3"}})");
  // realm-web 2.0.1's findOneAndDelete: findOneAndReplace without update.
  EXPECT_EQ(
      Run(Call(
          "findOneAndReplace",
          R"({"database":"appdb","collection":"c","filter":{"_id":2},"projection":{"name":1}})")),
      R"({"_id":{"$numberInt":"2"},"name":"Carla"})");
  EXPECT_EQ(
      Run(Call("findOneAndDelete", R"({"database":"appdb","collection":"c","filter":{"_id":2}})")),
      "null");
  EXPECT_EQ(Contents(), R"([{"_id":{"$numberInt":"1"},"name":"Bob","n":{"$numberInt":"6"}}])");
}

}  // namespace
}  // namespace plinth::services
