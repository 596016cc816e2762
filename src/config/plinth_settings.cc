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
    tokens.Read("signing_algorithm", &s.tokens.signing_algorithm);
    if (s.tokens.signing_algorithm != "HS256" && s.tokens.signing_algorithm != "EdDSA" &&
        s.tokens.signing_algorithm != "RS256") {
      tokens.diag()->Error(tokens.FieldOf("signing_algorithm"),
                           "must be \"HS256\", \"EdDSA\" or \"RS256\"");
    }
    tokens.Read("signing_key_secrets", &s.tokens.signing_key_secrets);
    tokens.ReadInRange("state_cache_ms", 0, 60 * 1000, &s.tokens.state_cache_ms);
    tokens.WarnUnknownKeys();
  }
  FieldReader passwords = r.Child("passwords");
  if (passwords.ok()) {
    passwords.ReadInRange("argon2_ops_limit", 1, 10, &s.passwords.argon2_ops_limit);
    passwords.ReadInRange("argon2_memory_kib", 8, 4 * 1024 * 1024, &s.passwords.argon2_memory_kib);
    passwords.ReadInRange("hash_threads", 0, 256, &s.passwords.hash_threads);
    passwords.ReadInRange("hash_queue", 1, 1000000, &s.passwords.hash_queue);
    passwords.WarnUnknownKeys();
  }
  FieldReader functions = r.Child("functions");
  if (functions.ok()) {
    functions.ReadInRange("time_limit_ms", 1, 60 * 60 * 1000, &s.functions.time_limit_ms);
    functions.ReadInRange("memory_limit_mb", 1, 65536, &s.functions.memory_limit_mb);
    functions.ReadInRange("process_memory_limit_mb", 0, 1024 * 1024,
                          &s.functions.process_memory_limit_mb);
    functions.ReadInRange("threads", 1, 256, &s.functions.threads);
    functions.ReadInRange("queue", 1, 1000000, &s.functions.queue);
    functions.ReadInRange("stack_kb", 256, 12 * 1024, &s.functions.stack_kb);
    functions.ReadInRange("max_nesting_depth", 1, 64, &s.functions.max_nesting_depth);
    functions.ReadInRange("max_argument_bytes", 1024, 64 * 1024 * 1024,
                          &s.functions.max_argument_bytes);
    functions.ReadInRange("max_result_bytes", 1024, 64 * 1024 * 1024,
                          &s.functions.max_result_bytes);
    functions.WarnUnknownKeys();
  }
  FieldReader throttle = r.Child("throttle");
  if (throttle.ok()) {
    throttle.Read("enabled", &s.throttle.enabled);
    throttle.ReadInRange("failed_logins_per_username", 1, 1000000,
                         &s.throttle.failed_logins_per_username);
    throttle.ReadInRange("failed_login_window_seconds", 1, kDaySeconds,
                         &s.throttle.failed_login_window_seconds);
    throttle.ReadInRange("failed_logins_per_address", 1, 1000000,
                         &s.throttle.failed_logins_per_address);
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
