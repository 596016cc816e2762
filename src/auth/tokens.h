#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/key_ring.h"
#include "auth/token_claims.h"
#include "auth/verified_token_cache.h"
#include "base/clock.h"
#include "base/result.h"
#include "config/plinth_settings.h"
#include "crypto/jwt.h"
#include "doc/value.h"

namespace plinth::auth {

// TokenService mints and verifies one app's JWTs (client-api §6).
//   access:  {baas_device_id, baas_domain_id, baas_id, exp, iat, iss, sub,
//             typ: "access", user_data?}
//   refresh: {baas_id, exp, iat, iss, sub, typ: "refresh"}
// `iss` is the app id (the P/auth routes carry no app id, DECISIONS 4),
// `baas_id` the session id, `sub` the user id. Verification checks the
// signature with the app's KeyRing under the configured algorithm, exp/nbf
// against the Clock, the type, and the issuer. It does not look at the
// session or the user: that is the caller's (AuthService) job.
//
// Tokens that verified once are remembered (VerifiedTokenCache) so the
// signature is not checked again on every request with the same token.
//
// Thread-safe. Does not own the clock.
class TokenService {
 public:
  // Tokens longer than this are refused before any parsing.
  static constexpr std::size_t kMaxTokenBytes = crypto::kMaxJwtBytes;

  TokenService(std::string app_id, KeyRing keys, const config::TokenSettings& settings,
               const base::Clock* clock);

  const std::string& app_id() const { return app_id_; }
  // A stable 24-hex id derived from the app id (profile `domain_id`,
  // `baas_domain_id`).
  const std::string& domain_id() const { return domain_id_; }
  std::int64_t access_lifetime_seconds() const { return access_lifetime_; }
  std::int64_t refresh_lifetime_seconds() const { return refresh_lifetime_; }

  // `user_data` null: no claim (DECISIONS 1). `omitted_user_data_bytes` > 0
  // says the user has a custom data document of that many bytes that was
  // left out for its size: the token then carries it as the
  // `plinth_user_data_omitted` claim (docs/custom-user-data.md).
  base::Result<std::string> MintAccess(std::string_view user_id, std::string_view session_id,
                                       std::string_view device_id, const doc::Document* user_data,
                                       std::int64_t omitted_user_data_bytes = 0) const;
  // The same with the claim already encoded (UserDataClaimJson); empty: no
  // claim.
  base::Result<std::string> MintAccessWithClaim(std::string_view user_id,
                                                std::string_view session_id,
                                                std::string_view device_id,
                                                std::string_view user_data_json,
                                                std::int64_t omitted_user_data_bytes = 0) const;
  base::Result<std::string> MintRefresh(std::string_view user_id, std::string_view session_id,
                                        std::int64_t expires_at) const;

  // kInvalidSession for anything wrong with the token itself; the message
  // says what, briefly, and never echoes the token.
  base::Result<TokenClaims> Verify(std::string_view token, TokenType expected) const;

  // The token's `iss` claim, NOT verified: only to pick the app whose keys
  // then verify it.
  static std::optional<std::string> PeekIssuer(std::string_view token);

  // Whether this service verified exactly `token` before and it has not
  // expired: the token is this app's, found without decoding it.
  bool Remembers(std::string_view token) const;

 private:
  std::string app_id_;
  std::string domain_id_;
  KeyRing keys_;
  std::int64_t access_lifetime_;
  std::int64_t refresh_lifetime_;
  const base::Clock* clock_;
  mutable VerifiedTokenCache verified_;
};

// The user_data claim's encoding (DECISIONS 1): relaxed EJSON, except that
// dates are {"$date":{"$numberLong":"..."}} because realm-core cannot read
// the ISO form.
std::string UserDataClaimJson(const doc::Document& user_data);

}  // namespace plinth::auth
