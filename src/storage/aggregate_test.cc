#include "storage/aggregate.h"

#include <gtest/gtest.h>

#include "storage/names.h"

namespace plinth::storage {
namespace {

using doc::Document;

std::vector<Document> Input() {
  std::vector<Document> docs;
  for (int i = 0; i < 5; ++i) docs.push_back(Document{{"i", i}, {"odd", i % 2 == 1}});
  return docs;
}

TEST(PipelineTest, RunsStagesInOrder) {
  auto pipeline = Pipeline::Parse(
      {Document{{"$match", Document{{"odd", false}}}}, Document{{"$sort", Document{{"i", -1}}}},
       Document{{"$project", Document{{"odd", 0}}}},
       Document{{"$match", Document{{"i", Document{{"$lt", 4}}}}}}, Document{{"$limit", 5}}});
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  std::vector<Document> input;
  for (auto& d : Input()) {
    if (pipeline->first_match().Matches(d)) input.push_back(d);
  }
  auto out = pipeline->Run(std::move(input));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (std::vector<Document>{Document{{"i", 2}}, Document{{"i", 0}}}));
}

TEST(PipelineTest, CountOfNothingIsNoDocument) {
  auto pipeline = Pipeline::Parse({Document{{"$skip", 10}}, Document{{"$count", "n"}}});
  ASSERT_TRUE(pipeline.ok());
  EXPECT_TRUE(pipeline->first_match().MatchesEverything());
  auto out = pipeline->Run(Input());
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

TEST(PipelineTest, RejectsBadStages) {
  auto code = [](std::vector<Document> stages) { return Pipeline::Parse(stages).status().code(); };
  EXPECT_EQ(code({Document{{"$skip", -1}}}), base::ErrorCode::kBadValue);
  EXPECT_EQ(code({Document{{"$skip", "x"}}}), base::ErrorCode::kBadValue);
  EXPECT_EQ(code({Document{{"$limit", 0}}}), base::ErrorCode::kBadValue);
  EXPECT_EQ(code({Document{{"$count", ""}}}), base::ErrorCode::kBadValue);
  EXPECT_EQ(code({Document{{"$count", "a.b"}}}), base::ErrorCode::kBadValue);
  EXPECT_EQ(code({Document{{"$sort", Document{}}}}), base::ErrorCode::kBadValue);
  EXPECT_EQ(code({Document{{"$match", 1}}}), base::ErrorCode::kBadValue);
  EXPECT_EQ(code({Document{{"$skip", 1}, {"$limit", 1}}}), base::ErrorCode::kFailedToParse);
  EXPECT_EQ(Pipeline::Parse({Document{{"$graphLookup", Document{}}}}).status().message(),
            "pipeline stage '$graphLookup' is not supported yet");
  EXPECT_EQ(Pipeline::Parse({Document{{"$nope", 1}}}).status().message(),
            "Unrecognized pipeline stage name: '$nope'");
}

TEST(PipelineTest, NowIsOneValuePerRun) {
  // $$NOW is what the caller passes, the same for every document and stage.
  auto pipeline = Pipeline::Parse(
      {Document{{"$addFields", Document{{"t", "$$NOW"}}}},
       Document{{"$project", Document{{"_id", 0},
                                      {"t", 1},
                                      {"same", Document{{"$eq", doc::Array{"$t", "$$NOW"}}}}}}}});
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  auto out = pipeline->Run(Input(), 1234);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 5u);
  for (const Document& d : *out) {
    EXPECT_EQ(d, (Document{{"t", doc::DateTime{1234}}, {"same", true}}));
  }
}

TEST(PipelineTest, ExpressionStagesReportEvaluationErrors) {
  auto pipeline = Pipeline::Parse({Document{
      {"$replaceRoot", Document{{"newRoot", Document{{"$divide", doc::Array{"$i", 0}}}}}}}});
  ASSERT_TRUE(pipeline.ok());
  auto out = pipeline->Run(Input(), 0);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "can't $divide by zero");
}

TEST(NamesTest, Namespaces) {
  EXPECT_TRUE(ValidateDatabaseName("app_1-x").ok());
  for (const char* bad : {"", "a b", "a.b", "a$", "a/b", "a\\b", "a\"b"}) {
    EXPECT_EQ(ValidateDatabaseName(bad).code(), base::ErrorCode::kInvalidNamespace) << bad;
  }
  EXPECT_EQ(ValidateDatabaseName(std::string("a\0b", 3)).code(),
            base::ErrorCode::kInvalidNamespace);
  EXPECT_TRUE(ValidateDatabaseName(std::string(63, 'a')).ok());
  EXPECT_TRUE(ValidateCollectionName("users.profiles").ok());
  EXPECT_TRUE(ValidateCollectionName(std::string(255, 'c')).ok());
  EXPECT_FALSE(ValidateCollectionName(std::string(256, 'c')).ok());
  EXPECT_FALSE(ValidateCollectionName("").ok());
  EXPECT_FALSE(ValidateCollectionName("system.js").ok());
  EXPECT_FALSE(ValidateCollectionName("a$b").ok());
}

}  // namespace
}  // namespace plinth::storage
