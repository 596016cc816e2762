#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace plinth::crypto {

// Base64url (RFC 4648 §5, alphabet A-Z a-z 0-9 - _), the encoding of JWT
// segments (RFC 7515 §2). Free functions; stateless and thread-safe.

// Encodes without '=' padding, as JWTs require.
std::string Base64UrlEncode(std::string_view bytes);
// The same, appended to `*out`.
void AppendBase64Url(std::string* out, std::string_view bytes);

// Decodes unpadded text; correct '=' padding is tolerated. Fails with
// kBadValue for characters outside the URL-safe alphabet (including '+' and
// '/'), misplaced or excess padding, an impossible length (len % 4 == 1), and
// non-zero bits in the last character's unused low bits, so that every byte
// string has exactly one accepted encoding (no signature malleability).
base::Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace plinth::crypto
