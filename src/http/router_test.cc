#include "http/router.h"

#include <gtest/gtest.h>

namespace plinth::http {
namespace {

Request Make(std::string method, std::string path) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  return req;
}

Router MakeRouter() {
  Router r;
  r.Add("GET", "/api/client/v2.0/app/{app_id}/location", [](Request& req) {
    return Response::Json(200, "\"" + std::string(req.PathParam("app_id")) + "\"");
  });
  r.Add("POST", "/api/client/v2.0/app/{app_id}/auth/providers/{provider}/login", [](Request& req) {
    return Response::Json(
        200, std::string(req.PathParam("app_id")) + "/" + std::string(req.PathParam("provider")));
  });
  r.Add("DELETE", "/api/client/v2.0/auth/session", [](Request&) { return Response::Empty(204); });
  r.Add("POST", "/api/client/v2.0/auth/session", [](Request&) { return Response::Empty(201); });
  return r;
}

TEST(RouterTest, MatchesAndFillsParams) {
  Router r = MakeRouter();
  Request req = Make("GET", "/api/client/v2.0/app/my-app/location");
  Response res = r.Dispatch(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "\"my-app\"");
  EXPECT_EQ(req.route, "/api/client/v2.0/app/{app_id}/location");

  Request login = Make("POST", "/api/client/v2.0/app/a1/auth/providers/local-userpass/login");
  EXPECT_EQ(r.Dispatch(login).body, "a1/local-userpass");
  EXPECT_EQ(login.PathParam("provider"), "local-userpass");
}

TEST(RouterTest, UnknownPathIs404) {
  Router r = MakeRouter();
  Request req = Make("GET", "/x");
  Response res = r.Dispatch(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"error":"no route for GET /x","error_code":"NotFound"})");
  EXPECT_EQ(req.route, "unmatched");

  // Segment counts must agree, and placeholders never match empty segments.
  Request longer = Make("GET", "/api/client/v2.0/app/a/location/extra");
  EXPECT_EQ(r.Dispatch(longer).status, 404);
  Request empty = Make("GET", "/api/client/v2.0/app//location");
  EXPECT_EQ(r.Dispatch(empty).status, 404);
}

TEST(RouterTest, KnownPathWrongMethodIs405WithAllow) {
  Router r = MakeRouter();
  Request req = Make("PUT", "/api/client/v2.0/auth/session");
  Response res = r.Dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.Header("Allow"), "DELETE, POST, OPTIONS");
  EXPECT_NE(res.body.find(R"("error_code":"MethodNotAllowed")"), std::string::npos);
  // Counted under the route the client aimed at.
  EXPECT_EQ(req.route, "/api/client/v2.0/auth/session");
}

TEST(RouterTest, FirstAddedRouteWins) {
  Router r;
  r.Add("GET", "/a/special", [](Request&) { return Response::Json(200, "1"); });
  r.Add("GET", "/a/{name}", [](Request&) { return Response::Json(200, "2"); });
  Request special = Make("GET", "/a/special");
  EXPECT_EQ(r.Dispatch(special).body, "1");
  Request other = Make("GET", "/a/other");
  EXPECT_EQ(r.Dispatch(other).body, "2");
  EXPECT_EQ(other.PathParam("name"), "other");
}

TEST(RouterTest, SplitPath) {
  EXPECT_TRUE(SplitPath("/").empty());
  EXPECT_EQ(SplitPath("/a/b"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(SplitPath("/a//b/"), (std::vector<std::string_view>{"a", "", "b", ""}));
}

}  // namespace
}  // namespace plinth::http
