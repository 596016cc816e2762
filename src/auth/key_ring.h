#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "config/plinth_settings.h"
#include "config/secrets.h"
#include "crypto/signing_key.h"

namespace plinth::auth {

// KeyRing is the set of keys one app signs and verifies its tokens with.
// The first key signs; every key verifies (matched by the token's `kid`), so
// adding a new key in front rotates without logging anyone out. All keys use
// the algorithm configured in plinth.json (tokens.signing_algorithm): the
// algorithm is never taken from a token (DECISIONS 4).
//
// Keys come from secrets named in tokens.signing_key_secrets (the secret's
// name is the kid), or, when none are named, from <data>/keys/<app_id>.json:
// generated on first start, written with owner-only permissions, and reused
// on every later start. When the configured algorithm changes, a new key of
// that algorithm is generated and put first; tokens signed with the old
// algorithm stop verifying (their users log in again).
//
// Immutable after Load; thread-safe.
class KeyRing {
 public:
  static base::Result<KeyRing> Load(const std::filesystem::path& data_dir, std::string_view app_id,
                                    const config::TokenSettings& settings,
                                    const config::Secrets& secrets, base::Random& random);

  // <data>/keys/<app_id>.json
  static std::filesystem::path KeyFile(const std::filesystem::path& data_dir,
                                       std::string_view app_id);

  crypto::JwtAlgorithm algorithm() const { return algorithm_; }
  const crypto::SigningKey& signer() const { return keys_.front(); }
  const std::vector<crypto::SigningKey>& keys() const { return keys_; }

 private:
  KeyRing(crypto::JwtAlgorithm algorithm, std::vector<crypto::SigningKey> keys)
      : algorithm_(algorithm), keys_(std::move(keys)) {}

  crypto::JwtAlgorithm algorithm_;
  std::vector<crypto::SigningKey> keys_;  // never empty
};

}  // namespace plinth::auth
