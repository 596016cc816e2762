#include "matcher/json_schema.h"

#include <gtest/gtest.h>

#include <string>

#include "doc/ejson.h"
#include "matcher/matcher.h"

namespace plinth::matcher {
namespace {

base::Status ParseError(const std::string& filter, std::size_t max_depth = 100) {
  auto parsed = doc::ParseJsonDocument(filter);
  EXPECT_TRUE(parsed.ok()) << filter;
  ParseOptions options;
  options.max_depth = max_depth;
  auto matcher = Matcher::Parse(*parsed, options);
  return matcher.ok() ? base::Status::Ok() : matcher.status();
}

// Nested schemas count toward the filter's depth limit, so a hostile schema
// cannot exhaust the stack while it is parsed or evaluated.
TEST(JsonSchemaTest, NestingCountsTowardTheDepthLimit) {
  std::string schema = "{}";
  for (int i = 0; i < 10; ++i) schema = R"({"properties": {"a": )" + schema + "}}";
  EXPECT_EQ(ParseError(R"({"$jsonSchema": )" + schema + "}", 10).code(),
            base::ErrorCode::kDepthLimitExceeded);
  EXPECT_TRUE(ParseError(R"({"$jsonSchema": )" + schema + "}", 12).ok());
}

TEST(JsonSchemaTest, RefusalsNameTheKeyword) {
  const base::Status unknown = ParseError(R"({"$jsonSchema": {"propertees": {}}})");
  EXPECT_EQ(unknown.code(), base::ErrorCode::kFailedToParse);
  EXPECT_EQ(unknown.message(), "Unknown $jsonSchema keyword: propertees");
  const base::Status ref = ParseError(R"({"$jsonSchema": {"items": {"$ref": "#"}}})");
  EXPECT_EQ(ref.code(), base::ErrorCode::kFailedToParse);
  EXPECT_EQ(ref.message(), "$jsonSchema keyword '$ref' is not supported");
}

TEST(JsonSchemaTest, EvenNestingOfNotMatchesLikeTheInnerSchema) {
  auto filter = doc::ParseJsonDocument(
      R"({"$jsonSchema": {"properties": {"a": {"not": {"not": {"bsonType": "int"}}}}}})");
  ASSERT_TRUE(filter.ok());
  auto matcher = Matcher::Parse(*filter);
  ASSERT_TRUE(matcher.ok()) << matcher.status().ToString();
  EXPECT_TRUE((*matcher)->Matches(*doc::ParseJsonDocument(R"({"a": 1})")));
  EXPECT_FALSE((*matcher)->Matches(*doc::ParseJsonDocument(R"({"a": "1"})")));
  EXPECT_TRUE((*matcher)->Matches(*doc::ParseJsonDocument(R"({"b": "1"})")));
}

}  // namespace
}  // namespace plinth::matcher
