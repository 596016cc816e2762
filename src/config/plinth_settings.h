#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  // Algorithm of the app's token signing key: "HS256", "EdDSA" or "RS256".
  std::string signing_algorithm = "HS256";
  // Names of secrets (secrets.json / PLINTH_SECRET_*) holding the signing
  // keys, newest first: the first signs, all verify, so a key can be
  // rotated without logging anyone out. Each secret is an HS256 secret (at
  // least 32 bytes) or a PEM private key for EdDSA / RS256; the secret's
  // name is the key's `kid`. Empty: Plinth generates a key on first start
  // and keeps it in <data>/keys/<app_id>.json (owner-only).
  std::vector<std::string> signing_key_secrets;
  // How long a session's or user's state may be served from memory before
  // the store is read again. Changes made by this process (logout, disable,
  // delete) take effect at once; changes made by another process on the
  // same data directory (`plinth users disable`) within this time.
  std::int64_t state_cache_ms = 1000;
};

struct PasswordSettings {
  // Argon2id cost: OWASP's minimum (m = 19 MiB, t = 2, p = 1) by default.
  std::int64_t argon2_ops_limit = 2;
  std::int64_t argon2_memory_kib = 19 * 1024;
  // Threads hashing passwords (0 = one per core) and how many hashing
  // requests may wait for one before new ones are refused with 429.
  std::int64_t hash_threads = 0;
  std::int64_t hash_queue = 256;
};

struct FunctionSettings {
  // Wall-clock limit of one function call, nested calls included. App
  // Services allows 300 s; 60 s keeps a stuck function from holding a JS
  // thread for five minutes. Range 1 ms .. 1 hour.
  std::int64_t time_limit_ms = 60 * 1000;
  // Memory one call may allocate: App Services' 350 MB. Range 1 .. 65536 MiB.
  std::int64_t memory_limit_mb = 350;
  // Resident size of the whole process past which every running call is
  // stopped (the backstop of memory_limit_mb); 0 disables it.
  std::int64_t process_memory_limit_mb = 4096;
  // JS threads of the app (each one SpiderMonkey context) and the calls
  // that may wait for one before new calls get 429.
  std::int64_t threads = 2;
  std::int64_t queue = 1000;
  // Native stack JavaScript may use on a JS thread: recursion deeper than
  // this is "too much recursion", never a crash. Range 256 KiB .. 12 MiB
  // (the thread's stack is 16 MiB).
  std::int64_t stack_kb = 6 * 1024;
  // context.functions.execute / %function nesting.
  std::int64_t max_nesting_depth = 16;
  // Encoded size of one call's arguments (App Services: 18 MB per request)
  // and of one result or value crossing a host call (MongoDB's 16 MiB).
  std::int64_t max_argument_bytes = 18 * 1024 * 1024;
  std::int64_t max_result_bytes = 16 * 1024 * 1024;
};

struct ThrottleSettings {
  bool enabled = true;
  // Failed password logins per username within the window before further
  // attempts get 429 TooManyRequests with Retry-After.
  std::int64_t failed_logins_per_username = 10;
  std::int64_t failed_login_window_seconds = 15 * 60;
  // Failed logins (any username) from one client address within the window.
  std::int64_t failed_logins_per_address = 100;
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
  PasswordSettings passwords;
  FunctionSettings functions;
  ThrottleSettings throttle;
  CustomUserDataSettings custom_user_data;
};

// Reads plinth.json; unknown keys are logged at warn, wrong types and values
// out of range are errors.
PlinthSettings ParsePlinthSettings(const doc::Value& json, FileDiagnostics* diag);

}  // namespace plinth::config
