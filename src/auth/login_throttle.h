#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"
#include "config/plinth_settings.h"

namespace plinth::auth {

// LoginThrottle counts failed password and key logins per username and per
// client address in fixed windows (plinth.json `throttle`). Once a count
// reaches its threshold, further attempts in that window are refused before
// any password is hashed, answered with 429 and Retry-After.
//
// Thread-safe. Memory is bounded: the maps are cleared when they hold more
// than max_entries keys (an attacker rotating usernames then gets a fresh
// window, but the per-address count still catches one address).
class LoginThrottle {
 public:
  LoginThrottle(const config::ThrottleSettings& settings, const base::Clock* clock,
                std::size_t max_entries = 100000);

  // Seconds until the caller may try again, or nullopt when allowed. An
  // empty username (API-key logins) is counted per address only, so bad
  // keys from one client cannot lock every key holder out.
  std::optional<std::int64_t> Blocked(std::string_view username, std::string_view address);
  void RecordFailure(std::string_view username, std::string_view address);
  // A success clears the username's count (not the address's).
  void RecordSuccess(std::string_view username);
  // Counts one confirmation or reset mail to `email`; false (send nothing)
  // once throttle.emails_per_address_per_hour were sent this hour.
  bool AllowMail(std::string_view email);

 private:
  struct Window {
    std::int64_t start_ms = 0;
    std::int64_t failures = 0;
  };
  // The window for `key`, restarted when it has ended.
  Window& Current(std::unordered_map<std::string, Window>& map, std::string_view key,
                  std::int64_t now_ms);

  const config::ThrottleSettings settings_;
  const base::Clock* clock_;
  const std::size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> by_user_;     // guarded by mu_
  std::unordered_map<std::string, Window> by_address_;  // guarded by mu_
  std::unordered_map<std::string, Window> mails_;       // guarded by mu_
};

// "1.2.3.4:5678" -> "1.2.3.4", "[::1]:80" -> "[::1]".
std::string_view AddressWithoutPort(std::string_view remote);

}  // namespace plinth::auth
