#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace plinth::doc {

// Standard base64 (RFC 4648 §4, alphabet A-Z a-z 0-9 + /), as Extended JSON
// uses for $binary payloads. Free functions; thread-safe.

// The two alphabets of RFC 4648: standard (§4) with '=' padding, and URL-safe
// (§5: '-' and '_' for '+' and '/') without padding, as JWT segments use.
enum class Base64Alphabet { kStandard, kUrlUnpadded };

// Appends the encoding of `bytes` to `*out`.
void AppendBase64(std::string* out, std::string_view bytes,
                  Base64Alphabet alphabet = Base64Alphabet::kStandard);

// Encodes with '=' padding.
std::string Base64Encode(std::string_view bytes);

// Decodes padded or unpadded input. Returns nullopt for characters outside
// the alphabet, misplaced padding or an impossible length. No whitespace.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace plinth::doc
