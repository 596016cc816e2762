#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace plinth::crypto {

// Argon2id password hashing (RFC 9106) over libsodium, producing and reading
// the standard encoded form "$argon2id$v=19$m=<KiB>,t=<ops>,p=1$<salt>$<hash>"
// (interchangeable with libargon2's). Free functions; thread-safe.
//
// Cost: at the default parameters one hash takes about 13 ms of CPU and
// mem_limit_bytes of memory, so callers run hashing on a bounded pool, off
// the I/O threads, and rate-limit it (BUILD-NOTES).

// Argon2id cost parameters. The parallelism is fixed at 1 by libsodium.
// Defaults: OWASP's minimum recommendation (m = 19 MiB, t = 2, p = 1).
struct Argon2Params {
  std::uint64_t ops_limit = 2;                     // iterations (t)
  std::size_t mem_limit_bytes = 19 * 1024 * 1024;  // memory in bytes (libargon2's m is KiB)
};

// OK when both parameters lie within libsodium's Argon2id bounds
// (crypto_pwhash_argon2id_{OPS,MEM}LIMIT_{MIN,MAX}); kInvalidParameter
// otherwise.
base::Status ValidateArgon2Params(const Argon2Params& params);

// Hashes `password` with a fresh random salt. kInvalidParameter for bad
// params or a password beyond libsodium's maximum length, kInternal when
// libsodium fails (out of memory).
base::Result<std::string> HashPassword(std::string_view password, const Argon2Params& params);

// Whether `password` matches `encoded_hash` (as HashPassword returns; Argon2i
// hashes are read too). False for a malformed hash. Costs what the hash's own
// parameters say.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

// A hash of a fixed password with `params`, for spending the same work on an
// unknown user as on a wrong password (so timing does not reveal which
// accounts exist). Computed once per distinct params and cached for the life
// of the process; safe to call from several threads. Fails like HashPassword.
base::Result<std::string> DummyPasswordHash(const Argon2Params& params);

}  // namespace plinth::crypto
