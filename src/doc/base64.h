#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace plinth::doc {

// Standard base64 (RFC 4648 §4, alphabet A-Z a-z 0-9 + /), as Extended JSON
// uses for $binary payloads. Free functions; thread-safe.

// Encodes with '=' padding.
std::string Base64Encode(std::string_view bytes);

// Decodes padded or unpadded input. Returns nullopt for characters outside
// the alphabet, misplaced padding or an impossible length. No whitespace.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace plinth::doc
