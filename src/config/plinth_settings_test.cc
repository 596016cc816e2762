#include "config/plinth_settings.h"

#include <gtest/gtest.h>

#include "base/logger.h"
#include "base/temp_dir_for_test.h"
#include "config/app_loader.h"

namespace plinth::config {
namespace {

using base::TempDirForTest;

void WriteApp(const TempDirForTest& dir) {
  dir.Write("root_config.json", R"({"app_id":"test-abcde","name":"test"})");
  dir.Write("auth/providers.json", R"({"anon-user":{"name":"anon-user","type":"anon-user"}})");
}

TEST(PlinthSettingsTest, DefaultsWithoutFile) {
  TempDirForTest dir;
  WriteApp(dir);
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  ASSERT_TRUE(result.ok()) << FormatConfigErrors(result.errors);
  const PlinthSettings& s = result.app->settings;
  EXPECT_EQ(s.tokens.access_token_lifetime_seconds, 30 * 60);
  EXPECT_EQ(s.tokens.refresh_token_lifetime_seconds, 60 * 24 * 60 * 60);
  EXPECT_EQ(s.functions.time_limit_ms, 60000);
  EXPECT_EQ(s.functions.memory_limit_mb, 350);
  EXPECT_TRUE(s.throttle.enabled);
  EXPECT_EQ(s.throttle.failed_logins_per_username, 10);
  EXPECT_EQ(s.throttle.failed_login_window_seconds, 900);
  EXPECT_EQ(s.throttle.emails_per_address_per_hour, 10);
  EXPECT_EQ(s.custom_user_data.warn_size_bytes, 16 * 1024);
  EXPECT_EQ(s.custom_user_data.max_size_bytes, 16 * 1024 * 1024);
  EXPECT_FALSE(s.custom_user_data.delete_with_user);
}

TEST(PlinthSettingsTest, OverridesAndUnknownKeys) {
  TempDirForTest dir;
  WriteApp(dir);
  dir.Write("plinth.json", R"({
    "tokens": {"access_token_lifetime_seconds": 2, "refresh_token_lifetime_seconds": 10},
    "functions": {"time_limit_ms": 250, "memory_limit_mb": 64, "heap": 1},
    "throttle": {"enabled": false},
    "custom_user_data": {"delete_with_user": true},
    "colour": "blue"})");
  base::CapturingLogger logger;
  LoadResult result = LoadAppCollectingErrors(dir.path(), &logger);
  ASSERT_TRUE(result.ok()) << FormatConfigErrors(result.errors);
  const PlinthSettings& s = result.app->settings;
  EXPECT_EQ(s.tokens.access_token_lifetime_seconds, 2);
  EXPECT_EQ(s.tokens.refresh_token_lifetime_seconds, 10);
  EXPECT_EQ(s.functions.time_limit_ms, 250);
  EXPECT_EQ(s.functions.memory_limit_mb, 64);
  EXPECT_FALSE(s.throttle.enabled);
  EXPECT_EQ(s.throttle.failed_logins_per_username, 10);  // untouched default
  EXPECT_TRUE(s.custom_user_data.delete_with_user);
  EXPECT_TRUE(logger.Contains(R"("file":"plinth.json","key":"functions.heap")"));
  EXPECT_TRUE(logger.Contains(R"("file":"plinth.json","key":"colour")"));
}

TEST(PlinthSettingsTest, BadTypesAndRangesAreErrors) {
  TempDirForTest dir;
  WriteApp(dir);
  dir.Write("plinth.json", R"({
    "tokens": {"access_token_lifetime_seconds": "30m", "refresh_token_lifetime_seconds": 0},
    "functions": {"time_limit_ms": 1.5},
    "throttle": []})");
  LoadResult result = LoadAppCollectingErrors(dir.path(), nullptr);
  std::vector<ConfigError> expected = {
      {"plinth.json", "tokens.access_token_lifetime_seconds", "expected an integer, got string"},
      {"plinth.json", "tokens.refresh_token_lifetime_seconds",
       "must be between 1 and 157680000, got 0"},
      {"plinth.json", "functions.time_limit_ms", "expected an integer, got number"},
      {"plinth.json", "throttle", "expected an object, got array"},
  };
  EXPECT_EQ(result.errors, expected) << FormatConfigErrors(result.errors);
}

}  // namespace
}  // namespace plinth::config
