#include "server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/temp_dir_for_test.h"
#include "server/data_dir.h"
#include "server/startup_checks.h"

namespace plinth::server {
namespace {

namespace fs = std::filesystem;

const fs::path kQuickstart = fs::path(PLINTH_SOURCE_DIR) / "examples" / "quickstart";

// Sends one HTTP/1.1 request and returns the whole response (server closes).
std::string Fetch(std::uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  ::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

ServeOptions Options(const fs::path& data) {
  ServeOptions o;
  o.app_dirs = {kQuickstart};
  o.data_dir = data;
  o.listen_port = 0;
  o.io_threads = 1;
  return o;
}

TEST(ServerTest, ServesQuickstartLocationAndStops) {
  base::TempDirForTest tmp;
  base::CapturingLogger log;
  auto server = Server::Build(Options(tmp.path() / "data"), &log);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)->Start().ok());
  ASSERT_NE((*server)->port(), 0);
  EXPECT_TRUE(log.Contains("\"msg\":\"listening\""));

  std::string resp = Fetch((*server)->port(),
                           "GET /api/client/v2.0/app/quickstart-abcde/location HTTP/1.1\r\n"
                           "Host: example.test:8080\r\nConnection: close\r\n\r\n");
  EXPECT_NE(resp.find("HTTP/1.1 200"), std::string::npos) << resp;
  EXPECT_NE(resp.find("\"hostname\":\"http://example.test:8080\""), std::string::npos) << resp;
  EXPECT_NE(resp.find("\"ws_hostname\":\"ws://example.test:8080\""), std::string::npos) << resp;

  resp = Fetch((*server)->port(),
               "GET /api/client/v2.0/app/nope/location HTTP/1.1\r\nHost: x\r\n"
               "Connection: close\r\n\r\n");
  EXPECT_NE(resp.find("HTTP/1.1 404"), std::string::npos) << resp;
  EXPECT_NE(resp.find("\"error_code\":\"AppNotFound\""), std::string::npos) << resp;

  (*server)->Stop();
  (*server)->Wait();
  EXPECT_TRUE(fs::exists(tmp.path() / "data" / "LOCK"));
}

// The data directory holds the embedded store; what is written survives a
// restart of the server on the same directory.
TEST(ServerTest, StoreLivesInTheDataDirectoryAcrossRestarts) {
  base::TempDirForTest tmp;
  {
    auto server = Server::Build(Options(tmp.path() / "data"), base::NullLogger());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    auto users = (*server)->store().GetCollection("myapp", "users");
    ASSERT_TRUE(users.ok());
    ASSERT_TRUE((*users)->InsertOne(doc::Document{{"user_account_id", "u1"}}).ok());
  }
  EXPECT_TRUE(fs::exists(tmp.path() / "data" / Server::kStoreFileName));
  auto again = Server::Build(Options(tmp.path() / "data"), base::NullLogger());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto users = (*again)->store().GetCollection("myapp", "users");
  ASSERT_TRUE(users.ok());
  auto count = (*users)->CountDocuments(doc::Document{{"user_account_id", "u1"}});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
}

TEST(ServerTest, DataDirectoryIsExclusive) {
  base::TempDirForTest tmp;
  auto first = DataDir::Open(tmp.path() / "d");
  ASSERT_TRUE(first.ok());
  auto second = DataDir::Open(tmp.path() / "d");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use by another plinth process"), std::string::npos);
  first->reset();
  EXPECT_TRUE(DataDir::Open(tmp.path() / "d").ok());
}

TEST(ServerTest, DuplicateAppIdsAreRejected) {
  base::TempDirForTest tmp;
  ServeOptions o = Options(tmp.path() / "data");
  o.app_dirs = {kQuickstart, kQuickstart};
  auto server = Server::Build(o, base::NullLogger());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), base::ErrorCode::kInvalidConfig);
  EXPECT_NE(server.status().message().find("\"quickstart-abcde\" is also the app id"),
            std::string::npos)
      << server.status().message();
}

TEST(ServerTest, InvalidAppDirectoryListsEveryProblem) {
  base::TempDirForTest tmp;
  fs::create_directories(tmp.path() / "app" / "auth");
  std::ofstream(tmp.path() / "app" / "root_config.json")
      << R"({"app_id":"x-abcde","name":"9bad","environment":"nowhere"})";
  std::ofstream(tmp.path() / "app" / "auth" / "providers.json") << "{not json";
  ServeOptions o = Options(tmp.path() / "data");
  o.app_dirs = {tmp.path() / "app"};
  auto server = Server::Build(o, base::NullLogger());
  ASSERT_FALSE(server.ok());
  const std::string& m = server.status().message();
  EXPECT_NE(m.find("root_config.json: name"), std::string::npos) << m;
  EXPECT_NE(m.find("root_config.json: environment"), std::string::npos) << m;
  EXPECT_NE(m.find("auth/providers.json"), std::string::npos) << m;
  // Nothing was created for an app that failed to load.
  EXPECT_FALSE(fs::exists(tmp.path() / "data"));
}

// Rule expressions compile at start: a misspelt expansion is a config error
// naming the file, the role and the field.
TEST(ServerTest, RuleExpressionsAreCheckedAtStart) {
  base::TempDirForTest tmp;
  const fs::path app = tmp.path() / "app";
  fs::copy(kQuickstart, app, fs::copy_options::recursive);
  std::ofstream(app / "data_sources" / "mongodb-atlas" / "myapp" / "users" / "rules.json")
      << R"({"database": "myapp", "collection": "users",
             "roles": [{"name": "owner", "apply_when": {"user_account_id": "%%usr.id"}}]})";
  ServeOptions o = Options(tmp.path() / "data");
  o.app_dirs = {app};
  auto server = Server::Build(o, base::NullLogger());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), base::ErrorCode::kInvalidConfig);
  const std::string& m = server.status().message();
  EXPECT_NE(m.find("users/rules.json: roles[0] \"owner\": apply_when: unknown expansion "
                   "\"%%usr.id\""),
            std::string::npos)
      << m;
}

TEST(ServerTest, RuleNamespacesAreCheckedAtStart) {
  base::TempDirForTest tmp;
  const fs::path app = tmp.path() / "app";
  fs::copy(kQuickstart, app, fs::copy_options::recursive);
  const fs::path bad = app / "data_sources" / "mongodb-atlas" / "my$db" / "system.users";
  fs::create_directories(bad);
  std::ofstream(bad / "rules.json") << R"({"roles": []})";
  const fs::path reserved = app / "data_sources" / "mongodb-atlas" / "__plinth" / "users";
  fs::create_directories(reserved);
  std::ofstream(reserved / "rules.json") << R"({"roles": []})";
  ServeOptions o = Options(tmp.path() / "data");
  o.app_dirs = {app};
  auto server = Server::Build(o, base::NullLogger());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), base::ErrorCode::kInvalidConfig);
  const std::string& m = server.status().message();
  EXPECT_NE(m.find("my$db/system.users/rules.json: "), std::string::npos) << m;
  EXPECT_NE(m.find("'__plinth' is reserved"), std::string::npos) << m;
}

// A value backed by a secret can only be checked once the data directory (and
// its secrets.json) is known, so the server checks it at start.
TEST(ServerTest, SecretReferencesAreCheckedAgainstTheDataDirectory) {
  base::TempDirForTest tmp;
  const fs::path app = tmp.path() / "app";
  fs::copy(kQuickstart, app, fs::copy_options::recursive);
  std::ofstream(app / "values" / "apiKey.json")
      << R"({"name":"apiKey","from_secret":true,"value":"thirdPartyKey"})";
  ServeOptions o = Options(tmp.path() / "data");
  o.app_dirs = {app};

  {
    auto missing = Server::Build(o, base::NullLogger());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.status().code(), base::ErrorCode::kInvalidConfig);
    EXPECT_NE(missing.status().message().find("thirdPartyKey"), std::string::npos)
        << missing.status().message();
  }

  const fs::path secrets = tmp.path() / "data" / "secrets.json";
  std::ofstream(secrets) << R"({"thirdPartyKey":"s3cr3t-value"})";
  fs::permissions(secrets, fs::perms::owner_read | fs::perms::owner_write);
  auto ok = Server::Build(o, base::NullLogger());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();

  // A secrets file others can read is refused, and the value never appears.
  ok->reset();
  fs::permissions(secrets, fs::perms::others_read, fs::perm_options::add);
  auto exposed = Server::Build(o, base::NullLogger());
  ASSERT_FALSE(exposed.ok());
  EXPECT_NE(exposed.status().message().find("chmod 600"), std::string::npos)
      << exposed.status().message();
  EXPECT_EQ(exposed.status().message().find("s3cr3t-value"), std::string::npos);
}

}  // namespace
}  // namespace plinth::server
