#include "http/client_api.h"

#include <gtest/gtest.h>

namespace plinth::http {
namespace {

class ClientApiTest : public ::testing::Test {
 protected:
  ClientApiTest()
      : apps_({AppInfo{"open-app", "GLOBAL", "US-VA", {}},
               AppInfo{"closed-app", "GLOBAL", "US-VA", {"https://good.example.com"}}}),
        api_(ClientServices{&apps_, &metrics_, &readiness_, ""}) {}

  Response Call(std::string method, std::string path,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.headers = std::move(headers);
    req.headers.emplace_back("Host", "localhost:9090");
    return api_.Handle(req);
  }

  StaticAppLookup apps_;
  Metrics metrics_;
  Readiness readiness_;
  ClientApi api_;
};

TEST_F(ClientApiTest, ServesLocation) {
  Response res = Call("GET", "/api/client/v2.0/app/open-app/location");
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find(R"("hostname":"http://localhost:9090")"), std::string::npos);
}

TEST_F(ClientApiTest, UnknownAppIsAppNotFoundOnEveryAppScopedPath) {
  for (const char* path :
       {"/api/client/v2.0/app/nope/location", "/api/client/v2.0/app/nope/functions/call",
        "/api/client/v2.0/app/nope/auth/providers/anon-user/login", "/api/client/v2.0/app/nope",
        "/api/client/v2.0/app/"}) {
    for (const char* method : {"GET", "POST", "OPTIONS"}) {
      Response res = Call(method, path);
      EXPECT_EQ(res.status, 404) << method << " " << path;
      EXPECT_NE(res.body.find(R"("error_code":"AppNotFound")"), std::string::npos) << path;
    }
  }
}

TEST_F(ClientApiTest, UnknownPathAndWrongMethodForKnownApp) {
  Response missing = Call("GET", "/api/client/v2.0/app/open-app/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find(R"("error_code":"NotFound")"), std::string::npos);

  Response wrong = Call("POST", "/api/client/v2.0/app/open-app/location");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("Allow"), "GET, OPTIONS");

  EXPECT_EQ(Call("GET", "/nothing").status, 404);
}

TEST_F(ClientApiTest, OriginsCheckedAgainstTheAppList) {
  const std::string loc = "/api/client/v2.0/app/closed-app/location";
  Response good = Call("GET", loc, {{"Origin", "https://good.example.com"}});
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.Header("Access-Control-Allow-Origin"), "https://good.example.com");
  EXPECT_EQ(good.Header("Vary"), "Origin");

  Response bad = Call("GET", loc, {{"Origin", "https://evil.example.com"}});
  EXPECT_EQ(bad.status, 403);
  EXPECT_NE(bad.body.find(R"("error_code":"DomainNotAllowed")"), std::string::npos);
  EXPECT_FALSE(bad.Header("Access-Control-Allow-Origin").has_value());

  Response bad_preflight = Call("OPTIONS", loc, {{"Origin", "https://evil.example.com"}});
  EXPECT_EQ(bad_preflight.status, 403);

  // Native SDKs send no Origin at all.
  EXPECT_EQ(Call("GET", loc).status, 200);

  // An app with no list, and non-app routes, accept any origin.
  Response open = Call("GET", "/api/client/v2.0/app/open-app/location",
                       {{"Origin", "https://whatever.example"}});
  EXPECT_EQ(open.status, 200);
  EXPECT_EQ(open.Header("Access-Control-Allow-Origin"), "https://whatever.example");
  EXPECT_EQ(Call("GET", "/healthz", {{"Origin", "https://whatever.example"}}).status, 200);
}

TEST_F(ClientApiTest, PreflightThroughThePipeline) {
  Response res =
      Call("OPTIONS", "/api/client/v2.0/app/closed-app/location",
           {{"Origin", "https://good.example.com"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(res.Header("Access-Control-Allow-Origin"), "https://good.example.com");
  EXPECT_TRUE(res.Header("Access-Control-Allow-Methods").has_value());
  // Preflights for paths we do not serve are answered too; the real call
  // then gets its 404.
  EXPECT_EQ(Call("OPTIONS", "/api/client/v2.0/auth/session", {{"Origin", "http://x"}}).status, 204);
}

TEST_F(ClientApiTest, HealthAndReadiness) {
  Response health = Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");

  EXPECT_EQ(Call("GET", "/readyz").status, 503);  // not serving yet
  readiness_.MarkServing();
  Response ready = Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, R"({"status":"ready"})");
  readiness_.MarkDraining();
  Response draining = Call("GET", "/readyz");
  EXPECT_EQ(draining.status, 503);
  EXPECT_EQ(draining.body, R"({"status":"draining"})");
}

TEST_F(ClientApiTest, MetricsEndpoint) {
  metrics_.Record("/healthz", "GET", 200, base::ErrorCode::kOk, std::chrono::microseconds(5));
  Response res = Call("GET", "/metrics");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.Header("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_NE(res.body.find("plinth_http_requests_total{route=\"/healthz\""), std::string::npos);
}

TEST_F(ClientApiTest, MalformedJsonBodyIsBadRequestOnAnyRoute) {
  for (const char* type : {"application/json", "application/json;charset=utf-8"}) {
    Request req;
    req.method = "POST";
    req.path = "/api/client/v2.0/app/open-app/auth/providers/anon-user/login";
    req.headers = {{"Host", "localhost"}, {"Content-Type", type}};
    req.body = R"({"options": {"device": )";
    Response res = api_.Handle(req);
    EXPECT_EQ(res.status, 400) << type;
    EXPECT_NE(res.body.find(R"("error_code":"BadRequest")"), std::string::npos) << res.body;
    EXPECT_NE(res.body.find("invalid JSON body"), std::string::npos) << res.body;
  }
  // Well-formed JSON, and bodies not declared as JSON, reach routing as before.
  Request ok;
  ok.method = "POST";
  ok.path = "/api/client/v2.0/app/open-app/location";
  ok.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
  ok.body = R"({"a":[1,2,{"b":null}]})";
  EXPECT_EQ(api_.Handle(ok).status, 405);
  ok.headers = {{"Host", "localhost"}, {"Content-Type", "text/plain"}};
  ok.body = "{not json";
  EXPECT_EQ(api_.Handle(ok).status, 405);
  // Nesting beyond doc::Limits is refused before any handler sees it.
  ok.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
  ok.body = std::string(200, '[') + std::string(200, ']');
  Response deep = api_.Handle(ok);
  EXPECT_EQ(deep.status, 400);
  EXPECT_NE(deep.body.find("nesting"), std::string::npos) << deep.body;
}

TEST(AppIdOfPathTest, Extracts) {
  EXPECT_EQ(AppIdOfPath("/api/client/v2.0/app/x/location"), "x");
  EXPECT_EQ(AppIdOfPath("/api/client/v2.0/app/x"), "x");
  EXPECT_EQ(AppIdOfPath("/api/client/v2.0/app/"), "");
  EXPECT_FALSE(AppIdOfPath("/api/client/v2.0/auth/session").has_value());
  EXPECT_FALSE(AppIdOfPath("/api/client/v2.0/apps/x").has_value());
}

}  // namespace
}  // namespace plinth::http
