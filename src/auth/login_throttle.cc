#include "auth/login_throttle.h"

#include <algorithm>

namespace plinth::auth {

std::string_view AddressWithoutPort(std::string_view remote) {
  std::size_t colon = remote.rfind(':');
  if (colon == std::string_view::npos) return remote;
  // A bare IPv6 address without brackets has several colons and no port.
  if (remote.front() != '[' && remote.find(':') != colon) return remote;
  return remote.substr(0, colon);
}

LoginThrottle::LoginThrottle(const config::ThrottleSettings& settings, const base::Clock* clock,
                             std::size_t max_entries)
    : settings_(settings), clock_(clock), max_entries_(max_entries) {}

LoginThrottle::Window& LoginThrottle::Current(std::unordered_map<std::string, Window>& map,
                                              std::string_view key, std::int64_t now_ms) {
  if (map.size() >= max_entries_) map.clear();
  Window& w = map[std::string(key)];
  if (now_ms - w.start_ms >= settings_.failed_login_window_seconds * 1000) {
    w.start_ms = now_ms;
    w.failures = 0;
  }
  return w;
}

std::optional<std::int64_t> LoginThrottle::Blocked(std::string_view username,
                                                   std::string_view address) {
  if (!settings_.enabled) return std::nullopt;
  const std::int64_t now = clock_->NowMillis();
  const std::int64_t window = settings_.failed_login_window_seconds * 1000;
  std::lock_guard<std::mutex> lock(mu_);
  std::int64_t wait_ms = 0;
  if (!username.empty()) {
    if (Window& u = Current(by_user_, username, now);
        u.failures >= settings_.failed_logins_per_username) {
      wait_ms = std::max(wait_ms, u.start_ms + window - now);
    }
  }
  if (Window& a = Current(by_address_, address, now);
      a.failures >= settings_.failed_logins_per_address) {
    wait_ms = std::max(wait_ms, a.start_ms + window - now);
  }
  if (wait_ms <= 0) return std::nullopt;
  return (wait_ms + 999) / 1000;
}

void LoginThrottle::RecordFailure(std::string_view username, std::string_view address) {
  if (!settings_.enabled) return;
  const std::int64_t now = clock_->NowMillis();
  std::lock_guard<std::mutex> lock(mu_);
  if (!username.empty()) ++Current(by_user_, username, now).failures;
  ++Current(by_address_, address, now).failures;
}

bool LoginThrottle::AllowMail(std::string_view email) {
  if (!settings_.enabled) return true;
  const std::int64_t now = clock_->NowMillis();
  constexpr std::int64_t kHourMs = 60 * 60 * 1000;
  std::lock_guard<std::mutex> lock(mu_);
  if (mails_.size() >= max_entries_) mails_.clear();
  Window& w = mails_[std::string(email)];
  if (now - w.start_ms >= kHourMs) w = {now, 0};
  if (w.failures >= settings_.emails_per_address_per_hour) return false;
  ++w.failures;  // here: mails sent
  return true;
}

void LoginThrottle::RecordSuccess(std::string_view username) {
  std::lock_guard<std::mutex> lock(mu_);
  by_user_.erase(std::string(username));
}

}  // namespace plinth::auth
