#pragma once

#include <cstdint>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// PlinthSettings is Plinth's own optional `plinth.json` at the app directory's
// root (DECISIONS 15): per-app settings App Services has no file for. Every
// field has a documented default (docs/configuration.md); a missing file or
// key means the default. Process-wide settings (HTTP body and header limits,
// timeouts, JS pool sizes) are `plinth serve` flags, not here.
// Value types; thread-compatible.

struct TokenSettings {
  // Access tokens: 30 minutes, as App Services. Range 1 s .. 1 day.
  std::int64_t access_token_lifetime_seconds = 30 * 60;
  // Refresh tokens: 60 days, as App Services. Range 1 s .. 5 years (tests
  // shorten it; App Services allowed 30 minutes .. 5 years).
  std::int64_t refresh_token_lifetime_seconds = 60LL * 24 * 60 * 60;
};

struct FunctionSettings {
  // Wall-clock limit of one function call, nested calls included: App
  // Services' 300 s. Range 1 ms .. 1 hour.
  std::int64_t time_limit_ms = 300 * 1000;
  // Memory one call may allocate: App Services' 350 MB. Range 1 .. 65536 MiB.
  std::int64_t memory_limit_mb = 350;
};

struct ThrottleSettings {
  bool enabled = true;
  // Failed password logins per username within the window before further
  // attempts get 429 TooManyRequests with Retry-After.
  std::int64_t failed_logins_per_username = 10;
  std::int64_t failed_login_window_seconds = 15 * 60;
  // Confirmation and password-reset mails sent to one address per hour.
  std::int64_t emails_per_address_per_hour = 10;
};

struct CustomUserDataSettings {
  // A custom data document larger than this (BSON bytes) is logged at warn
  // when put in a token: App Services' "under 16 KB" guidance, because the
  // token travels in HTTP headers.
  std::int64_t warn_size_bytes = 16 * 1024;
  // Hard limit for the document in a token: MongoDB's 16 MiB document limit.
  std::int64_t max_size_bytes = 16 * 1024 * 1024;
  // Delete the custom data document when its user is deleted. App Services
  // keeps it (app-config §2), hence false.
  bool delete_with_user = false;
};

struct PlinthSettings {
  TokenSettings tokens;
  FunctionSettings functions;
  ThrottleSettings throttle;
  CustomUserDataSettings custom_user_data;
};

// Reads plinth.json; unknown keys are logged at warn, wrong types and values
// out of range are errors.
PlinthSettings ParsePlinthSettings(const doc::Value& json, FileDiagnostics* diag);

}  // namespace plinth::config
