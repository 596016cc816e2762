#include "auth/tokens.h"

#include "base/error_code.h"
#include "crypto/base64url.h"
#include "crypto/jwt.h"
#include "crypto/sha256.h"
#include "doc/ejson.h"

namespace plinth::auth {
namespace {

std::int64_t NowSeconds(const base::Clock* clock) { return clock->NowMillis() / 1000; }

base::Status Invalid(std::string why) {
  return base::Status(base::ErrorCode::kInvalidSession, "invalid session: " + std::move(why));
}

std::string_view TypeName(TokenType type) {
  return type == TokenType::kAccess ? "access" : "refresh";
}

// Dates become {"$date":{"$numberLong":"..."}} documents so the relaxed
// writer emits them in the canonical form.
doc::Value CanonicalDates(const doc::Value& v) {
  if (v.type() == doc::Type::kDate) {
    return doc::Document{
        {"$date", doc::Document{{"$numberLong", std::to_string(v.as_date().millis)}}}};
  }
  if (v.is_document()) {
    doc::Document out;
    for (const auto& [name, value] : v.as_document()) out.Append(name, CanonicalDates(value));
    return out;
  }
  if (v.is_array()) {
    doc::Array out;
    for (const doc::Value& item : v.as_array()) out.Append(CanonicalDates(item));
    return out;
  }
  return v;
}

std::int64_t IntClaim(const doc::Document& payload, std::string_view name) {
  const doc::Value* v = payload.Get(name);
  if (v == nullptr) return 0;
  if (v->type() == doc::Type::kInt32) return v->as_int32();
  if (v->type() == doc::Type::kInt64) return v->as_int64();
  return 0;
}

}  // namespace

std::string UserDataClaimJson(const doc::Document& user_data) {
  return doc::ToRelaxedJson(CanonicalDates(doc::Value(user_data)));
}

TokenService::TokenService(std::string app_id, KeyRing keys, const config::TokenSettings& settings,
                           const base::Clock* clock)
    : app_id_(std::move(app_id)),
      domain_id_(crypto::Sha256Hex(app_id_).substr(0, 24)),
      keys_(std::move(keys)),
      access_lifetime_(settings.access_token_lifetime_seconds),
      refresh_lifetime_(settings.refresh_token_lifetime_seconds),
      clock_(clock) {}

base::Result<std::string> TokenService::MintAccess(std::string_view user_id,
                                                   std::string_view session_id,
                                                   std::string_view device_id,
                                                   const doc::Document* user_data,
                                                   std::int64_t omitted_user_data_bytes) const {
  return MintAccessWithClaim(user_id, session_id, device_id,
                             user_data != nullptr ? UserDataClaimJson(*user_data) : std::string(),
                             omitted_user_data_bytes);
}

base::Result<std::string> TokenService::MintAccessWithClaim(
    std::string_view user_id, std::string_view session_id, std::string_view device_id,
    std::string_view user_data_json, std::int64_t omitted_user_data_bytes) const {
  const std::int64_t now = NowSeconds(clock_);
  doc::Document claims{{"baas_device_id", std::string(device_id)},
                       {"baas_domain_id", domain_id_},
                       {"baas_id", std::string(session_id)},
                       {"exp", now + access_lifetime_},
                       {"iat", now},
                       {"iss", app_id_},
                       {"sub", std::string(user_id)},
                       {"typ", "access"}};
  if (omitted_user_data_bytes > 0) {
    claims.Append("plinth_user_data_omitted", omitted_user_data_bytes);
  }
  std::string json = doc::ToRelaxedJson(claims);
  if (!user_data_json.empty()) {
    // Spliced in as text: the claim has its own encoding.
    json.pop_back();
    json += ",\"user_data\":";
    json += user_data_json;
    json += '}';
  }
  return crypto::EncodeJwtOfWrittenJson(json, keys_.signer());
}

base::Result<std::string> TokenService::MintRefresh(std::string_view user_id,
                                                    std::string_view session_id,
                                                    std::int64_t expires_at) const {
  doc::Document claims{{"baas_id", std::string(session_id)}, {"exp", expires_at},
                       {"iat", NowSeconds(clock_)},          {"iss", app_id_},
                       {"sub", std::string(user_id)},        {"typ", "refresh"}};
  return crypto::EncodeJwtOfWrittenJson(doc::ToRelaxedJson(claims), keys_.signer());
}

base::Result<TokenClaims> TokenService::Verify(std::string_view token, TokenType expected) const {
  if (token.size() > kMaxTokenBytes) return Invalid("token too long");
  const std::int64_t now = NowSeconds(clock_);
  if (std::optional<TokenClaims> seen = verified_.Find(token, now);
      seen && seen->type == expected) {
    return *seen;
  }
  crypto::JwtVerifyOptions options;
  options.keys = &keys_.keys();
  options.algorithm = keys_.algorithm();
  options.now_seconds = now;
  base::Result<crypto::VerifiedJwt> jwt = crypto::VerifyJwt(token, options);
  if (!jwt.ok()) {
    if (jwt.status().code() == base::ErrorCode::kInvalidSession) {
      // realm-web's refresh-and-retry keys on this wording for expiry.
      return base::Status(base::ErrorCode::kInvalidSession,
                          "invalid session: " + jwt.status().message());
    }
    return Invalid("malformed token");
  }
  const doc::Document& p = jwt->payload;
  if (doc::StringFieldOrEmpty(p, "typ") != TypeName(expected)) {
    return Invalid(expected == TokenType::kAccess ? "an access token is required"
                                                  : "a refresh token is required");
  }
  if (doc::StringFieldOrEmpty(p, "iss") != app_id_) {
    return base::Status(base::ErrorCode::kUserAppDomainMismatch,
                        "token was issued for another app");
  }
  TokenClaims claims;
  claims.type = expected;
  claims.app_id = app_id_;
  claims.user_id = doc::StringFieldOrEmpty(p, "sub");
  claims.session_id = doc::StringFieldOrEmpty(p, "baas_id");
  claims.device_id = doc::StringFieldOrEmpty(p, "baas_device_id");
  claims.issued_at = IntClaim(p, "iat");
  claims.expires_at = IntClaim(p, "exp");
  if (claims.user_id.empty() || claims.session_id.empty()) return Invalid("token lacks claims");
  verified_.Add(token, claims);
  return claims;
}

bool TokenService::Remembers(std::string_view token) const {
  return verified_.Find(token, NowSeconds(clock_)).has_value();
}

std::optional<std::string> TokenService::PeekIssuer(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return std::nullopt;
  std::size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  base::Result<std::string> payload =
      crypto::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload.ok()) return std::nullopt;
  base::Result<doc::Document> claims = doc::ParseJsonDocument(*payload);
  if (!claims.ok()) return std::nullopt;
  const doc::Value* iss = claims->Get("iss");
  if (iss == nullptr || !iss->is_string()) return std::nullopt;
  return iss->as_string();
}

}  // namespace plinth::auth
