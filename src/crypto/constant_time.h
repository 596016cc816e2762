#pragma once

#include <string_view>

namespace plinth::crypto {

// Equality of secrets (MACs, token hashes) whose comparison time must not
// reveal how many leading bytes matched. Free function; thread-safe.
//
// Lengths are compared first and a mismatch returns false at once: lengths of
// MACs and token hashes are public. Equal-length contents are compared with
// CRYPTO_memcmp, whose time depends only on the length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace plinth::crypto
