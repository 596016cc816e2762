// Engine tests of what the case corpus cannot see: which index a query uses
// (SqliteQueryPlan), estimated counts through stages, rename across
// connections and reopen, and index options surviving a restart.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "base/random.h"
#include "storage/collection.h"
#include "storage/cursor.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::storage {
namespace {

using doc::Array;
using doc::Document;
using doc::Value;

class SqliteIndexOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = OpenSqliteEngine(SqliteOptions{});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    coll_ = *engine_->GetCollection("db", "c");
  }

  std::string Plan(const Document& filter, const std::string& name = "c") {
    auto plan = SqliteQueryPlan(*engine_, "db", name, filter);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? *plan : "";
  }

  void CreateIndex(const IndexSpec& spec) {
    auto made = coll_->CreateIndex(spec);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }

  std::unique_ptr<Engine> engine_;
  std::shared_ptr<Collection> coll_;
};

IndexSpec Spec(std::string name, Document key) {
  IndexSpec spec;
  spec.name = std::move(name);
  spec.key = std::move(key);
  return spec;
}

TEST_F(SqliteIndexOptionsTest, PartialIndexOnlyForImpliedQueries) {
  IndexSpec spec = Spec("email_active", Document{{"email", 1}});
  spec.unique = true;
  spec.partial_filter_expression = Document{{"status", "active"}};
  CreateIndex(spec);
  ASSERT_TRUE(coll_
                  ->InsertMany({Document{{"_id", 1}, {"email", "a"}, {"status", "active"}},
                                Document{{"_id", 2}, {"email", "a"}, {"status", "gone"}}})
                  .ok());
  EXPECT_EQ(Plan(Document{{"email", "a"}, {"status", "active"}}), "IXSCAN email_active");
  EXPECT_EQ(Plan(Document{{"email", "a"}}), "COLLSCAN");
  EXPECT_EQ(Plan(Document{{"email", "a"}, {"status", "gone"}}), "COLLSCAN");
  EXPECT_EQ(*coll_->CountDocuments(Document{{"email", "a"}}), 2);
}

TEST_F(SqliteIndexOptionsTest, RangePartialIndexUsedForEqualityInRange) {
  IndexSpec spec = Spec("a_big", Document{{"a", 1}});
  spec.partial_filter_expression = Document{{"a", Document{{"$gt", 10}}}};
  CreateIndex(spec);
  ASSERT_TRUE(coll_->InsertMany({Document{{"a", 5}}, Document{{"a", 50}}}).ok());
  EXPECT_EQ(Plan(Document{{"a", 50}}), "IXSCAN a_big");
  EXPECT_EQ(Plan(Document{{"a", 5}}), "COLLSCAN");
  EXPECT_EQ(*coll_->CountDocuments(Document{{"a", 5}}), 1);
}

TEST_F(SqliteIndexOptionsTest, SparseIndexNeverAnswersNullQueries) {
  IndexSpec spec = Spec("a_sparse", Document{{"a", 1}});
  spec.sparse = true;
  CreateIndex(spec);
  ASSERT_TRUE(coll_
                  ->InsertMany({Document{{"_id", 1}}, Document{{"_id", 2}, {"a", Value()}},
                                Document{{"_id", 3}, {"a", 3}}})
                  .ok());
  EXPECT_EQ(Plan(Document{{"a", 3}}), "IXSCAN a_sparse");
  EXPECT_EQ(Plan(Document{{"a", Value()}}), "COLLSCAN");
  EXPECT_EQ(*coll_->CountDocuments(Document{{"a", Value()}}), 2);
  EXPECT_EQ(Plan(Document{{"a", Document{{"$exists", false}}}}), "COLLSCAN");
}

TEST_F(SqliteIndexOptionsTest, SparseUniqueAllowsManyMissing) {
  IndexSpec spec = Spec("u", Document{{"u", 1}});
  spec.unique = true;
  spec.sparse = true;
  CreateIndex(spec);
  ASSERT_TRUE(coll_->InsertMany({Document{{"_id", 1}}, Document{{"_id", 2}}}).ok());
  ASSERT_TRUE(coll_->InsertOne(Document{{"_id", 3}, {"u", 1}}).ok());
  EXPECT_EQ(coll_->InsertOne(Document{{"_id", 4}, {"u", 1}}).status().code(),
            base::ErrorCode::kDuplicateKey);
  // null is a value: two explicit nulls collide in a sparse unique index.
  ASSERT_TRUE(coll_->InsertOne(Document{{"_id", 5}, {"u", Value()}}).ok());
  EXPECT_EQ(coll_->InsertOne(Document{{"_id", 6}, {"u", Value()}}).status().code(),
            base::ErrorCode::kDuplicateKey);
  // Unsetting the field takes the document out of the index.
  ASSERT_TRUE(
      coll_->UpdateOne(Document{{"_id", 3}}, Document{{"$unset", Document{{"u", ""}}}}).ok());
  EXPECT_TRUE(coll_->InsertOne(Document{{"_id", 7}, {"u", 1}}).ok());
}

TEST_F(SqliteIndexOptionsTest, EstimatedCountFollowsWritesStagesAndTransactions) {
  EXPECT_EQ(*coll_->EstimatedDocumentCount(), 0);
  ASSERT_TRUE(
      coll_->InsertMany({Document{{"_id", 1}}, Document{{"_id", 2}}, Document{{"_id", 3}}}).ok());
  ASSERT_TRUE(coll_->DeleteOne(Document{{"_id", 2}}).ok());
  EXPECT_EQ(*coll_->EstimatedDocumentCount(), 2);

  auto stage = engine_->NewStage();
  auto staged = *stage->view().GetCollection("db", "c");
  ASSERT_TRUE(staged->InsertMany({Document{{"_id", 4}}, Document{{"_id", 5}}}).ok());
  ASSERT_TRUE(staged->DeleteOne(Document{{"_id", 1}}).ok());
  ASSERT_TRUE(staged->DeleteOne(Document{{"_id", 5}}).ok());
  EXPECT_EQ(*staged->EstimatedDocumentCount(), 2);
  EXPECT_EQ(*coll_->EstimatedDocumentCount(), 2);
  auto values = staged->Distinct("_id", Document{});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<Value>{3, 4}));
  stage->Discard();

  auto status = engine_->RunTransaction([](Engine& tx) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(auto c, tx.GetCollection("db", "c"));
    PLINTH_RETURN_IF_ERROR(c->InsertOne(Document{{"_id", 9}}).status());
    PLINTH_ASSIGN_OR_RETURN(std::int64_t n, c->EstimatedDocumentCount());
    EXPECT_EQ(n, 3);
    return base::Status(base::ErrorCode::kBadValue, "roll back");
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(*coll_->EstimatedDocumentCount(), 2);
}

TEST_F(SqliteIndexOptionsTest, RenameMovesIndexesAndEveryConnectionSeesIt) {
  CreateIndex(Spec("v_1", Document{{"v", 1}}));
  ASSERT_TRUE(coll_->InsertMany({Document{{"_id", 1}, {"v", "x"}}}).ok());
  // Warm the catalog caches of the pooled readers under the old name.
  EXPECT_EQ(Plan(Document{{"v", "x"}}), "IXSCAN v_1");
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 1);

  ASSERT_TRUE(engine_->RenameCollection("db", "c", "d", false).ok());
  EXPECT_EQ(*engine_->ListCollections("db"), (std::vector<std::string>{"d"}));
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 0);
  EXPECT_EQ(Plan(Document{{"v", "x"}}), "");
  EXPECT_EQ(Plan(Document{{"v", "x"}}, "d"), "IXSCAN v_1");
  auto d = *engine_->GetCollection("db", "d");
  EXPECT_EQ(*d->CountDocuments(Document{{"v", "x"}}), 1);
  EXPECT_EQ(d->ListIndexes()->size(), 2u);

  // The old name is free again and starts empty.
  ASSERT_TRUE(coll_->InsertOne(Document{{"_id", 2}}).ok());
  EXPECT_EQ(engine_->RenameCollection("db", "d", "c", false).code(),
            base::ErrorCode::kNamespaceExists);
  ASSERT_TRUE(engine_->RenameCollection("db", "d", "c", true).ok());
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 1);
  EXPECT_EQ(*engine_->ListCollections("db"), (std::vector<std::string>{"c"}));
}

TEST_F(SqliteIndexOptionsTest, InOnAnIndexedFieldReadsTheIndexOncePerValue) {
  CreateIndex(Spec("k_1", Document{{"k", 1}}));
  ASSERT_TRUE(coll_
                  ->InsertMany({Document{{"_id", 1}, {"k", 1}}, Document{{"_id", 2}, {"k", 2}},
                                Document{{"_id", 3}, {"k", Array{Value(3), Value(1)}}},
                                Document{{"_id", 4}}})
                  .ok());
  const Document in{{"k", Document{{"$in", Array{Value(3), Value(1)}}}}};
  EXPECT_EQ(Plan(in), "IXSCAN k_1");
  // Natural order, each document once (3 is reached through two keys).
  auto cursor = coll_->Find(in);
  ASSERT_TRUE(cursor.ok());
  auto docs = ReadAll(cursor->get());
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0].Get("_id")->as_int32(), 1);
  EXPECT_EQ((*docs)[1].Get("_id")->as_int32(), 3);
  // null reaches documents without the field, which the index does not
  // hold for it: a scan.
  EXPECT_EQ(Plan(Document{{"k", Document{{"$in", Array{Value(1), Value()}}}}}), "COLLSCAN");
  EXPECT_EQ(Plan(Document{{"j", Document{{"$in", Array{Value(1), Value(2)}}}}}), "COLLSCAN");
}

TEST_F(SqliteIndexOptionsTest, RenameInTransactionRollsBackAndStagesRefuse) {
  ASSERT_TRUE(coll_->InsertOne(Document{{"_id", 1}}).ok());
  auto status = engine_->RunTransaction([](Engine& tx) -> base::Status {
    PLINTH_RETURN_IF_ERROR(tx.RenameCollection("db", "c", "d", false));
    PLINTH_ASSIGN_OR_RETURN(auto d, tx.GetCollection("db", "d"));
    PLINTH_ASSIGN_OR_RETURN(std::int64_t n, d->CountDocuments(Document{}));
    EXPECT_EQ(n, 1);
    return base::Status(base::ErrorCode::kBadValue, "roll back");
  });
  EXPECT_EQ(status.code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(*engine_->ListCollections("db"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(*coll_->CountDocuments(Document{}), 1);

  auto stage = engine_->NewStage();
  EXPECT_EQ(stage->view().RenameCollection("db", "c", "d", false).code(),
            base::ErrorCode::kIllegalOperation);
}

TEST(SqliteIndexOptionsFileTest, OptionsAndRenamesSurviveReopen) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("plinth-storage-test-" + base::SystemRandom::Default()->Hex(8) + ".db");
  SqliteOptions options;
  options.file = path;
  {
    auto engine = std::move(OpenSqliteEngine(options)).value();
    auto coll = *engine->GetCollection("db", "c");
    IndexSpec sparse = Spec("a_sparse", Document{{"a", 1}});
    sparse.sparse = true;
    sparse.unique = true;
    ASSERT_TRUE(coll->CreateIndex(sparse).ok());
    IndexSpec partial = Spec("b_part", Document{{"b", 1}});
    partial.partial_filter_expression = Document{{"b", Document{{"$gt", 1}}}};
    ASSERT_TRUE(coll->CreateIndex(partial).ok());
    ASSERT_TRUE(coll->InsertMany({Document{{"_id", 1}}, Document{{"_id", 2}, {"b", 5}}}).ok());
    ASSERT_TRUE(engine->RenameCollection("db", "c", "renamed", false).ok());
  }
  {
    auto engine = std::move(OpenSqliteEngine(options)).value();
    auto coll = *engine->GetCollection("db", "renamed");
    auto indexes = coll->ListIndexes();
    ASSERT_TRUE(indexes.ok());
    ASSERT_EQ(indexes->size(), 3u);
    EXPECT_EQ((*indexes)[1], (Document{{"v", 2},
                                       {"key", Document{{"a", 1}}},
                                       {"name", "a_sparse"},
                                       {"unique", true},
                                       {"sparse", true}}));
    EXPECT_EQ((*indexes)[2],
              (Document{{"v", 2},
                        {"key", Document{{"b", 1}}},
                        {"name", "b_part"},
                        {"partialFilterExpression", Document{{"b", Document{{"$gt", 1}}}}}}));
    // Sparse unique still lets documents without the field in.
    EXPECT_TRUE(coll->InsertOne(Document{{"_id", 3}}).ok());
    EXPECT_EQ(*SqliteQueryPlan(*engine, "db", "renamed", Document{{"b", 5}}), "IXSCAN b_part");
    EXPECT_EQ(*coll->EstimatedDocumentCount(), 3);
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ec);
  }
}

TEST(SqliteIndexOptionsFileTest, CountsAreRebuiltForFilesWithoutThem) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("plinth-storage-test-" + base::SystemRandom::Default()->Hex(8) + ".db");
  SqliteOptions options;
  options.file = path;
  {
    auto engine = std::move(OpenSqliteEngine(options)).value();
    auto coll = *engine->GetCollection("db", "c");
    ASSERT_TRUE(coll->InsertMany({Document{{"_id", 1}}, Document{{"_id", 2}}}).ok());
    ASSERT_TRUE((*engine->GetCollection("db", "empty"))->InsertOne(Document{{"_id", 1}}).ok());
    ASSERT_TRUE((*engine->GetCollection("db", "empty"))->DeleteOne(Document{}).ok());
  }
  {
    // What a file from before the counts table looks like.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP TABLE plinth_counts", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  {
    auto engine = std::move(OpenSqliteEngine(options)).value();
    EXPECT_EQ(*(*engine->GetCollection("db", "c"))->EstimatedDocumentCount(), 2);
    EXPECT_EQ(*(*engine->GetCollection("db", "empty"))->EstimatedDocumentCount(), 0);
    ASSERT_TRUE((*engine->GetCollection("db", "c"))->InsertOne(Document{{"_id", 3}}).ok());
    EXPECT_EQ(*(*engine->GetCollection("db", "c"))->EstimatedDocumentCount(), 3);
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ec);
  }
}

}  // namespace
}  // namespace plinth::storage
