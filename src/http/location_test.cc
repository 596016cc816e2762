#include "http/location.h"

#include <gtest/gtest.h>

namespace plinth::http {
namespace {

class LocationTest : public ::testing::Test {
 protected:
  Request Make(std::string host) {
    Request req;
    req.method = "GET";
    req.path = "/api/client/v2.0/app/app-1/location";
    req.path_params = {{"app_id", "app-1"}};
    if (!host.empty()) req.headers = {{"Host", std::move(host)}};
    return req;
  }

  StaticAppLookup apps_{{AppInfo{"app-1", "LOCAL", "IE", {}}, AppInfo{"app-2", "", "", {}}}};
};

TEST_F(LocationTest, HostnameFromPublicUrlTrimsTrailingSlash) {
  Request req = Make("ignored:1");
  Response res = HandleLocation(req, apps_, "https://plinth.example.com/");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.Header("Content-Type"), "application/json");
  EXPECT_EQ(res.body,
            R"({"deployment_model":"LOCAL","location":"IE",)"
            R"("hostname":"https://plinth.example.com","ws_hostname":"wss://plinth.example.com"})");
}

TEST_F(LocationTest, HostnameFromHostHeader) {
  Request req = Make("localhost:8080");
  Response res = HandleLocation(req, apps_, "");
  EXPECT_EQ(res.body, R"({"deployment_model":"LOCAL","location":"IE",)"
                      R"("hostname":"http://localhost:8080","ws_hostname":"ws://localhost:8080"})");
}

TEST_F(LocationTest, DefaultsForEmptyAppFields) {
  Request req = Make("h");
  req.path_params = {{"app_id", "app-2"}};
  Response res = HandleLocation(req, apps_, "");
  EXPECT_NE(res.body.find(R"("deployment_model":"GLOBAL","location":"US-VA")"), std::string::npos);
}

TEST_F(LocationTest, MissingOrHostileHostIsBadRequest) {
  Request none = Make("");
  EXPECT_EQ(HandleLocation(none, apps_, "").status, 400);
  Request evil = Make("evil.com/\"><script>");
  Response res = HandleLocation(evil, apps_, "");
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find(R"("error_code":"BadRequest")"), std::string::npos);
}

TEST_F(LocationTest, UnknownAppIsAppNotFound) {
  Request req = Make("h");
  req.path_params = {{"app_id", "nope"}};
  Response res = HandleLocation(req, apps_, "");
  EXPECT_EQ(res.status, 404);
  EXPECT_NE(res.body.find(R"("error_code":"AppNotFound")"), std::string::npos);
}

TEST(WsHostnameTest, DerivesWebSocketScheme) {
  EXPECT_EQ(WsHostname("http://a:1"), "ws://a:1");
  EXPECT_EQ(WsHostname("https://a/prefix"), "wss://a/prefix");
  EXPECT_EQ(WsHostname("ftp://a"), "ftp://a");
}

}  // namespace
}  // namespace plinth::http
