#include "config/plinth_settings.h"

namespace plinth::config {
namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;
constexpr std::int64_t kFiveYearsSeconds = 5 * 365 * kDaySeconds;

}  // namespace

PlinthSettings ParsePlinthSettings(const doc::Value& json, FileDiagnostics* diag) {
  PlinthSettings s;
  FieldReader r(json, "", diag);
  if (!r.ok()) return s;

  FieldReader tokens = r.Child("tokens");
  if (tokens.ok()) {
    tokens.ReadInRange("access_token_lifetime_seconds", 1, kDaySeconds,
                       &s.tokens.access_token_lifetime_seconds);
    tokens.ReadInRange("refresh_token_lifetime_seconds", 1, kFiveYearsSeconds,
                       &s.tokens.refresh_token_lifetime_seconds);
    tokens.WarnUnknownKeys();
  }
  FieldReader functions = r.Child("functions");
  if (functions.ok()) {
    functions.ReadInRange("time_limit_ms", 1, 60 * 60 * 1000, &s.functions.time_limit_ms);
    functions.ReadInRange("memory_limit_mb", 1, 65536, &s.functions.memory_limit_mb);
    functions.WarnUnknownKeys();
  }
  FieldReader throttle = r.Child("throttle");
  if (throttle.ok()) {
    throttle.Read("enabled", &s.throttle.enabled);
    throttle.ReadInRange("failed_logins_per_username", 1, 1000000,
                         &s.throttle.failed_logins_per_username);
    throttle.ReadInRange("failed_login_window_seconds", 1, kDaySeconds,
                         &s.throttle.failed_login_window_seconds);
    throttle.ReadInRange("emails_per_address_per_hour", 1, 1000000,
                         &s.throttle.emails_per_address_per_hour);
    throttle.WarnUnknownKeys();
  }
  FieldReader custom_data = r.Child("custom_user_data");
  if (custom_data.ok()) {
    constexpr std::int64_t kMaxDocument = 16 * 1024 * 1024;
    custom_data.ReadInRange("warn_size_bytes", 1, kMaxDocument,
                            &s.custom_user_data.warn_size_bytes);
    custom_data.ReadInRange("max_size_bytes", 1, kMaxDocument, &s.custom_user_data.max_size_bytes);
    custom_data.Read("delete_with_user", &s.custom_user_data.delete_with_user);
    custom_data.WarnUnknownKeys();
  }
  r.WarnUnknownKeys();
  return s;
}

}  // namespace plinth::config
