#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/user.h"
#include "base/clock.h"

namespace plinth::auth {

// StateCache keeps recently read sessions and users in memory so that a
// token refresh or an authenticated request does not read the store every
// time (DECISIONS 4). Entries live `ttl`; this process's own changes
// (logout, disable, delete) call Forget* so they take effect at once, and
// another process's changes on the same store (`plinth users disable`) are
// seen once the entry expires. ttl 0 disables caching.
//
// Thread-safe (one mutex; entries are small and lookups short). Bounded:
// when an entry count reaches max_entries the map is cleared.
class StateCache {
 public:
  struct SessionState {
    std::string user_id;
    std::string device_id;
    std::int64_t expires_ms = 0;
  };

  StateCache(const base::Clock* clock, std::chrono::milliseconds ttl,
             std::size_t max_entries = 200000);

  std::optional<SessionState> GetSession(const std::string& hash);
  void PutSession(const std::string& hash, SessionState state);
  void ForgetSession(const std::string& hash);

  std::shared_ptr<const User> GetUser(const std::string& user_id);
  void PutUser(std::shared_ptr<const User> user);
  // Forgets the user and, because a disabled or deleted user's sessions
  // must stop at once, every cached session of it.
  void ForgetUser(const std::string& user_id);

 private:
  template <typename T>
  struct Entry {
    T value;
    std::chrono::steady_clock::time_point until;
  };

  const base::Clock* clock_;
  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry<SessionState>> sessions_;              // guarded by mu_
  std::unordered_map<std::string, Entry<std::shared_ptr<const User>>> users_;  // guarded by mu_
};

}  // namespace plinth::auth
