// Oversized documents (issue 3, "Done means": bad input fails with the
// MongoDB-style error and changes nothing). The case corpus covers the other
// bad input; a document over 16 MiB is too big for a case file.

#include <gtest/gtest.h>

#include <string>

#include "base/error_code.h"
#include "doc/limits.h"
#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::storage {
namespace {

// An upsert's options (a helper, since brace-initializing only some members
// of UpdateOptions trips -Wmissing-field-initializers).
UpdateOptions Upsert() {
  UpdateOptions options;
  options.upsert = true;
  return options;
}

constexpr std::size_t kMiB = 1024 * 1024;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = OpenSqliteEngine(SqliteOptions{});
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    auto c = engine_->GetCollection("bad", "c");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    coll_ = *c;
    ASSERT_TRUE(
        coll_->InsertOne(doc::Document{{"_id", doc::Value(1)}, {"s", doc::Value("x")}}).ok());
  }

  std::vector<doc::Document> All() {
    auto cursor = coll_->Find(doc::Document{});
    EXPECT_TRUE(cursor.ok());
    auto docs = ReadAll(cursor->get());
    EXPECT_TRUE(docs.ok());
    return *docs;
  }

  std::unique_ptr<Engine> engine_;
  std::shared_ptr<Collection> coll_;
};

TEST_F(BadInputTest, DocumentOver16MiBIsRefusedAndChangesNothing) {
  const auto before = All();
  doc::Document big{{"_id", doc::Value(2)}, {"s", doc::Value(std::string(16 * kMiB, 'a'))}};
  ASSERT_GT(doc::BsonSize(big), 16 * kMiB);
  auto r = coll_->InsertOne(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::ErrorCode::kSizeLimitExceeded) << r.status().ToString();
  auto many = coll_->InsertMany({doc::Document{{"_id", doc::Value(3)}}, big});
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().code(), base::ErrorCode::kSizeLimitExceeded);
  EXPECT_EQ(All(), before);
}

TEST_F(BadInputTest, DocumentJustUnder16MiBIsAccepted) {
  doc::Document d{{"_id", doc::Value(2)}, {"s", doc::Value(std::string(16 * kMiB - 100, 'a'))}};
  ASSERT_LE(doc::BsonSize(d), 16 * kMiB);
  auto r = coll_->InsertOne(d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto back = coll_->FindOne(doc::Document{{"_id", doc::Value(2)}});
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ(**back, d);
}

TEST_F(BadInputTest, UpdateGrowingPast16MiBIsRefusedAndChangesNothing) {
  const auto before = All();
  const doc::Document filter{{"_id", doc::Value(1)}};
  const doc::Document set{
      {"$set", doc::Value(doc::Document{{"s", doc::Value(std::string(16 * kMiB, 'b'))}})}};
  auto r = coll_->UpdateOne(filter, set);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::ErrorCode::kSizeLimitExceeded) << r.status().ToString();
  auto rep =
      coll_->ReplaceOne(filter, doc::Document{{"s", doc::Value(std::string(16 * kMiB, 'c'))}});
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), base::ErrorCode::kSizeLimitExceeded) << rep.status().ToString();
  auto up = coll_->UpdateOne(doc::Document{{"_id", doc::Value(9)}}, set, Upsert());
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), base::ErrorCode::kSizeLimitExceeded) << up.status().ToString();
  EXPECT_EQ(All(), before);
}

}  // namespace
}  // namespace plinth::storage
