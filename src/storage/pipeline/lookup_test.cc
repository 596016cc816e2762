// $lookup (pipeline/lookup.cc) against a counting ForeignSource: what it
// reads and how often. Its results are pinned by
// tests/cases/aggregate/stages_lookup.json on both case targets.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "doc/ejson.h"
#include "matcher/matcher.h"
#include "storage/aggregate.h"

namespace plinth::storage {
namespace {

using doc::Document;
using doc::Value;

// A collection "f" of documents {_id: i, k: i % 10}, i < 100; records every
// filter it is asked for.
class CountingSource final : public pipeline::ForeignSource {
 public:
  base::Result<std::vector<Document>> Read(const std::string& collection,
                                           const Document& filter) override {
    filters.push_back(filter);
    std::vector<Document> out;
    if (collection != "f") return out;
    PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(filter));
    for (int i = 0; i < 100; ++i) {
      Document d{{"_id", i}, {"k", i % 10}};
      if (m->Matches(d)) out.push_back(d);
    }
    return out;
  }
  std::vector<Document> filters;
};

std::vector<Document> Input(int n) {
  std::vector<Document> docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document{{"_id", i}, {"k", i % 3}});
  return docs;
}

Document Lookup(Document spec) { return Document{{"$lookup", Value(std::move(spec))}}; }

TEST(LookupTest, EqualityFormReadsOncePerBatchOfKeysNotPerDocument) {
  auto pipeline = Pipeline::Parse(
      {Lookup(Document{{"from", "f"}, {"localField", "k"}, {"foreignField", "k"}, {"as", "j"}})});
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  CountingSource source;
  Pipeline::RunOptions options;
  options.foreign = &source;
  auto out = pipeline->Run(Input(500), options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // 500 input documents, 3 distinct keys: one read, by those keys.
  ASSERT_EQ(source.filters.size(), 1u);
  EXPECT_EQ(doc::ToRelaxedJson(Value(source.filters[0])), R"({"k":{"$in":[0,1,2]}})");
  ASSERT_EQ(out->size(), 500u);
  // Each joined 10 documents (k == i % 3 among i % 10).
  for (const Document& d : *out) EXPECT_EQ(d.Get("j")->as_array().size(), 10u);
}

TEST(LookupTest, ManyDistinctKeysAreReadInBatches) {
  auto pipeline = Pipeline::Parse({Lookup(
      Document{{"from", "f"}, {"localField", "_id"}, {"foreignField", "_id"}, {"as", "j"}})});
  ASSERT_TRUE(pipeline.ok());
  CountingSource source;
  Pipeline::RunOptions options;
  options.foreign = &source;
  auto out = pipeline->Run(Input(2500), options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(source.filters.size(), 25u);  // 100 keys per read
  EXPECT_EQ((*out)[42].Get("j")->as_array().size(), 1u);
  EXPECT_EQ((*out)[420].Get("j")->as_array().size(), 0u);
}

TEST(LookupTest, WithoutAForeignSourceItFailsClearly) {
  auto pipeline = Pipeline::Parse(
      {Lookup(Document{{"from", "f"}, {"localField", "k"}, {"foreignField", "k"}, {"as", "j"}})});
  ASSERT_TRUE(pipeline.ok());
  auto out = pipeline->Run(Input(1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "$lookup cannot read collection 'f': this pipeline has no access to other "
            "collections");
  // No input, no read needed: still the same answer (the stage cannot run).
  EXPECT_FALSE(pipeline->Run({}).ok());
}

TEST(LookupTest, UncorrelatedPipelineReadsTheCollectionOnce) {
  auto pipeline = Pipeline::Parse(
      {Lookup(Document{{"from", "f"},
                       {"pipeline", Value(doc::Array{Value(Document{{"$count", "n"}})})},
                       {"as", "j"}})});
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  CountingSource source;
  Pipeline::RunOptions options;
  options.foreign = &source;
  auto out = pipeline->Run(Input(50), options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(source.filters.size(), 1u);
  EXPECT_EQ(doc::ToRelaxedJson(Value((*out)[7])), R"({"_id":7,"k":1,"j":[{"n":100}]})");
}

}  // namespace
}  // namespace plinth::storage
