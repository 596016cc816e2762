#include "auth/verified_token_cache.h"

namespace plinth::auth {

std::optional<TokenClaims> VerifiedTokenCache::Find(std::string_view token,
                                                    std::int64_t now_seconds) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return std::nullopt;
  // The same rule as crypto::VerifyJwt: expired at exp.
  if (it->second.expires_at <= now_seconds) return std::nullopt;
  return it->second;
}

void VerifiedTokenCache::Add(std::string_view token, const TokenClaims& claims) {
  std::lock_guard<std::mutex> lock(mu_);
  if (bytes_ + token.size() > kMaxBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  if (entries_.emplace(std::string(token), claims).second) bytes_ += token.size();
}

}  // namespace plinth::auth
