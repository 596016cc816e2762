#include "crypto/password_hash.h"

#include <sodium.h>

#include <map>
#include <mutex>
#include <utility>

namespace plinth::crypto {
namespace {

// sodium_init() must run before any other libsodium call (it picks the
// fastest implementations and seeds the RNG); it is safe to call more than
// once, but call_once makes the cost and the check happen one time.
base::Status EnsureSodium() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  return ok ? base::Status::Ok() : base::Internal("libsodium initialization failed");
}

}  // namespace

base::Status ValidateArgon2Params(const Argon2Params& params) {
  if (params.ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
    return {base::ErrorCode::kInvalidParameter, "argon2 ops limit out of range"};
  }
  if (params.mem_limit_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.mem_limit_bytes > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return {base::ErrorCode::kInvalidParameter, "argon2 memory limit out of range"};
  }
  return base::Status::Ok();
}

base::Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
  PLINTH_RETURN_IF_ERROR(EnsureSodium());
  PLINTH_RETURN_IF_ERROR(ValidateArgon2Params(params));
  if (password.size() > crypto_pwhash_PASSWD_MAX) {
    return base::Status(base::ErrorCode::kInvalidParameter, "password too long");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops_limit,
                            params.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return base::Internal("password hashing failed");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  if (!EnsureSodium().ok()) return false;
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most
  // crypto_pwhash_STRBYTES - 1 characters; a copy supplies the terminator.
  if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (password.size() > crypto_pwhash_PASSWD_MAX) return false;
  std::string hash(encoded_hash);
  if (hash.find('\0') != std::string::npos) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

base::Result<std::string> DummyPasswordHash(const Argon2Params& params) {
  PLINTH_RETURN_IF_ERROR(ValidateArgon2Params(params));
  static std::mutex mu;
  static std::map<std::pair<std::uint64_t, std::size_t>, std::string>* cache =
      new std::map<std::pair<std::uint64_t, std::size_t>, std::string>();  // never destroyed
  std::lock_guard<std::mutex> lock(mu);
  auto key = std::make_pair(params.ops_limit, params.mem_limit_bytes);
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  // The password is irrelevant (the dummy hash is never stored for an
  // account); only the work matters. Hashing under the lock makes concurrent first callers
  // wait for one computation instead of each doing it.
  PLINTH_ASSIGN_OR_RETURN(std::string hash, HashPassword("plinth-dummy-password", params));
  return cache->emplace(key, std::move(hash)).first->second;
}

}  // namespace plinth::crypto
