#include "http/cors.h"

#include <gtest/gtest.h>

namespace plinth::http {
namespace {

Request Preflight(std::string origin, std::string requested_headers = "") {
  Request req;
  req.method = "OPTIONS";
  req.path = "/api/client/v2.0/app/a/location";
  req.headers = {{"Origin", std::move(origin)}, {"Access-Control-Request-Method", "POST"}};
  if (!requested_headers.empty()) {
    req.headers.emplace_back("Access-Control-Request-Headers", std::move(requested_headers));
  }
  return req;
}

TEST(CorsTest, PreflightAnswer) {
  Request req = Preflight("http://localhost:3000", "content-type,authorization");
  ASSERT_TRUE(IsCorsPreflight(req));
  Response res = CorsPreflight(req);
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  EXPECT_FALSE(res.Header("Content-Type").has_value());
  EXPECT_EQ(res.Header("Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_EQ(res.Header("Access-Control-Allow-Methods"), "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(res.Header("Access-Control-Allow-Headers"), "content-type, authorization");
  EXPECT_EQ(res.Header("Access-Control-Max-Age"), "3600");
}

TEST(CorsTest, PreflightFallsBackToDefaultHeadersForOddRequests) {
  Response plain = CorsPreflight(Preflight("http://a"));
  EXPECT_EQ(plain.Header("Access-Control-Allow-Headers"),
            "Authorization, Content-Type, Accept, X-Request-Id");
  Response odd = CorsPreflight(Preflight("http://a", "x-ok, bad header\r\nInjected: 1"));
  EXPECT_EQ(odd.Header("Access-Control-Allow-Headers"),
            "Authorization, Content-Type, Accept, X-Request-Id");
}

TEST(CorsTest, NormalResponsesGetOriginAndVary) {
  Request req;
  req.method = "GET";
  req.headers = {{"Origin", "https://app.example.com"}};
  Response res = Response::Json(200, "{}");
  AddCorsHeaders(req, &res);
  EXPECT_EQ(res.Header("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(res.Header("Vary"), "Origin");

  Request no_origin;
  Response untouched = Response::Json(200, "{}");
  AddCorsHeaders(no_origin, &untouched);
  EXPECT_FALSE(untouched.Header("Access-Control-Allow-Origin").has_value());
  EXPECT_FALSE(untouched.Header("Vary").has_value());
}

TEST(CorsTest, AllowedOrigins) {
  std::vector<std::string> none;
  EXPECT_TRUE(CorsOriginAllowed(none, "http://anything"));

  std::vector<std::string> list = {"https://app.example.com", "http://localhost:3000/"};
  EXPECT_TRUE(CorsOriginAllowed(list, "https://app.example.com"));
  EXPECT_TRUE(CorsOriginAllowed(list, "HTTPS://App.Example.com:443"));
  EXPECT_TRUE(CorsOriginAllowed(list, "http://localhost:3000"));
  EXPECT_FALSE(CorsOriginAllowed(list, "http://localhost:3001"));
  EXPECT_FALSE(CorsOriginAllowed(list, "http://app.example.com"));
  EXPECT_FALSE(CorsOriginAllowed(list, "https://app.example.com.evil.net"));
  EXPECT_FALSE(CorsOriginAllowed(list, "null"));
}

}  // namespace
}  // namespace plinth::http
