#include "crypto/sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <climits>
#include <cstddef>
#include <cstdlib>

#include "base/hex.h"

namespace plinth::crypto {
namespace {

// OpenSSL 3's one-shot SHA256() and HMAC() look their algorithm up by name
// on every call, which was a tenth of a token refresh's CPU; fetched once
// here, the algorithm objects are immutable and safe to share between
// threads (each call still makes its own context).
EVP_MD* Sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  // These only fail on allocation failure inside OpenSSL; there is no
  // sensible recovery from that, and a zero digest would be a silent hazard.
  EVP_MD* md = Sha256Algorithm();
  if (md == nullptr ||
      EVP_Digest(data.data(), data.size(), digest.data(), &length, md, nullptr) != 1 ||
      length != digest.size()) {
    std::abort();
  }
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Digest digest = Sha256(data);
  return base::HexEncode(digest.data(), digest.size());
}

namespace {

// A context of HMAC-SHA-256 keyed with `key`; aborts when OpenSSL fails, as
// the one-shot calls do.
EVP_MAC_CTX* KeyedHmacContext(std::string_view key) {
  // EVP_MAC_init takes any key length, but RFC 2104 replaces a key longer
  // than the block size by its hash; for absurd lengths do that ourselves.
  Sha256Digest hashed_key{};
  if (key.size() > static_cast<std::size_t>(INT_MAX)) {
    hashed_key = Sha256(key);
    key = std::string_view(reinterpret_cast<const char*>(hashed_key.data()), hashed_key.size());
  }
  // A zero-length key is legal for HMAC; pass a valid pointer regardless.
  static const unsigned char kEmpty = 0;
  const auto* key_ptr = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  EVP_MAC* algorithm = HmacAlgorithm();
  EVP_MAC_CTX* ctx = algorithm == nullptr ? nullptr : EVP_MAC_CTX_new(algorithm);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_MAC_init(ctx, key_ptr, key.size(), params) != 1) std::abort();
  return ctx;
}

// Feeds `data` to a keyed context and finishes the MAC.
Sha256Digest FinishMac(EVP_MAC_CTX* ctx, std::string_view data) {
  Sha256Digest mac{};
  std::size_t out = 0;
  const bool ok =
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
      EVP_MAC_final(ctx, mac.data(), &out, mac.size()) == 1 && out == mac.size();
  if (!ok) std::abort();
  return mac;
}

}  // namespace

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = KeyedHmacContext(key);
  Sha256Digest mac = FinishMac(ctx, data);
  EVP_MAC_CTX_free(ctx);
  return mac;
}

struct HmacKey::Context {
  EVP_MAC_CTX* ctx = nullptr;
};

HmacKey::HmacKey(std::string_view key) : prepared_(std::make_unique<Context>()) {
  prepared_->ctx = KeyedHmacContext(key);
}

HmacKey::~HmacKey() { EVP_MAC_CTX_free(prepared_->ctx); }

Sha256Digest HmacKey::Mac(std::string_view data) const {
  // The copy carries the keyed inner and outer states; the prepared context
  // itself is never updated, so concurrent callers only read it.
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(prepared_->ctx);
  if (ctx == nullptr) std::abort();
  Sha256Digest mac = FinishMac(ctx, data);
  EVP_MAC_CTX_free(ctx);
  return mac;
}

}  // namespace plinth::crypto
