#include "cli/listen_address.h"

#include <gtest/gtest.h>

namespace plinth::cli {
namespace {

TEST(ListenAddressTest, ParsesHostAndPort) {
  auto a = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
}

TEST(ListenAddressTest, RejectsMalformedAddresses) {
  for (const char* bad : {"8080", ":8080", "host:", "host:65536", "host:80x", "host:-1"}) {
    auto a = ParseListenAddress(bad);
    EXPECT_FALSE(a.ok()) << bad;
    EXPECT_NE(a.status().message().find("--listen"), std::string::npos);
  }
}

}  // namespace
}  // namespace plinth::cli
