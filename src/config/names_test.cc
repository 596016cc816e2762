#include "config/names.h"

#include <gtest/gtest.h>

#include <string>

namespace plinth::config {
namespace {

TEST(NamesTest, AppName) {
  EXPECT_EQ(CheckAppName("quickstart"), "");
  EXPECT_EQ(CheckAppName("a_b-C9"), "");
  EXPECT_EQ(CheckAppName(std::string(32, 'a')), "");
  EXPECT_NE(CheckAppName(std::string(33, 'a')), "");
  EXPECT_NE(CheckAppName(""), "");
  EXPECT_NE(CheckAppName("9lives"), "");
  EXPECT_NE(CheckAppName("-x"), "");
  EXPECT_NE(CheckAppName("my app"), "");
  EXPECT_NE(CheckAppName("café"), "");
}

TEST(NamesTest, ValueAndComponentNames) {
  EXPECT_EQ(CheckValueName("9lives"), "");
  EXPECT_NE(CheckValueName("_private"), "");
  EXPECT_NE(CheckValueName(std::string(65, 'v')), "");
  EXPECT_EQ(CheckComponentName("_trigger-1"), "");
  EXPECT_NE(CheckComponentName("a.b"), "");
  EXPECT_NE(CheckComponentName(std::string(65, 'n')), "");
}

TEST(NamesTest, FunctionNames) {
  EXPECT_EQ(CheckFunctionName("add"), "");
  EXPECT_EQ(CheckFunctionName("utils/math/add"), "");
  EXPECT_NE(CheckFunctionName(""), "");
  EXPECT_NE(CheckFunctionName("/add"), "");
  EXPECT_NE(CheckFunctionName("utils//add"), "");
  EXPECT_NE(CheckFunctionName("utils/"), "");
  EXPECT_NE(CheckFunctionName("../secret"), "");
  EXPECT_NE(CheckFunctionName("a.js"), "");
}

TEST(NamesTest, RequestOrigins) {
  EXPECT_EQ(CheckRequestOrigin("https://www.example.com:443"), "");
  EXPECT_EQ(CheckRequestOrigin("http://localhost"), "");
  EXPECT_EQ(CheckRequestOrigin("http://127.0.0.1:3000"), "");
  EXPECT_EQ(CheckRequestOrigin("http://[::1]:8080"), "");
  EXPECT_NE(CheckRequestOrigin("www.example.com"), "");
  EXPECT_NE(CheckRequestOrigin("https://"), "");
  EXPECT_NE(CheckRequestOrigin("https://example.com/path"), "");
  EXPECT_NE(CheckRequestOrigin("https://example.com:"), "");
  EXPECT_NE(CheckRequestOrigin("https://example.com:99999"), "");
  EXPECT_NE(CheckRequestOrigin("https://example.com:0"), "");
  EXPECT_NE(CheckRequestOrigin("*"), "");
}

}  // namespace
}  // namespace plinth::config
