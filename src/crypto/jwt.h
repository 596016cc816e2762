#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/signing_key.h"
#include "doc/value.h"

namespace plinth::crypto {

// JSON Web Tokens in JWS compact serialization (RFC 7519, RFC 7515):
// base64url(header) "." base64url(payload) "." base64url(signature).
// Free functions; reentrant and thread-safe (SigningKey is).
//
// Time comes only from JwtVerifyOptions::now_seconds, never from a clock, so
// callers pass their base::Clock's time and tests are exact.

// Tokens longer than this are rejected before any decoding. Plinth's own
// access and refresh tokens are well under 2 KiB; the bound keeps parse work
// on unauthenticated input small.
inline constexpr std::size_t kMaxJwtBytes = 16 * 1024;

// Signs `payload_json` with `key` and returns the compact token. The header is
// {"alg":"<name>","kid":"<kid>","typ":"JWT"} ("kid" left out when the key's
// kid is empty). The payload text is used verbatim, because some claims need
// special EJSON encodings that only the caller knows; it must parse as a JSON
// object (kBadValue otherwise). Fails like SigningKey::Sign, and with
// kInvalidParameter when the token would exceed kMaxJwtBytes.
base::Result<std::string> EncodeJwt(std::string_view payload_json, const SigningKey& key);

// EncodeJwt for a payload the caller wrote itself from documents, so that it
// is a JSON object by construction: the parse that checks it is skipped (it
// was a fifth of minting a token with ~1 KB of custom user data). Debug
// builds still check, and abort on a payload that is not an object.
base::Result<std::string> EncodeJwtOfWrittenJson(std::string_view payload_json,
                                                 const SigningKey& key);

// What VerifyJwt checks against.
struct JwtVerifyOptions {
  // The candidate keys. REQUIRES: non-null and alive during the call.
  const std::vector<SigningKey>* keys = nullptr;
  // The only algorithm accepted. It is never taken from the token.
  JwtAlgorithm algorithm = JwtAlgorithm::kHS256;
  // The current time, seconds since the Unix epoch.
  std::int64_t now_seconds = 0;
  // Clock skew tolerated for exp and nbf. Negative values count as 0.
  std::int64_t leeway_seconds = 0;
  // Whether a token without "exp" is rejected.
  bool require_exp = true;
  // Empty: "aud" is not checked. Otherwise the token's "aud" (a string or an
  // array of strings) must contain at least one of these.
  std::vector<std::string> audiences;
};

// The decoded parts of a token whose signature and claims checked out.
struct VerifiedJwt {
  doc::Document header;
  doc::Document payload;
};

// Verifies `token` and returns its header and payload. Every failure is
// kInvalidSession with a short message ("invalid token: expired", ...) that
// never contains the token or key material.
//
// Rejected: more than kMaxJwtBytes; not exactly three segments; an empty
// signature; a segment that is not canonical base64url; a header or payload
// that is not a JSON object; a header "alg" other than the name of
// options.algorithm (so "none" and HS256/RS256 confusion fail); a "crit"
// header (we understand no extensions); a "kid" that is not a string or names
// no key of options.algorithm. Without "kid", each key of options.algorithm is
// tried. The signature is checked before any claim, so forged tokens learn
// nothing about claim checks. Then: "exp" missing (when require_exp), not an
// integral number, or now >= exp + leeway; "nbf" not an integral number or
// now + leeway < nbf; "iat" not an integral number; "aud" as described for
// JwtVerifyOptions::audiences. Integral numbers are Int32, Int64, or a Double
// with no fraction within the Int64 range (RFC 7519's NumericDate allows
// fractions; Plinth never issues them).
base::Result<VerifiedJwt> VerifyJwt(std::string_view token, const JwtVerifyOptions& options);

}  // namespace plinth::crypto
