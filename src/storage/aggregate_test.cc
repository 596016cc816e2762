#include "storage/aggregate.h"

#include <gtest/gtest.h>

#include <set>

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

std::vector<Document> Numbers(int n) {
  std::vector<Document> docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document{{"_id", i}, {"k", i % 3}, {"s", "xxxxxxxx"}});
  return docs;
}

TEST(PipelineTest, BlockingStagesRespectTheMemoryBudget) {
  Pipeline::RunOptions small;
  small.memory_limit_bytes = 500;
  const std::vector<std::vector<Document>> blocking = {
      {Document{{"$group", Document{{"_id", "$_id"}}}}},
      {Document{{"$group", Document{{"_id", "$k"}, {"all", Document{{"$push", "$$ROOT"}}}}}}},
      {Document{
          {"$group", Document{{"_id", doc::Value()}, {"s", Document{{"$addToSet", "$_id"}}}}}}},
      {Document{{"$sort", Document{{"k", 1}}}}},
      {Document{{"$facet", Document{{"a", doc::Array{Document{{"$skip", 0}}}}}}}},
      {Document{{"$bucket", Document{{"groupBy", "$_id"},
                                     {"boundaries", doc::Array{0, 1000}},
                                     {"output", Document{{"d", Document{{"$push", "$s"}}}}}}}}},
  };
  for (const auto& stages : blocking) {
    auto pipeline = Pipeline::Parse(stages);
    ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
    auto out = pipeline->Run(Numbers(200), small);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), base::ErrorCode::kExceededMemoryLimit);
    EXPECT_NE(out.status().message().find("Exceeded memory limit for $"), std::string::npos);
    // The default budget (100 MiB) holds them easily.
    EXPECT_TRUE(pipeline->Run(Numbers(200)).ok());
  }
  // A small group fits a small budget.
  auto few = Pipeline::Parse({Document{{"$group", Document{{"_id", "$k"}}}}});
  ASSERT_TRUE(few.ok());
  auto out = few->Run(Numbers(200), small);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->size(), 3u);
}

TEST(PipelineTest, SampleIsASubsetFixedByTheSeed) {
  auto pipeline = Pipeline::Parse({Document{{"$sample", Document{{"size", 5}}}}});
  ASSERT_TRUE(pipeline.ok());
  Pipeline::RunOptions options;
  options.random_seed = 42;
  auto a = pipeline->Run(Numbers(50), options);
  auto b = pipeline->Run(Numbers(50), options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  ASSERT_EQ(a->size(), 5u);
  std::set<int> ids;
  for (const Document& d : *a) ids.insert(d.Get("_id")->as_int32());
  EXPECT_EQ(ids.size(), 5u);
  options.random_seed = 43;
  auto c = pipeline->Run(Numbers(50), options);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a, *c);
}

TEST(PipelineTest, AtMostAThousandStages) {
  std::vector<Document> stages(Pipeline::kMaxStages, Document{{"$skip", 0}});
  EXPECT_TRUE(Pipeline::Parse(stages).ok());
  stages.push_back(Document{{"$skip", 0}});
  EXPECT_EQ(Pipeline::Parse(stages).status().message(),
            "Pipeline length must be no longer than 1000 stages.");
}

TEST(PipelineTest, SumWidensLikeMongoDB) {
  auto pipeline = Pipeline::Parse(
      {Document{{"$group", Document{{"_id", doc::Value()}, {"s", Document{{"$sum", "$v"}}}}}}});
  ASSERT_TRUE(pipeline.ok());
  auto run = [&](std::vector<doc::Value> values) {
    std::vector<Document> docs;
    for (auto& v : values) docs.push_back(Document{{"v", v}});
    auto out = pipeline->Run(std::move(docs));
    EXPECT_TRUE(out.ok());
    return *out->front().Get("s");
  };
  EXPECT_EQ(run({1, 2}).type(), doc::Type::kInt32);
  EXPECT_EQ(run({INT32_MAX, 1}), doc::Value(std::int64_t{INT32_MAX} + 1));
  EXPECT_EQ(run({INT64_MAX, std::int64_t{1}}).type(), doc::Type::kDouble);
}

}  // namespace
}  // namespace plinth::storage
