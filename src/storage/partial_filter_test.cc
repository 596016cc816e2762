#include "storage/partial_filter.h"

#include <gtest/gtest.h>

#include "doc/ejson.h"

namespace plinth::storage {
namespace {

using doc::Array;
using doc::Document;
using doc::Value;

bool Implies(const Document& query, const Document& partial) {
  auto matcher = matcher::Matcher::Parse(query);
  EXPECT_TRUE(matcher.ok()) << matcher.status().ToString();
  auto filter = PartialFilter::Parse(partial);
  EXPECT_TRUE(filter.ok()) << filter.status().ToString();
  if (!matcher.ok() || !filter.ok()) return false;
  return (*filter)->ImpliedBy(**matcher);
}

TEST(PartialFilterTest, AcceptsMongoDbSubset) {
  for (const Document& ok : {
           Document{{"a", 1}},
           Document{{"a", Document{{"$eq", "x"}}}},
           Document{{"a", Document{{"$exists", true}}}},
           Document{{"a", Document{{"$gt", 1}, {"$lte", 9}}}},
           Document{{"a", Document{{"$type", "string"}}}},
           Document{{"a.b", Document{{"x", 1}}}},
           Document{{"$and", Array{Document{{"a", 1}}, Document{{"b", Document{{"$lt", 2}}}}}}},
       }) {
    EXPECT_TRUE(PartialFilter::Parse(ok).ok()) << doc::ToRelaxedJson(Value(ok));
  }
}

TEST(PartialFilterTest, RefusesTheRest) {
  for (const Document& bad : {
           Document{{"a", Document{{"$exists", false}}}},
           Document{{"a", Document{{"$ne", 1}}}},
           Document{{"a", Document{{"$in", Array{1, 2}}}}},
           Document{{"a", Document{{"$not", Document{{"$gt", 1}}}}}},
           Document{{"a", Document{{"$regex", "x"}}}},
           Document{{"a", doc::Regex{"x", ""}}},
           Document{{"$or", Array{Document{{"a", 1}}}}},
           Document{{"$and", Array{Document{{"$and", Array{Document{{"a", 1}}}}}}}},
       }) {
    auto parsed = PartialFilter::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << doc::ToRelaxedJson(Value(bad));
    EXPECT_EQ(parsed.status().code(), base::ErrorCode::kCannotCreateIndex)
        << doc::ToRelaxedJson(Value(bad));
  }
}

TEST(PartialFilterTest, MatchesDecidesMembership) {
  auto filter = PartialFilter::Parse(Document{{"status", "active"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE((*filter)->Matches(Document{{"status", "active"}}));
  EXPECT_FALSE((*filter)->Matches(Document{{"status", "gone"}}));
  EXPECT_FALSE((*filter)->Matches(Document{}));
}

TEST(PartialFilterTest, EqualitiesImplyConditions) {
  const Document active{{"status", "active"}};
  EXPECT_TRUE(Implies(Document{{"status", "active"}, {"email", "x"}}, active));
  EXPECT_TRUE(Implies(Document{{"$and", Array{Document{{"status", "active"}}}}}, active));
  EXPECT_TRUE(Implies(Document{{"status", Document{{"$in", Array{"active"}}}}}, active));
  EXPECT_FALSE(Implies(Document{{"email", "x"}}, active));
  EXPECT_FALSE(Implies(Document{{"status", "gone"}}, active));
  EXPECT_FALSE(Implies(Document{{"status", Document{{"$ne", "gone"}}}}, active));
  // Numbers are equal across types.
  EXPECT_TRUE(Implies(Document{{"n", 1.0}}, Document{{"n", 1}}));

  const Document exists{{"a", Document{{"$exists", true}}}};
  EXPECT_TRUE(Implies(Document{{"a", 5}}, exists));
  EXPECT_FALSE(Implies(Document{{"a", Value()}}, exists));  // null also matches missing

  const Document range{{"a", Document{{"$gt", 1}, {"$lte", 10}}}};
  EXPECT_TRUE(Implies(Document{{"a", 5}}, range));
  EXPECT_TRUE(Implies(Document{{"a", 10.0}}, range));
  EXPECT_FALSE(Implies(Document{{"a", 1}}, range));
  EXPECT_FALSE(Implies(Document{{"a", 11}}, range));
  EXPECT_FALSE(Implies(Document{{"a", "5"}}, range));  // type bracketing
  EXPECT_FALSE(Implies(Document{{"a", Array{5}}}, range));

  EXPECT_TRUE(Implies(Document{{"a", "x"}}, Document{{"a", Document{{"$type", "string"}}}}));
  EXPECT_TRUE(Implies(Document{{"a", 2}}, Document{{"a", Document{{"$type", "number"}}}}));
  // {a: 2} also matches a stored 2.0, which is not an "int".
  EXPECT_FALSE(Implies(Document{{"a", 2}}, Document{{"a", Document{{"$type", "int"}}}}));
}

}  // namespace
}  // namespace plinth::storage
