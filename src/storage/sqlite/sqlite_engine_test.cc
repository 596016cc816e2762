#include "storage/sqlite/sqlite_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "base/clock.h"
#include "base/random.h"
#include "doc/compare.h"
#include "storage/collection.h"
#include "storage/cursor.h"

namespace plinth::storage {
namespace {

// An upsert's options (a helper, since brace-initializing only some members
// of UpdateOptions trips -Wmissing-field-initializers).
UpdateOptions Upsert() {
  UpdateOptions options;
  options.upsert = true;
  return options;
}

using doc::Array;
using doc::Document;
using doc::Value;

class SqliteEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.clock = &clock_;
    options.random = &random_;
    auto engine = OpenSqliteEngine(options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    coll_ = Coll("db", "c");
  }

  std::shared_ptr<Collection> Coll(const std::string& db, const std::string& name) {
    auto c = engine_->GetCollection(db, name);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c.value() : nullptr;
  }

  std::vector<Document> FindAll(Collection* c, const Document& filter = {},
                                const FindOptions& options = {}) {
    auto cursor = c->Find(filter, options);
    EXPECT_TRUE(cursor.ok()) << cursor.status().ToString();
    if (!cursor.ok()) return {};
    auto all = ReadAll(cursor->get());
    EXPECT_TRUE(all.ok());
    return all.ok() ? all.value() : std::vector<Document>{};
  }

  std::vector<Value> Ids(const std::vector<Document>& docs) {
    std::vector<Value> ids;
    for (const auto& d : docs) ids.push_back(d.Get("_id") ? *d.Get("_id") : Value());
    return ids;
  }

  void Insert(std::vector<Document> docs) {
    auto r = coll_->InsertMany(std::move(docs));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  base::FakeClock clock_;
  base::SeededRandom random_{1};
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<Collection> coll_;
};

TEST_F(SqliteEngineTest, InsertGeneratesObjectIdFirst) {
  auto r = coll_->InsertOne(Document{{"a", 1}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->inserted_ids.size(), 1u);
  EXPECT_EQ(r->inserted_ids[0].type(), doc::Type::kObjectId);
  EXPECT_EQ(r->inserted_ids[0].as_object_id().Timestamp(), 1'700'000'000u);
  auto docs = FindAll(coll_.get());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].fields()[0].first, "_id");
  EXPECT_EQ(*docs[0].Get("a"), Value(1));
}

TEST_F(SqliteEngineTest, CrudAndNaturalOrderAcrossUpdates) {
  Insert({Document{{"_id", 1}, {"v", "a"}}, Document{{"_id", 2}, {"v", "b"}},
          Document{{"_id", 3}, {"v", "c"}}});
  auto u = coll_->UpdateOne(Document{{"_id", 1}},
                            Document{{"$set", Document{{"v", std::string(1000, 'z')}}}});
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->matched, 1);
  EXPECT_EQ(u->modified, 1);
  auto r = coll_->ReplaceOne(Document{{"_id", 2}}, Document{{"w", 5}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(FindAll(coll_.get())), (std::vector<Value>{1, 2, 3}));
  auto two = coll_->FindOne(Document{{"_id", 2}});
  ASSERT_TRUE(two.ok());
  ASSERT_TRUE(two->has_value());
  EXPECT_EQ(**two, (Document{{"_id", 2}, {"w", 5}}));

  auto d = coll_->DeleteOne(Document{{"_id", 2}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->deleted, 1);
  EXPECT_EQ(Ids(FindAll(coll_.get())), (std::vector<Value>{1, 3}));
  auto dm = coll_->DeleteMany(Document{});
  ASSERT_TRUE(dm.ok());
  EXPECT_EQ(dm->deleted, 2);
  auto count = coll_->CountDocuments(Document{});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
}

TEST_F(SqliteEngineTest, FindSortSkipLimitProjectionBatches) {
  for (int i = 0; i < 10; ++i) Insert({Document{{"_id", i}, {"k", i % 3}, {"x", "y"}}});
  FindOptions options;
  options.sort = Document{{"k", -1}};
  options.skip = 1;
  options.limit = 4;
  options.projection = Document{{"x", 0}};
  auto docs = FindAll(coll_.get(), {}, options);
  // k=2: 2,5,8; k=1: 1,4,7 (stable) -> skip 1, limit 4.
  EXPECT_EQ(Ids(docs), (std::vector<Value>{5, 8, 1, 4}));
  EXPECT_FALSE(docs[0].Has("x"));

  options = FindOptions{};
  options.batch_size = 3;
  auto cursor = coll_->Find(Document{}, options);
  ASSERT_TRUE(cursor.ok());
  std::vector<Document> batch;
  auto more = (*cursor)->NextBatch(&batch);
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(*more);
  EXPECT_EQ(batch.size(), 3u);

  FindOptions bad;
  bad.skip = -1;
  EXPECT_EQ(coll_->Find(Document{}, bad).status().code(), base::ErrorCode::kBadValue);
  EXPECT_FALSE(coll_->Find(Document{{"a", Document{{"$where", "x"}}}}).ok());
  auto count = coll_->CountDocuments(Document{{"k", 1}}, CountOptions{1, 5});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
}

TEST_F(SqliteEngineTest, UniqueIndexAndDuplicateKeyMessage) {
  auto name = coll_->CreateIndex(IndexSpec{"", Document{{"a", 1}}, true});
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, "a_1");
  Insert({Document{{"_id", 1}, {"a", "x"}}});
  auto dup = coll_->InsertOne(Document{{"_id", 2}, {"a", "x"}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), base::ErrorCode::kDuplicateKey);
  EXPECT_EQ(dup.status().message(),
            "E11000 duplicate key error collection: db.c index: a_1 dup key: { a: \"x\" }");
  auto dup_id = coll_->InsertOne(Document{{"_id", 1.0}});
  ASSERT_FALSE(dup_id.ok());
  EXPECT_EQ(dup_id.status().message(),
            "E11000 duplicate key error collection: db.c index: _id_ dup key: { _id: 1.0 }");
  // Numbers equal across types collide.
  Insert({Document{{"_id", 3}, {"a", 7}}});
  EXPECT_EQ(coll_->InsertOne(Document{{"_id", 4}, {"a", 7.0}}).status().code(),
            base::ErrorCode::kDuplicateKey);
  // Exact large integers do not.
  Insert({Document{{"_id", 5}, {"a", std::int64_t{(1LL << 53) + 1}}}});
  Insert({Document{{"_id", 6}, {"a", 9007199254740992.0}}});
  // Update into a duplicate fails and changes nothing.
  auto u = coll_->UpdateOne(Document{{"_id", 3}}, Document{{"$set", Document{{"a", "x"}}}});
  EXPECT_EQ(u.status().code(), base::ErrorCode::kDuplicateKey);
  auto three = coll_->FindOne(Document{{"_id", 3}});
  ASSERT_TRUE(three.ok() && three->has_value());
  EXPECT_EQ(*(*three)->Get("a"), Value(7));
  // Lookups through the index find equal numbers of any type.
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"a", std::int64_t{7}}})), (std::vector<Value>{3}));
}

TEST_F(SqliteEngineTest, UniqueIndexBuildOverDuplicatesFails) {
  Insert({Document{{"a", 1}}, Document{{"a", 1}}});
  auto r = coll_->CreateIndex(IndexSpec{"", Document{{"a", 1}}, true});
  EXPECT_EQ(r.status().code(), base::ErrorCode::kDuplicateKey);
  auto indexes = coll_->ListIndexes();
  ASSERT_TRUE(indexes.ok());
  EXPECT_EQ(indexes->size(), 1u);
}

TEST_F(SqliteEngineTest, IndexManagement) {
  EXPECT_EQ(coll_->CreateIndex(IndexSpec{"", Document{{"a", 2}}, false}).status().code(),
            base::ErrorCode::kCannotCreateIndex);
  EXPECT_EQ(coll_->CreateIndex(IndexSpec{"", Document{}, false}).status().code(),
            base::ErrorCode::kCannotCreateIndex);
  auto name = coll_->CreateIndex(IndexSpec{"", Document{{"a", 1}, {"b", -1}}, false});
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "a_1_b_-1");
  EXPECT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"a", 1}, {"b", -1}}, false}).ok());
  auto indexes = coll_->ListIndexes();
  ASSERT_TRUE(indexes.ok());
  ASSERT_EQ(indexes->size(), 2u);
  EXPECT_EQ((*indexes)[0], (Document{{"v", 2}, {"key", Document{{"_id", 1}}}, {"name", "_id_"}}));
  EXPECT_EQ((*indexes)[1],
            (Document{{"v", 2}, {"key", Document{{"a", 1}, {"b", -1}}}, {"name", "a_1_b_-1"}}));
  EXPECT_EQ(coll_->DropIndex("_id_").code(), base::ErrorCode::kIllegalOperation);
  EXPECT_EQ(coll_->DropIndex("nope").code(), base::ErrorCode::kIndexNotFound);
  EXPECT_TRUE(coll_->DropIndex("a_1_b_-1").ok());
  EXPECT_EQ(coll_->ListIndexes()->size(), 1u);
}

TEST_F(SqliteEngineTest, CompoundAndMultikeyIndexesNarrowButMatcherDecides) {
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"a", 1}, {"b", -1}}, false}).ok());
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"tags", 1}}, false}).ok());
  Insert({Document{{"_id", 1}, {"a", 1}, {"b", 2}, {"tags", Array{"x", "y"}}},
          Document{{"_id", 2}, {"a", 1}, {"b", 3}, {"tags", "x"}},
          Document{{"_id", 3}, {"a", 2}, {"b", 2}}, Document{{"_id", 4}, {"tags", Array{}}}});
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"a", 1}})), (std::vector<Value>{1, 2}));
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"a", 1}, {"b", 3}})), (std::vector<Value>{2}));
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"a", 1}, {"b", Document{{"$gt", 2}}}})),
            (std::vector<Value>{2}));
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"tags", "x"}})), (std::vector<Value>{1, 2}));
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"tags", Array{"x", "y"}}})),
            (std::vector<Value>{1}));
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"tags", Array{}}})), (std::vector<Value>{4}));
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"a", Value()}})), (std::vector<Value>{4}));
  // Index entries follow updates and deletes.
  ASSERT_TRUE(
      coll_->UpdateOne(Document{{"_id", 1}}, Document{{"$set", Document{{"tags", "z"}}}}).ok());
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"tags", "x"}})), (std::vector<Value>{2}));
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"tags", "z"}})), (std::vector<Value>{1}));
  ASSERT_TRUE(coll_->DeleteOne(Document{{"_id", 2}}).ok());
  EXPECT_EQ(Ids(FindAll(coll_.get(), Document{{"tags", "x"}})), (std::vector<Value>{}));
}

TEST_F(SqliteEngineTest, InsertManyIsAllOrNothing) {
  auto r = coll_->InsertMany({Document{{"_id", 1}}, Document{{"_id", 2}}, Document{{"_id", 1}}});
  EXPECT_EQ(r.status().code(), base::ErrorCode::kDuplicateKey);
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 0);
  auto bad_id = coll_->InsertMany({Document{{"_id", 7}}, Document{{"_id", Array{1}}}});
  EXPECT_EQ(bad_id.status().code(), base::ErrorCode::kInvalidIdField);
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 0);
}

TEST_F(SqliteEngineTest, UpdateManyAndUpsert) {
  Insert({Document{{"_id", 1}, {"n", 1}}, Document{{"_id", 2}, {"n", 1}},
          Document{{"_id", 3}, {"n", 2}}});
  auto u = coll_->UpdateMany(Document{{"n", 1}}, Document{{"$inc", Document{{"n", 10}}}});
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->matched, 2);
  EXPECT_EQ(u->modified, 2);
  EXPECT_FALSE(u->upserted_id.has_value());

  auto up =
      coll_->UpdateOne(Document{{"name", "new"}}, Document{{"$set", Document{{"x", 1}}}}, Upsert());
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->matched, 0);
  ASSERT_TRUE(up->upserted_id.has_value());
  EXPECT_EQ(up->upserted_id->type(), doc::Type::kObjectId);
  auto created = coll_->FindOne(Document{{"name", "new"}});
  ASSERT_TRUE(created.ok() && created->has_value());
  EXPECT_EQ(*(*created)->Get("x"), Value(1));

  auto rep = coll_->ReplaceOne(Document{{"_id", 9}}, Document{{"r", true}}, Upsert());
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  ASSERT_TRUE(rep->upserted_id.has_value());
  EXPECT_EQ(*rep->upserted_id, Value(9));

  EXPECT_FALSE(coll_->UpdateOne(Document{}, Document{{"x", 1}}).ok());
  EXPECT_FALSE(coll_->ReplaceOne(Document{}, Document{{"$set", Document{{"x", 1}}}}).ok());
  auto immutable = coll_->UpdateOne(Document{{"_id", 1}}, Document{{"$set", Document{{"_id", 5}}}});
  EXPECT_EQ(immutable.status().code(), base::ErrorCode::kImmutableField);
}

TEST_F(SqliteEngineTest, FindOneAndModify) {
  Insert({Document{{"_id", 1}, {"n", 5}}, Document{{"_id", 2}, {"n", 3}}});
  FindAndModifyOptions options;
  options.sort = Document{{"n", 1}};
  auto before =
      coll_->FindOneAndUpdate(Document{}, Document{{"$inc", Document{{"n", 1}}}}, options);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_TRUE(before->has_value());
  EXPECT_EQ(**before, (Document{{"_id", 2}, {"n", 3}}));
  options.return_new = true;
  options.projection = Document{{"_id", 0}};
  auto after = coll_->FindOneAndUpdate(Document{{"_id", 2}}, Document{{"$inc", Document{{"n", 1}}}},
                                       options);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ(**after, (Document{{"n", 5}}));

  FindAndModifyOptions upsert;
  upsert.upsert = true;
  upsert.return_new = true;
  auto created = coll_->FindOneAndReplace(Document{{"_id", 7}}, Document{{"v", 1}}, upsert);
  ASSERT_TRUE(created.ok() && created->has_value()) << created.status().ToString();
  EXPECT_EQ(**created, (Document{{"_id", 7}, {"v", 1}}));
  auto none =
      coll_->FindOneAndUpdate(Document{{"_id", 99}}, Document{{"$set", Document{{"v", 1}}}});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto deleted = coll_->FindOneAndDelete(Document{{"_id", 1}});
  ASSERT_TRUE(deleted.ok() && deleted->has_value());
  EXPECT_EQ(**deleted, (Document{{"_id", 1}, {"n", 5}}));
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 2);
}

TEST_F(SqliteEngineTest, AggregateBasicStages) {
  for (int i = 0; i < 6; ++i) Insert({Document{{"_id", i}, {"g", i % 2}, {"x", i}}});
  auto cursor = coll_->Aggregate({Document{{"$match", Document{{"g", 1}}}},
                                  Document{{"$sort", Document{{"x", -1}}}}, Document{{"$skip", 1}},
                                  Document{{"$limit", 1}},
                                  Document{{"$project", Document{{"x", 1}, {"_id", 0}}}}});
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  auto docs = ReadAll(cursor->get());
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(*docs, (std::vector<Document>{Document{{"x", 3}}}));

  auto count =
      coll_->Aggregate({Document{{"$match", Document{{"g", 0}}}}, Document{{"$count", "n"}}});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*ReadAll(count->get()), (std::vector<Document>{Document{{"n", 3}}}));

  auto unknown = coll_->Aggregate({Document{{"$bogus", 1}}});
  EXPECT_EQ(unknown.status().code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(unknown.status().message(), "Unrecognized pipeline stage name: '$bogus'");
  auto later = coll_->Aggregate({Document{{"$bucketAuto", Document{{"groupBy", "$g"}}}}});
  EXPECT_EQ(later.status().code(), base::ErrorCode::kBadValue);
  EXPECT_NE(later.status().message().find("not supported yet"), std::string::npos);
}

TEST_F(SqliteEngineTest, NamespacesAndCatalog) {
  EXPECT_EQ(engine_->GetCollection("a.b", "c").status().code(), base::ErrorCode::kInvalidNamespace);
  EXPECT_EQ(engine_->GetCollection("", "c").status().code(), base::ErrorCode::kInvalidNamespace);
  EXPECT_EQ(engine_->GetCollection("db", "system.users").status().code(),
            base::ErrorCode::kInvalidNamespace);
  EXPECT_EQ(engine_->GetCollection("db", "a$b").status().code(),
            base::ErrorCode::kInvalidNamespace);
  EXPECT_EQ(engine_->GetCollection(std::string(64, 'd'), "c").status().code(),
            base::ErrorCode::kInvalidNamespace);

  // Reading does not create.
  EXPECT_EQ(*Coll("db2", "x")->CountDocuments(Document{}), 0);
  EXPECT_TRUE(engine_->ListDatabases()->empty());
  ASSERT_TRUE(Coll("db2", "x")->InsertOne(Document{}).ok());
  ASSERT_TRUE(Coll("db2", "y")->InsertOne(Document{}).ok());
  ASSERT_TRUE(Coll("db1", "z")->InsertOne(Document{}).ok());
  EXPECT_EQ(*engine_->ListDatabases(), (std::vector<std::string>{"db1", "db2"}));
  EXPECT_EQ(*engine_->ListCollections("db2"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(*engine_->DropCollection("db2", "x"));
  EXPECT_FALSE(*engine_->DropCollection("db2", "x"));
  EXPECT_EQ(*engine_->ListCollections("db2"), (std::vector<std::string>{"y"}));
  EXPECT_TRUE(*engine_->DropDatabase("db2"));
  EXPECT_FALSE(*engine_->DropDatabase("db2"));
  EXPECT_EQ(*engine_->ListDatabases(), (std::vector<std::string>{"db1"}));
  // A dropped collection comes back empty.
  EXPECT_EQ(*Coll("db2", "x")->CountDocuments(Document{}), 0);
}

TEST_F(SqliteEngineTest, LimitsRejectedAndNothingChanged) {
  Document deep;
  for (int i = 0; i < 120; ++i) deep = Document{{"a", deep}};
  EXPECT_EQ(coll_->InsertOne(deep).status().code(), base::ErrorCode::kDepthLimitExceeded);
  Document big{{"s", std::string(17 * 1024 * 1024, 'x')}};
  EXPECT_EQ(coll_->InsertOne(big).status().code(), base::ErrorCode::kSizeLimitExceeded);
  Insert({Document{{"_id", 1}}});
  auto grow = coll_->UpdateOne(Document{{"_id", 1}},
                               Document{{"$set", Document{{"s", std::string(17 << 20, 'x')}}}});
  EXPECT_EQ(grow.status().code(), base::ErrorCode::kSizeLimitExceeded);
  EXPECT_EQ(*coll_->FindOne(Document{}), std::optional<Document>(Document{{"_id", 1}}));
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 1);
  EXPECT_EQ(coll_->InsertOne(Document{{"$bad", 1}}).status().code(), base::ErrorCode::kBadValue);
}

TEST_F(SqliteEngineTest, TransactionsCommitAndRollBack) {
  auto status = engine_->RunTransaction([](Engine& tx) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(auto users, tx.GetCollection("app", "users"));
    PLINTH_ASSIGN_OR_RETURN(auto ids, tx.GetCollection("app", "identities"));
    PLINTH_RETURN_IF_ERROR(users->InsertOne(Document{{"_id", 1}}).status());
    PLINTH_RETURN_IF_ERROR(ids->InsertOne(Document{{"_id", 1}, {"user", 1}}).status());
    // Reads inside see the transaction's writes.
    PLINTH_ASSIGN_OR_RETURN(std::int64_t n, users->CountDocuments(Document{}));
    if (n != 1) return base::Internal("own write not visible");
    return base::Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(*Coll("app", "identities")->CountDocuments(Document{}), 1);

  auto failed = engine_->RunTransaction([](Engine& tx) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(auto users, tx.GetCollection("app", "users"));
    PLINTH_RETURN_IF_ERROR(users->InsertOne(Document{{"_id", 2}}).status());
    // A failed operation inside leaves the earlier ones in place...
    EXPECT_FALSE(users->InsertOne(Document{{"_id", 1}}).ok());
    PLINTH_ASSIGN_OR_RETURN(std::int64_t n, users->CountDocuments(Document{}));
    EXPECT_EQ(n, 2);
    return base::Status(base::ErrorCode::kBadValue, "abort");
  });
  // ...but the body's error rolls everything back.
  EXPECT_EQ(failed.code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(*Coll("app", "users")->CountDocuments(Document{}), 1);
}

TEST_F(SqliteEngineTest, CatalogChangesRolledBackAreForgotten) {
  Insert({Document{{"_id", 1}, {"a", 1}}});
  auto status = engine_->RunTransaction([](Engine& tx) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(auto c, tx.GetCollection("db", "c"));
    PLINTH_RETURN_IF_ERROR(c->CreateIndex(IndexSpec{"", Document{{"a", 1}}, true}).status());
    PLINTH_ASSIGN_OR_RETURN(auto fresh, tx.GetCollection("db", "fresh"));
    PLINTH_RETURN_IF_ERROR(fresh->InsertOne(Document{}).status());
    return base::Status(base::ErrorCode::kBadValue, "abort");
  });
  EXPECT_EQ(status.code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(coll_->ListIndexes()->size(), 1u);
  EXPECT_EQ(*engine_->ListCollections("db"), (std::vector<std::string>{"c"}));
  // No unique index: a duplicate value is fine.
  Insert({Document{{"_id", 2}, {"a", 1}}});
  // Two documents without b: both index as null.
  EXPECT_EQ(coll_->CreateIndex(IndexSpec{"", Document{{"b", 1}}, true}).status().code(),
            base::ErrorCode::kDuplicateKey);
  ASSERT_TRUE(coll_->DeleteOne(Document{{"_id", 2}}).ok());
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"b", 1}}, true}).ok());
  EXPECT_EQ(coll_->InsertOne(Document{{"_id", 3}}).status().code(), base::ErrorCode::kDuplicateKey);
  ASSERT_TRUE(*engine_->DropCollection("db", "c"));
  Insert({Document{{"_id", 3}}});
  EXPECT_EQ(coll_->ListIndexes()->size(), 1u);
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 1);
}

TEST_F(SqliteEngineTest, StageCommitDiscardAndVisibility) {
  Insert({Document{{"_id", 1}, {"v", 1}}, Document{{"_id", 2}, {"v", 2}}});
  auto stage = engine_->NewStage();
  auto staged = stage->view().GetCollection("db", "c");
  ASSERT_TRUE(staged.ok());
  ASSERT_TRUE((*staged)->InsertOne(Document{{"_id", 3}, {"v", 3}}).ok());
  ASSERT_TRUE(
      (*staged)->UpdateOne(Document{{"_id", 1}}, Document{{"$set", Document{{"v", 10}}}}).ok());
  ASSERT_TRUE((*staged)->DeleteOne(Document{{"_id", 2}}).ok());
  // The stage sees its writes, in natural order; others do not.
  auto seen = ReadAll((*staged)->Find(Document{})->get());
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(*seen, (std::vector<Document>{Document{{"_id", 1}, {"v", 10}},
                                          Document{{"_id", 3}, {"v", 3}}}));
  EXPECT_EQ(*(*staged)->CountDocuments(Document{{"v", Document{{"$gte", 3}}}}), 2);
  EXPECT_EQ(Ids(FindAll(coll_.get())), (std::vector<Value>{1, 2}));
  EXPECT_EQ((*staged)->InsertOne(Document{{"_id", 3}}).status().code(),
            base::ErrorCode::kDuplicateKey);
  // Writes outside are not blocked while the stage is open.
  ASSERT_TRUE(Coll("db", "other")->InsertOne(Document{}).ok());

  auto status = stage->Commit([](Engine& tx) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(auto log, tx.GetCollection("db", "log"));
    return log->InsertOne(Document{{"msg", "committed"}}).status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(FindAll(coll_.get()), (std::vector<Document>{Document{{"_id", 1}, {"v", 10}},
                                                         Document{{"_id", 3}, {"v", 3}}}));
  EXPECT_EQ(*Coll("db", "log")->CountDocuments(Document{}), 1);

  auto second = engine_->NewStage();
  ASSERT_TRUE((*second->view().GetCollection("db", "c"))->InsertOne(Document{{"_id", 4}}).ok());
  second->Discard();
  ASSERT_TRUE(second->Commit().ok());
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 2);
}

TEST_F(SqliteEngineTest, StageReadsSortAggregateAndUpsert) {
  Insert({Document{{"_id", 1}, {"n", 5}}, Document{{"_id", 2}, {"n", 1}}});
  auto stage = engine_->NewStage();
  auto staged = *stage->view().GetCollection("db", "c");
  auto up =
      staged->UpdateOne(Document{{"_id", 3}}, Document{{"$set", Document{{"n", 3}}}}, Upsert());
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(*up->upserted_id, Value(3));
  // A document inserted by the stage can be changed again in the stage.
  ASSERT_TRUE(staged->UpdateOne(Document{{"_id", 3}}, Document{{"$inc", Document{{"n", 1}}}}).ok());
  ASSERT_TRUE(staged->DeleteOne(Document{{"_id", 1}}).ok());
  FindOptions options;
  options.sort = Document{{"n", -1}};
  auto sorted = ReadAll(staged->Find(Document{}, options)->get());
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ(Ids(*sorted), (std::vector<Value>{3, 2}));
  auto agg = staged->Aggregate(
      {Document{{"$match", Document{{"n", Document{{"$gt", 0}}}}}}, Document{{"$count", "c"}}});
  ASSERT_TRUE(agg.ok());
  EXPECT_EQ(*ReadAll(agg->get()), (std::vector<Document>{Document{{"c", 2}}}));
  auto fam = staged->FindOneAndDelete(Document{{"_id", 2}});
  ASSERT_TRUE(fam.ok() && fam->has_value());
  EXPECT_EQ(*staged->CountDocuments(Document{}), 1);
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 2);
  EXPECT_EQ(staged->CreateIndex(IndexSpec{"", Document{{"n", 1}}, false}).status().code(),
            base::ErrorCode::kIllegalOperation);
  ASSERT_TRUE(stage->Commit().ok());
  EXPECT_EQ(FindAll(coll_.get()), (std::vector<Document>{Document{{"_id", 3}, {"n", 4}}}));
}

TEST_F(SqliteEngineTest, ObjectIdsAreDistinctAndOrderedWithinASecond) {
  std::vector<Document> docs(50);
  auto r = coll_->InsertMany(docs);
  ASSERT_TRUE(r.ok());
  for (std::size_t i = 1; i < r->inserted_ids.size(); ++i) {
    const auto& a = r->inserted_ids[i - 1].as_object_id().bytes();
    const auto& b = r->inserted_ids[i].as_object_id().bytes();
    EXPECT_NE(a, b);
    EXPECT_TRUE(std::equal(a.begin(), a.begin() + 9, b.begin()));
  }
}

TEST_F(SqliteEngineTest, StageCommitFailsWholeOnConflict) {
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"email", 1}}, true}).ok());
  auto stage = engine_->NewStage();
  auto staged = *stage->view().GetCollection("db", "c");
  ASSERT_TRUE(staged->InsertOne(Document{{"_id", 1}, {"email", "a@x"}}).ok());
  ASSERT_TRUE(staged->InsertOne(Document{{"_id", 2}, {"email", "b@x"}}).ok());
  // Someone else takes the address meanwhile.
  ASSERT_TRUE(coll_->InsertOne(Document{{"_id", 9}, {"email", "b@x"}}).ok());
  auto status = stage->Commit();
  EXPECT_EQ(status.code(), base::ErrorCode::kDuplicateKey);
  EXPECT_EQ(Ids(FindAll(coll_.get())), (std::vector<Value>{9}));

  // A staged update of a document changed concurrently is a WriteConflict.
  auto stage2 = engine_->NewStage();
  auto staged2 = *stage2->view().GetCollection("db", "c");
  ASSERT_TRUE(
      staged2->UpdateOne(Document{{"_id", 9}}, Document{{"$set", Document{{"n", 1}}}}).ok());
  ASSERT_TRUE(coll_->UpdateOne(Document{{"_id", 9}}, Document{{"$set", Document{{"n", 2}}}}).ok());
  EXPECT_EQ(stage2->Commit().code(), base::ErrorCode::kWriteConflict);
  EXPECT_EQ(*(*coll_->FindOne(Document{{"_id", 9}}))->Get("n"), Value(2));
}

TEST_F(SqliteEngineTest, ConcurrentReadersAndWriter) {
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"k", 1}}, false}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        auto docs = coll_->Find(Document{{"k", 1}});
        if (!docs.ok()) ++errors;
        auto n = coll_->CountDocuments(Document{});
        if (!n.ok()) ++errors;
      }
    });
  }
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        if (!coll_->InsertOne(Document{{"k", i % 3}, {"t", t}}).ok()) ++errors;
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 200);
}

// Indexes only narrow: random equality queries return the same documents,
// in the same order, with and without indexes.
TEST_F(SqliteEngineTest, IndexedQueriesAgreeWithScans) {
  auto plain = Coll("db", "plain");
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"a", 1}}, false}).ok());
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"a", -1}, {"b.c", 1}}, false}).ok());
  ASSERT_TRUE(coll_->CreateIndex(IndexSpec{"", Document{{"b.c", 1}}, false}).ok());
  std::mt19937_64 rng(3);
  const std::vector<Value> values = {Value(1),       Value(std::int64_t{1}),
                                     Value(1.0),     Value(2.5),
                                     Value("x"),     Value("y"),
                                     Value(),        Value(Array{1, "x"}),
                                     Value(Array{}), Value(Document{{"c", 1}}),
                                     Value(true)};
  auto pick = [&] { return values[rng() % values.size()]; };
  for (int i = 0; i < 300; ++i) {
    Document d{{"_id", i}};
    if (rng() % 4) d.Append("a", pick());
    if (rng() % 2) {
      if (rng() % 2) {
        d.Append("b", Document{{"c", pick()}});
      } else {
        d.Append("b", Array{Document{{"c", pick()}}, Document{{"c", pick()}}});
      }
    }
    ASSERT_TRUE(coll_->InsertOne(d).ok());
    ASSERT_TRUE(plain->InsertOne(d).ok());
  }
  for (int q = 0; q < 200; ++q) {
    Document filter;
    if (rng() % 3) filter.Append("a", pick());
    if (rng() % 2) filter.Append("b.c", pick());
    EXPECT_EQ(FindAll(coll_.get(), filter), FindAll(plain.get(), filter)) << q;
  }
}

TEST(SqliteEngineFileTest, ReopenKeepsEverything) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("plinth-storage-test-" + base::SystemRandom::Default()->Hex(8) + ".db");
  SqliteOptions options;
  options.file = path;
  {
    auto engine = OpenSqliteEngine(options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    auto coll = *(*engine)->GetCollection("db", "c");
    ASSERT_TRUE(coll->CreateIndex(IndexSpec{"", Document{{"a", 1}}, true}).ok());
    ASSERT_TRUE(
        coll->InsertMany({Document{{"_id", 1}, {"a", 1}}, Document{{"_id", 2}, {"a", 2}}}).ok());
    ASSERT_TRUE(coll->UpdateOne(Document{{"_id", 1}}, Document{{"$set", Document{{"b", 1}}}}).ok());
  }
  {
    auto engine = OpenSqliteEngine(options);
    ASSERT_TRUE(engine.ok());
    auto coll = *(*engine)->GetCollection("db", "c");
    auto docs = ReadAll(coll->Find(Document{})->get());
    ASSERT_TRUE(docs.ok());
    EXPECT_EQ(*docs, (std::vector<Document>{Document{{"_id", 1}, {"a", 1}, {"b", 1}},
                                            Document{{"_id", 2}, {"a", 2}}}));
    EXPECT_EQ(coll->ListIndexes()->size(), 2u);
    EXPECT_EQ(coll->InsertOne(Document{{"a", 2}}).status().code(), base::ErrorCode::kDuplicateKey);
    // Record ids keep increasing after reopen: new documents come last.
    ASSERT_TRUE(coll->InsertOne(Document{{"_id", 0}, {"a", 3}}).ok());
    auto again = ReadAll(coll->Find(Document{})->get());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again->back().Get("_id"), Value(0));
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ec);
  }
}

}  // namespace
}  // namespace plinth::storage

namespace plinth::storage {
namespace {

TEST_F(SqliteEngineTest, WriteVersionChangesWithWritesOnly) {
  std::optional<std::uint64_t> v0 = engine_->WriteVersion();
  ASSERT_TRUE(v0.has_value());
  auto coll = engine_->GetCollection("db", "c");
  ASSERT_TRUE(coll.ok());
  ASSERT_TRUE((*coll)->InsertOne(doc::Document{{"a", 1}}).ok());
  std::optional<std::uint64_t> v1 = engine_->WriteVersion();
  EXPECT_NE(v1, v0);
  ASSERT_TRUE((*coll)->FindOne(doc::Document{}).ok());
  EXPECT_EQ(engine_->WriteVersion(), v1);  // reads leave it alone
  ASSERT_TRUE(engine_
                  ->RunTransaction([](Engine& tx) -> base::Status {
                    auto c = tx.GetCollection("db", "c");
                    if (!c.ok()) return c.status();
                    return (*c)->InsertOne(doc::Document{{"a", 2}}).status();
                  })
                  .ok());
  EXPECT_NE(engine_->WriteVersion(), v1);
}

}  // namespace
}  // namespace plinth::storage
