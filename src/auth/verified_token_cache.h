#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/token_claims.h"

namespace plinth::auth {

// VerifiedTokenCache remembers tokens whose signature and claims have been
// verified, so a client that sends the same access token with every request
// (all of them do, for up to its lifetime) pays for the HMAC and the claim
// parsing once, not per request. Keyed by the whole token text, never by a
// hash of it: a lookup is a byte-for-byte comparison, so no forged token can
// collide with a cached one. What the cache cannot know is checked by the
// caller every time: expiry (Find takes the current time) and the session
// and user state (AuthService's state cache).
//
// Bounded by kMaxBytes of token text; when full it is emptied at once (a
// burst of new tokens costs one re-verification each). Keys are only
// replaced at restart, so entries never outlive the key that signed them.
// Thread-safe.
class VerifiedTokenCache {
 public:
  static constexpr std::size_t kMaxBytes = 4 * 1024 * 1024;

  // The claims of `token` if it was verified before and has not expired at
  // `now_seconds`.
  std::optional<TokenClaims> Find(std::string_view token, std::int64_t now_seconds) const;
  void Add(std::string_view token, const TokenClaims& claims);

 private:
  // Looked up by string_view, so a request's token is not copied to find it.
  struct TokenHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view token) const {
      return std::hash<std::string_view>{}(token);
    }
  };

  mutable std::mutex mu_;
  std::unordered_map<std::string, TokenClaims, TokenHash, std::equal_to<>>
      entries_;            // guarded by mu_
  std::size_t bytes_ = 0;  // guarded by mu_
};

}  // namespace plinth::auth
