#include "http/response.h"

#include <gtest/gtest.h>

namespace plinth::http {
namespace {

TEST(ResponseTest, JsonHasExactContentType) {
  Response r = Response::Json(201, R"({"a":1})");
  EXPECT_EQ(r.status, 201);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Content-Type");
  EXPECT_EQ(r.headers[0].second, "application/json");
  EXPECT_EQ(r.body, R"({"a":1})");
}

TEST(ResponseTest, EmptyHasNoContentTypeAndNoBody) {
  Response r = Response::Empty(204);
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(r.Header("Content-Type").has_value());
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.body.empty());
}

TEST(ResponseTest, ErrorEnvelopeShape) {
  Response r = Response::Error({base::ErrorCode::kInvalidSession, "access token expired"});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"error":"access token expired","error_code":"InvalidSession"})");
  EXPECT_EQ(r.error_code, base::ErrorCode::kInvalidSession);

  Response app = Response::Error({base::ErrorCode::kAppNotFound, "no app"});
  EXPECT_EQ(app.status, 404);
  EXPECT_EQ(app.body, R"({"error":"no app","error_code":"AppNotFound"})");
}

TEST(ResponseTest, ErrorEnvelopeEscapesMessage) {
  Response r = Response::Error({base::ErrorCode::kBadRequest, "bad \"x\"\n\\ \x01"});
  EXPECT_EQ(r.body, R"({"error":"bad \"x\"\n\\ \u0001","error_code":"BadRequest"})");
}

TEST(ResponseTest, ServerErrorsHideDetail) {
  Response r = Response::Error({base::ErrorCode::kIoError, "disk /var/lib/x failed"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"error":"internal server error","error_code":"InternalServerError"})");
  EXPECT_EQ(r.error_detail, "disk /var/lib/x failed");

  // An OK status is a programming mistake; still a well-formed 500.
  Response ok = Response::Error(base::Status::Ok());
  EXPECT_EQ(ok.status, 500);
  EXPECT_EQ(ok.body, R"({"error":"internal server error","error_code":"InternalServerError"})");
}

TEST(ResponseTest, EmptyMessageFallsBackToCodeName) {
  Response r = Response::Error({base::ErrorCode::kMissingAuthReq, ""});
  EXPECT_EQ(r.body, R"({"error":"MissingAuthReq","error_code":"MissingAuthReq"})");
}

TEST(ResponseTest, SetHeaderReplaces) {
  Response r = Response::Json(200, "{}");
  r.SetHeader("content-type", "text/plain");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain");
  r.AddHeader("Vary", "Origin");
  r.AddHeader("Vary", "Accept");
  EXPECT_EQ(r.headers.size(), 3u);
}

}  // namespace
}  // namespace plinth::http
