#include "matcher/matcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "doc/ejson.h"
#include "doc/test_printers.h"
#include "matcher/regex.h"

namespace plinth::matcher {
namespace {

doc::Document Json(std::string_view text) {
  auto parsed = doc::ParseJsonDocument(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? *parsed : doc::Document{};
}

bool Match(std::string_view filter, std::string_view document) {
  auto matcher = Matcher::Parse(Json(filter));
  EXPECT_TRUE(matcher.ok()) << matcher.status().ToString() << " for " << filter;
  return matcher.ok() && (*matcher)->Matches(Json(document));
}

base::Status ParseError(std::string_view filter) {
  auto matcher = Matcher::Parse(Json(filter));
  return matcher.ok() ? base::Status::Ok() : matcher.status();
}

// The array position "$" stands for, or -1 when none; -2 when no match.
long PositionOf(std::string_view filter, std::string_view document) {
  auto matcher = Matcher::Parse(Json(filter));
  EXPECT_TRUE(matcher.ok()) << matcher.status().ToString();
  if (!matcher.ok()) return -3;
  MatchDetails details;
  const bool matched = (*matcher)->Matches(Json(document), &details);
  EXPECT_EQ(matched, (*matcher)->Matches(Json(document))) << filter << " on " << document;
  if (!matched) return -2;
  return details.array_index ? static_cast<long>(*details.array_index) : -1;
}

TEST(MatcherTest, DetailsGiveTheMatchedArrayPosition) {
  EXPECT_EQ(PositionOf(R"({"a": 5})", R"({"a": [1, 5, 5]})"), 1);
  EXPECT_EQ(PositionOf(R"({"a": {"$gt": 1}})", R"({"a": [1, 2, 3]})"), 1);
  EXPECT_EQ(PositionOf(R"({"a.b": 2})", R"({"a": [{"b": 1}, {"b": 2}]})"), 1);
  // The first array crossed decides, not a nested one.
  EXPECT_EQ(PositionOf(R"({"a.b": 4})", R"({"a": [{"b": [1, 2]}, {"b": [3, 4]}]})"), 1);
  EXPECT_EQ(PositionOf(R"({"a": {"$elemMatch": {"b": 2, "c": 3}}})",
                       R"({"a": [{"b": 2}, {"b": 2, "c": 3}]})"),
            1);
  EXPECT_EQ(PositionOf(R"({"a": {"$elemMatch": {"$gte": 3}}})", R"({"a": [1, 3]})"), 1);
  // No array, or the whole array matched: no position.
  EXPECT_EQ(PositionOf(R"({"a": 1})", R"({"a": 1})"), -1);
  EXPECT_EQ(PositionOf(R"({"a": [1, 2]})", R"({"a": [1, 2]})"), -1);
  EXPECT_EQ(PositionOf(R"({"a": {"$size": 2}})", R"({"a": [1, 2]})"), -1);
  // An explicit index is not a positional match.
  EXPECT_EQ(PositionOf(R"({"a.1": 2})", R"({"a": [1, 2]})"), -1);
  // ANDed conditions: the last one that matched through an array.
  EXPECT_EQ(PositionOf(R"({"a": 2, "b": 7})", R"({"a": [1, 2], "b": [5, 6, 7]})"), 2);
  EXPECT_EQ(PositionOf(R"({"a": 2, "c": 1})", R"({"a": [1, 2], "c": 1})"), 1);
  // Negations and multi-branch $or give none.
  EXPECT_EQ(PositionOf(R"({"a": {"$ne": 1}})", R"({"a": [2, 3]})"), -1);
  EXPECT_EQ(PositionOf(R"({"$or": [{"a": 2}, {"b": 1}]})", R"({"a": [1, 2]})"), -1);
  EXPECT_EQ(PositionOf(R"({"$or": [{"a": 2}]})", R"({"a": [1, 2]})"), 1);
  EXPECT_EQ(PositionOf(R"({"a": 9})", R"({"a": [1, 2]})"), -2);
}

TEST(MatcherTest, EmptyFilterMatchesEverything) {
  auto m = Matcher::Parse({});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)->MatchesEverything());
  EXPECT_TRUE((*m)->Matches(Json(R"({"a": 1})")));
  EXPECT_FALSE((*Matcher::Parse(Json(R"({"a": 1})")))->MatchesEverything());
}

TEST(MatcherTest, NumbersCompareExactlyAcrossTypes) {
  EXPECT_TRUE(Match(R"({"a": 1})", R"({"a": 1.0})"));
  EXPECT_TRUE(Match(R"({"a": {"$numberDecimal": "1.00"}})", R"({"a": {"$numberLong": "1"}})"));
  EXPECT_FALSE(
      Match(R"({"a": {"$numberLong": "9007199254740993"}})", R"({"a": 9007199254740992.0})"));
  EXPECT_TRUE(Match(R"({"a": {"$gt": 9007199254740992.0}})",
                    R"({"a": {"$numberLong": "9007199254740993"}})"));
}

TEST(MatcherTest, TypeBracketing) {
  EXPECT_FALSE(Match(R"({"a": {"$gt": 1}})", R"({"a": "x"})"));
  EXPECT_FALSE(Match(R"({"a": {"$lt": "a"}})", R"({"a": 5})"));
  EXPECT_TRUE(Match(R"({"a": {"$gt": {"$minKey": 1}}})", R"({"a": "x"})"));
  EXPECT_FALSE(Match(R"({"a": {"$gt": null}})", R"({"a": 1})"));
  EXPECT_TRUE(Match(R"({"a": {"$gte": null}})", R"({"b": 1})"));
}

TEST(MatcherTest, NaN) {
  EXPECT_TRUE(Match(R"({"a": {"$numberDouble": "NaN"}})", R"({"a": {"$numberDouble": "NaN"}})"));
  EXPECT_FALSE(Match(R"({"a": {"$lt": 0}})", R"({"a": {"$numberDouble": "NaN"}})"));
  EXPECT_FALSE(Match(R"({"a": {"$gt": {"$numberDouble": "NaN"}}})", R"({"a": 1})"));
}

TEST(MatcherTest, NullAndMissing) {
  EXPECT_TRUE(Match(R"({"a": null})", R"({"b": 1})"));
  EXPECT_TRUE(Match(R"({"a": null})", R"({"a": null})"));
  // MongoDB 8.0: equality to null no longer matches undefined.
  EXPECT_FALSE(Match(R"({"a": null})", R"({"a": {"$undefined": true}})"));
  EXPECT_TRUE(Match(R"({"a.b": null})", R"({"a": {"$undefined": true}})"));
  EXPECT_FALSE(Match(R"({"a": null})", R"({"a": 0})"));
  EXPECT_TRUE(Match(R"({"a.b": null})", R"({"a": [{"b": 1}, {"c": 1}]})"));
  EXPECT_TRUE(Match(R"({"a.b": null})", R"({"a": 5})"));
  EXPECT_TRUE(Match(R"({"a.b": null})", R"({"a": [1, 2]})"));
  EXPECT_TRUE(Match(R"({"a.b": null})", R"({"a": []})"));
  EXPECT_TRUE(Match(R"({"a.b": null})", R"({"a": [[]]})"));
  EXPECT_FALSE(Match(R"({"a.b": null})", R"({"a": [{"b": 1}, {"b": 3}]})"));
  EXPECT_FALSE(Match(R"({"a.b": {"$exists": true}})", R"({"a": [1, 2]})"));
  EXPECT_TRUE(Match(R"({"a": {"$elemMatch": {"b": null}}})", R"({"a": [[]]})"));
  EXPECT_FALSE(Match(R"({"a": {"$elemMatch": {"b": {"$ne": null}}}})", R"({"a": [[]]})"));
  EXPECT_FALSE(Match(R"({"a": {"$ne": null}})", R"({"b": 1})"));
  EXPECT_TRUE(Match(R"({"a": {"$ne": null}})", R"({"a": false})"));
  EXPECT_FALSE(Match(R"({"a.b": {"$exists": false}})", R"({"a": [{"b": 1}, {"c": 1}]})"));
}

TEST(MatcherTest, Arrays) {
  EXPECT_TRUE(Match(R"({"a": 2})", R"({"a": [1, 2]})"));
  EXPECT_TRUE(Match(R"({"a": [1, 2]})", R"({"a": [1, 2]})"));
  EXPECT_FALSE(Match(R"({"a": [2, 1]})", R"({"a": [1, 2]})"));
  EXPECT_TRUE(Match(R"({"a": [1, 2]})", R"({"a": [[1, 2], 3]})"));
  EXPECT_FALSE(Match(R"({"a": 1})", R"({"a": [[1]]})"));
  EXPECT_TRUE(Match(R"({"a.1": 5})", R"({"a": [4, 5]})"));
  EXPECT_TRUE(Match(R"({"a.0.b": 1})", R"({"a": [{"b": 1}]})"));
  EXPECT_TRUE(Match(R"({"a.b": 2})", R"({"a": [{"b": 1}, {"b": [2]}]})"));
  EXPECT_TRUE(Match(R"({"a": {"$gt": 1, "$lt": 3}})", R"({"a": [0, 5]})"));  // not elemMatch
  EXPECT_FALSE(Match(R"({"a": {"$elemMatch": {"$gt": 1, "$lt": 3}}})", R"({"a": [0, 5]})"));
}

TEST(MatcherTest, OperatorObjectVersusLiteral) {
  EXPECT_TRUE(Match(R"({"a": {"b": 1, "$eq": 2}})", R"({"a": {"b": 1, "$eq": 2}})"));
  EXPECT_EQ(ParseError(R"({"a": {"$eq": 1, "b": 1}})").message(), "unknown operator: b");
}

TEST(MatcherTest, ParseErrors) {
  EXPECT_EQ(ParseError(R"({"a": {"$in": 5}})").message(), "$in needs an array");
  EXPECT_EQ(ParseError(R"({"$foo": 1})").message(), "unknown top level operator: $foo");
  EXPECT_EQ(ParseError(R"({"a": {"$foo": 1}})").message(), "unknown operator: $foo");
  EXPECT_EQ(ParseError(R"({"$and": []})").code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseError(R"({"$or": [1]})").code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseError(R"({"a": {"$not": 5}})").code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseError(R"({"a": {"$size": -1}})").code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseError(R"({"a": {"$size": 1.5}})").code(), base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseError(R"({"a": {"$regex": "(", "$options": ""}})").code(),
            base::ErrorCode::kBadValue);
  EXPECT_EQ(ParseError(R"({"a": {"$regex": "x", "$options": "q"}})").message(),
            "invalid flag in regex options: q");
  EXPECT_NE(ParseError(R"({"$where": "1"})").message().find("not supported"), std::string::npos);
  EXPECT_NE(ParseError(R"({"a": {"$near": [2, 0]}})").message().find("not supported"),
            std::string::npos);
  EXPECT_EQ(ParseError(R"({"a": {"$type": "nope"}})").code(), base::ErrorCode::kBadValue);
}

TEST(MatcherTest, DepthLimit) {
  std::string deep = R"({"a": 1})";
  for (int i = 0; i < 150; ++i) deep = R"({"$and": [)" + deep + "]}";
  doc::Limits limits;
  limits.max_depth = 1000;
  auto filter = doc::ParseJsonDocument(deep, limits);
  ASSERT_TRUE(filter.ok());
  auto m = Matcher::Parse(*filter);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), base::ErrorCode::kDepthLimitExceeded);
  ParseOptions options;
  options.max_depth = 200;
  EXPECT_TRUE(Matcher::Parse(*filter, options).ok());
}

TEST(MatcherTest, EqualityFields) {
  auto m = Matcher::Parse(Json(
      R"({"a": 1, "b": {"$eq": 2}, "c": {"$in": [3]}, "$and": [{"d.e": 4}, {"a": 9}],
          "f": {"$gt": 1}, "g": {"$regex": "x"}, "h": {"$in": [1, 2]}, "i": {"$all": [1]},
          "$or": [{"j": 1}], "k": {"$ne": 1}})"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& fields = (*m)->EqualityFields();
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].first.ToString(), "a");
  EXPECT_EQ(fields[0].second, doc::Value(1));
  EXPECT_EQ(fields[1].first.ToString(), "b");
  EXPECT_EQ(fields[2].first.ToString(), "c");
  EXPECT_EQ(fields[2].second, doc::Value(3));
  EXPECT_EQ(fields[3].first.ToString(), "d.e");
}

TEST(MatcherTest, Expr) {
  EXPECT_TRUE(Match(R"({"$expr": {"$gt": ["$a", "$b"]}})", R"({"a": 2, "b": 1})"));
  EXPECT_FALSE(Match(R"({"$expr": {"$gt": ["$a", "$b"]}})", R"({"a": 1, "b": 1})"));
  EXPECT_TRUE(Match(R"({"$nor": [{"$expr": "$a"}]})", R"({"a": 0})"));
  EXPECT_TRUE(Match(R"({"$or": [{"x": 1}, {"$expr": {"$eq": ["$a", 1]}}]})", R"({"a": 1})"));
  // A runtime error cannot surface through Matches: the document does not match.
  EXPECT_FALSE(Match(R"({"$expr": {"$divide": [1, "$a"]}})", R"({"a": 0})"));
  EXPECT_TRUE(Match(R"({"$expr": {"$divide": [1, "$a"]}})", R"({"a": 2})"));
  EXPECT_EQ(ParseError(R"({"$expr": {"$nope": 1}})").message(), "Unrecognized expression '$nope'");
  EXPECT_EQ(ParseError(R"({"a": {"$elemMatch": {"$expr": true}}})").message(),
            "$expr can only be applied to the top-level document");
  // $expr never seeds an upsert or picks an index.
  auto m = Matcher::Parse(Json(R"({"$expr": {"$eq": ["$a", 1]}})"));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)->EqualityFields().empty());
  EXPECT_FALSE((*m)->MatchesEverything());
}

TEST(MatcherTest, RegexLimitsFailFast) {
  // Catastrophic backtracking: hits the match limit and counts as no match.
  std::string subject(40, 'a');
  subject += "!";
  auto m = Matcher::Parse(Json(R"({"a": {"$regex": "^(a+)+$"}})"));
  ASSERT_TRUE(m.ok());
  doc::Document d;
  d.Append("a", subject);
  EXPECT_FALSE((*m)->Matches(d));
  EXPECT_FALSE(Regex::Compile(std::string_view("a\0b", 3), "").ok());
  auto r = Regex::Compile("é", "i");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->Matches("CAFÉ"));
}

TEST(MatcherTest, SharedAcrossThreads) {
  auto m = Matcher::Parse(Json(R"({"a": {"$regex": "^x", "$options": "i"}, "b": {"$gte": 2}})"));
  ASSERT_TRUE(m.ok());
  std::shared_ptr<const Matcher> matcher = *m;
  doc::Document yes = Json(R"({"a": "Xy", "b": 3})");
  std::vector<std::thread> threads;
  std::atomic<int> matched{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) matched += matcher->Matches(yes) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(matched.load(), 800);
}

}  // namespace
}  // namespace plinth::matcher
