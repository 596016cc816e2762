#include "crypto/sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <climits>
#include <cstddef>
#include <cstdlib>

#include "base/hex.h"

namespace plinth::crypto {

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  // SHA256() only fails on allocation failure inside OpenSSL; there is no
  // sensible recovery from that, and a zero digest would be a silent hazard.
  if (SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data()) ==
      nullptr) {
    std::abort();
  }
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Digest digest = Sha256(data);
  return base::HexEncode(digest.data(), digest.size());
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest mac{};
  unsigned int length = 0;
  // HMAC() takes an int key length. RFC 2104 replaces a key longer than the
  // block size by its hash, so doing that ourselves for absurdly long keys
  // gives the same MAC.
  Sha256Digest hashed_key{};
  if (key.size() > static_cast<std::size_t>(INT_MAX)) {
    hashed_key = Sha256(key);
    key = std::string_view(reinterpret_cast<const char*>(hashed_key.data()), hashed_key.size());
  }
  // One-shot HMAC() keeps no state between calls, so concurrent use is safe.
  // A zero-length key is legal for HMAC; pass a valid pointer regardless.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
           &length) == nullptr ||
      length != mac.size()) {
    std::abort();
  }
  return mac;
}

}  // namespace plinth::crypto
