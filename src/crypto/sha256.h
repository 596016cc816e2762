#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace plinth::crypto {

// SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104) over OpenSSL's one-shot
// calls. Free functions; no shared state, thread-safe. These calls fail only
// if OpenSSL cannot allocate memory; they abort then rather than hand back a
// digest that is silently wrong.

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);

// The digest as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA-256 of `data` under `key` (any length; RFC 2104 hashes keys longer
// than the block size).
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// HmacKey is HMAC-SHA-256 under one fixed key, keyed once: each Mac() copies
// a prepared context instead of hashing the key and looking the digest up
// again, which was most of an HS256 signature's cost on a ~2 KB token.
//
// Ownership: owns its OpenSSL context; the key bytes are not kept.
// Thread-safety: Mac() may run concurrently (it only reads the prepared
// context); construction and destruction may not overlap a Mac().
class HmacKey {
 public:
  explicit HmacKey(std::string_view key);
  ~HmacKey();
  HmacKey(const HmacKey&) = delete;
  HmacKey& operator=(const HmacKey&) = delete;

  // The same digest as HmacSha256(key, data).
  Sha256Digest Mac(std::string_view data) const;

 private:
  struct Context;
  std::unique_ptr<Context> prepared_;
};

}  // namespace plinth::crypto
