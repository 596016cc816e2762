#include "http/request.h"

#include <gtest/gtest.h>

namespace plinth::http {
namespace {

TEST(RequestTest, HeaderLookupIgnoresCase) {
  Request req;
  req.headers = {{"Content-Type", "application/json"}, {"x-request-id", "abc"}};
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("X-REQUEST-ID"), "abc");
  EXPECT_FALSE(req.Header("Authorization").has_value());
}

TEST(RequestTest, ParsesPathAndQuery) {
  std::string path;
  std::multimap<std::string, std::string> query;
  ASSERT_TRUE(ParseRequestTarget("/a%20b/c?x=1&y=a+b%26&x=2&flag", &path, &query).ok());
  EXPECT_EQ(path, "/a b/c");
  ASSERT_EQ(query.count("x"), 2u);
  auto [first, last] = query.equal_range("x");
  EXPECT_EQ(first->second, "1");
  EXPECT_EQ(std::next(first)->second, "2");
  EXPECT_EQ(query.find("y")->second, "a b&");
  EXPECT_EQ(query.find("flag")->second, "");
}

TEST(RequestTest, AcceptsAbsoluteFormAndRejectsGarbage) {
  std::string path;
  std::multimap<std::string, std::string> query;
  ASSERT_TRUE(ParseRequestTarget("http://example.com:8080/x/y?z=1", &path, &query).ok());
  EXPECT_EQ(path, "/x/y");
  EXPECT_EQ(query.find("z")->second, "1");
  ASSERT_TRUE(ParseRequestTarget("https://example.com", &path, &query).ok());
  EXPECT_EQ(path, "/");

  EXPECT_EQ(ParseRequestTarget("x/y", &path, &query).code(), base::ErrorCode::kBadRequest);
  EXPECT_EQ(ParseRequestTarget("/a%zz", &path, &query).code(), base::ErrorCode::kBadRequest);
  EXPECT_EQ(ParseRequestTarget("/a%2", &path, &query).code(), base::ErrorCode::kBadRequest);
  EXPECT_EQ(ParseRequestTarget("/a%00b", &path, &query).code(), base::ErrorCode::kBadRequest);
  EXPECT_EQ(ParseRequestTarget("/a?q=%", &path, &query).code(), base::ErrorCode::kBadRequest);
}

TEST(RequestTest, SaneRequestIds) {
  EXPECT_TRUE(IsSaneRequestId("abc-123_X.y"));
  EXPECT_FALSE(IsSaneRequestId(""));
  EXPECT_FALSE(IsSaneRequestId("has space"));
  EXPECT_FALSE(IsSaneRequestId("quote\""));
  EXPECT_FALSE(IsSaneRequestId(std::string(65, 'a')));
}

}  // namespace
}  // namespace plinth::http
