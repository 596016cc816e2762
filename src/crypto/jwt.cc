#include "crypto/jwt.h"

#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "base/json_escape.h"
#include "crypto/base64url.h"
#include "doc/ejson.h"

namespace plinth::crypto {
namespace {

base::Status Invalid(std::string_view reason) {
  return {base::ErrorCode::kInvalidSession, "invalid token: " + std::string(reason)};
}

// The value of an integral NumericDate claim; nullopt for anything else.
std::optional<std::int64_t> IntegralSeconds(const doc::Value& value) {
  if (const auto* i = value.get_if<std::int32_t>()) return *i;
  if (const auto* l = value.get_if<std::int64_t>()) return *l;
  if (const auto* d = value.get_if<double>()) {
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    constexpr double kLimit = 9223372036854775808.0;
    if (!std::isfinite(*d) || std::trunc(*d) != *d || *d >= kLimit || *d < -kLimit) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*d);
  }
  return std::nullopt;
}

// a + b, saturated to the int64 range (exp and nbf come from the token).
std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

base::Status CheckAudience(const doc::Document& payload, const JwtVerifyOptions& options) {
  if (options.audiences.empty()) return base::Status::Ok();
  const doc::Value* aud = payload.Get("aud");
  if (aud == nullptr) return Invalid("audience mismatch");
  auto wanted = [&](const std::string& a) {
    for (const std::string& expected : options.audiences) {
      if (a == expected) return true;
    }
    return false;
  };
  if (aud->is_string()) {
    return wanted(aud->as_string()) ? base::Status::Ok() : Invalid("audience mismatch");
  }
  if (!aud->is_array()) return Invalid("malformed aud");
  bool found = false;
  for (const doc::Value& v : aud->as_array()) {
    if (!v.is_string()) return Invalid("malformed aud");
    if (wanted(v.as_string())) found = true;
  }
  return found ? base::Status::Ok() : Invalid("audience mismatch");
}

base::Status CheckClaims(const doc::Document& payload, const JwtVerifyOptions& options) {
  const std::int64_t now = options.now_seconds;
  const std::int64_t leeway = options.leeway_seconds > 0 ? options.leeway_seconds : 0;

  if (const doc::Value* exp = payload.Get("exp")) {
    std::optional<std::int64_t> seconds = IntegralSeconds(*exp);
    if (!seconds) return Invalid("malformed exp");
    if (now >= SaturatingAdd(*seconds, leeway)) return Invalid("expired");
  } else if (options.require_exp) {
    return Invalid("missing exp");
  }
  if (const doc::Value* nbf = payload.Get("nbf")) {
    std::optional<std::int64_t> seconds = IntegralSeconds(*nbf);
    if (!seconds) return Invalid("malformed nbf");
    if (SaturatingAdd(now, leeway) < *seconds) return Invalid("not yet valid");
  }
  if (const doc::Value* iat = payload.Get("iat")) {
    if (!IntegralSeconds(*iat)) return Invalid("malformed iat");
  }
  return CheckAudience(payload, options);
}

// Decodes one base64url segment and parses it as a JSON object.
base::Result<doc::Document> DecodeJsonSegment(std::string_view segment, std::string_view what) {
  base::Result<std::string> json = Base64UrlDecode(segment);
  if (!json.ok()) return Invalid(std::string(what) + " is not base64url");
  base::Result<doc::Document> document = doc::ParseJsonDocument(*json);
  if (!document.ok()) return Invalid(std::string(what) + " is not a JSON object");
  return std::move(document).value();
}

}  // namespace

base::Result<std::string> EncodeJwt(std::string_view payload_json, const SigningKey& key) {
  if (!doc::ParseJsonDocument(payload_json).ok()) {
    return base::BadValue("JWT payload must be a JSON object");
  }
  return EncodeJwtOfWrittenJson(payload_json, key);
}

base::Result<std::string> EncodeJwtOfWrittenJson(std::string_view payload_json,
                                                 const SigningKey& key) {
  assert(doc::ParseJsonDocument(payload_json).ok());
  std::string header = R"({"alg":)";
  base::AppendJsonString(&header, JwtAlgorithmName(key.algorithm()));
  if (!key.kid().empty()) {
    header += R"(,"kid":)";
    base::AppendJsonString(&header, key.kid());
  }
  header += R"(,"typ":"JWT"})";

  std::string token;
  // header and payload in base64url, a dot each, and room for a signature.
  token.reserve((header.size() + payload_json.size()) * 4 / 3 + 96);
  AppendBase64Url(&token, header);
  token += '.';
  AppendBase64Url(&token, payload_json);
  PLINTH_ASSIGN_OR_RETURN(std::string signature, key.Sign(token));
  if (signature.empty()) return base::Internal("empty JWT signature");
  token += '.';
  AppendBase64Url(&token, signature);
  if (token.size() > kMaxJwtBytes) {
    return base::Status(base::ErrorCode::kInvalidParameter, "JWT exceeds the size limit");
  }
  return token;
}

base::Result<VerifiedJwt> VerifyJwt(std::string_view token, const JwtVerifyOptions& options) {
  if (token.size() > kMaxJwtBytes) return Invalid("too large");

  // Exactly three segments: header.payload.signature.
  std::size_t first = token.find('.');
  if (first == std::string_view::npos) return Invalid("malformed");
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return Invalid("malformed");
  if (token.find('.', second + 1) != std::string_view::npos) return Invalid("malformed");
  std::string_view signing_input = token.substr(0, second);
  std::string_view header_text = token.substr(0, first);
  std::string_view payload_text = token.substr(first + 1, second - first - 1);
  std::string_view signature_text = token.substr(second + 1);
  if (signature_text.empty()) return Invalid("missing signature");

  PLINTH_ASSIGN_OR_RETURN(doc::Document header, DecodeJsonSegment(header_text, "header"));

  // The algorithm is the server's choice; the header must merely agree.
  const doc::Value* alg = header.Get("alg");
  if (alg == nullptr || !alg->is_string() ||
      alg->as_string() != JwtAlgorithmName(options.algorithm)) {
    return Invalid("unexpected algorithm");
  }
  // RFC 7515 §4.1.11: a recipient must reject "crit" extensions it does not
  // understand, and we understand none.
  if (header.Has("crit")) return Invalid("unsupported critical header");

  base::Result<std::string> signature = Base64UrlDecode(signature_text);
  if (!signature.ok()) return Invalid("signature is not base64url");
  if (signature->empty()) return Invalid("missing signature");

  static const std::vector<SigningKey> kNoKeys;
  const std::vector<SigningKey>& keys = options.keys != nullptr ? *options.keys : kNoKeys;
  bool verified = false;
  if (const doc::Value* kid = header.Get("kid")) {
    if (!kid->is_string()) return Invalid("malformed kid");
    const SigningKey* chosen = nullptr;
    for (const SigningKey& key : keys) {
      if (key.algorithm() == options.algorithm && key.kid() == kid->as_string()) {
        chosen = &key;
        break;
      }
    }
    if (chosen == nullptr) return Invalid("unknown key id");
    verified = chosen->Verify(signing_input, *signature);
  } else {
    for (const SigningKey& key : keys) {
      if (key.algorithm() == options.algorithm && key.Verify(signing_input, *signature)) {
        verified = true;
        break;
      }
    }
  }
  if (!verified) return Invalid("signature mismatch");

  PLINTH_ASSIGN_OR_RETURN(doc::Document payload, DecodeJsonSegment(payload_text, "payload"));
  PLINTH_RETURN_IF_ERROR(CheckClaims(payload, options));
  return VerifiedJwt{std::move(header), std::move(payload)};
}

}  // namespace plinth::crypto
