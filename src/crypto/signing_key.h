#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/result.h"

namespace plinth::crypto {

// The JWS algorithms Plinth signs and verifies tokens with (RFC 7518 §3,
// RFC 8037 for EdDSA, which here always means Ed25519).
enum class JwtAlgorithm { kHS256, kRS256, kEdDSA };

// The JOSE "alg" name: "HS256", "RS256" or "EdDSA".
std::string_view JwtAlgorithmName(JwtAlgorithm algorithm);

// The algorithm named exactly (case-sensitive) `name`; nullopt for any other
// name, including "none".
std::optional<JwtAlgorithm> ParseJwtAlgorithm(std::string_view name);

// SigningKey is one key for one JWS algorithm, with its key id ("kid", may be
// empty). An HS256 key is a shared secret; an RS256 or EdDSA key is an
// OpenSSL EVP_PKEY holding either a private key (signs and verifies) or only
// a public key (verifies only).
//
// Ownership: the key material lives in an immutable implementation object
// shared by every copy (std::shared_ptr), so copies are cheap and share it;
// HMAC secrets are wiped when the last copy goes away.
// Thread-safety: all const methods may run concurrently on the same key and
// on copies. Each Sign/Verify makes its own EVP_MD_CTX (sharing an EVP_PKEY
// for sign/verify is safe in OpenSSL 3), and HMAC copies a context keyed once.
// Failures never include key material in their messages.
class SigningKey {
 public:
  // Minimum HS256 secret length: RFC 7518 §3.2 requires a key at least as
  // long as the hash output (256 bits).
  static constexpr std::size_t kMinHmacSecretBytes = 32;
  // Length of generated HS256 secrets (the SHA-256 block size).
  static constexpr std::size_t kGeneratedHmacSecretBytes = 64;
  // Minimum RS256 modulus (RFC 7518 §3.3).
  static constexpr int kMinRsaBits = 2048;

  // An HS256 key. Fails with kInvalidParameter when `secret` is shorter than
  // kMinHmacSecretBytes.
  static base::Result<SigningKey> Hmac(std::string secret, std::string kid);

  // An RS256 or EdDSA key from PEM text: a private key (PKCS#8 "PRIVATE KEY"
  // or traditional "RSA PRIVATE KEY") can sign and verify, a public key
  // ("PUBLIC KEY", SubjectPublicKeyInfo) can only verify. Encrypted PEM is
  // refused (no passphrase prompt). Fails with kInvalidParameter for HS256,
  // unparsable PEM, a key of another type than `algorithm` needs (RS256:
  // RSA, not RSA-PSS; EdDSA: Ed25519), or an RSA modulus below kMinRsaBits.
  static base::Result<SigningKey> FromPem(JwtAlgorithm algorithm, std::string_view pem,
                                          std::string kid);

  // A new key. HS256 takes kGeneratedHmacSecretBytes from `random`; RS256
  // (2048-bit RSA) and EdDSA (Ed25519) use OpenSSL's own CSPRNG, so `random`
  // does not make them repeatable. kInternal if OpenSSL fails.
  static base::Result<SigningKey> Generate(JwtAlgorithm algorithm, std::string kid,
                                           base::Random& random);

  // The inverse of ExportPrivate(): HS256 takes the base64url secret, RS256
  // and EdDSA a PEM private key (a public key is refused).
  static base::Result<SigningKey> Import(JwtAlgorithm algorithm, std::string_view exported,
                                         std::string kid);

  JwtAlgorithm algorithm() const;
  const std::string& kid() const;
  // False for keys made from a public key only.
  bool can_sign() const;

  // The raw signature of `data` (32 bytes for HS256, the modulus size for
  // RS256 with PKCS#1 v1.5 padding, 64 for Ed25519). kInvalidParameter for a
  // verify-only key, kInternal if OpenSSL fails.
  base::Result<std::string> Sign(std::string_view data) const;

  // Whether `signature` is a valid signature of `data` under this key. HS256
  // compares in constant time.
  bool Verify(std::string_view data, std::string_view signature) const;

  // The key in a form for persistence (it is secret): HS256 the base64url
  // secret, RS256/EdDSA the private key as PKCS#8 PEM. kInvalidParameter for
  // a verify-only key.
  base::Result<std::string> ExportPrivate() const;

  // The public key as SubjectPublicKeyInfo PEM ("PUBLIC KEY"), for RS256 and
  // EdDSA; kInvalidParameter for HS256, which has no public part.
  base::Result<std::string> ExportPublicPem() const;

 private:
  struct Impl;
  explicit SigningKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  std::shared_ptr<const Impl> impl_;  // never null
};

}  // namespace plinth::crypto
