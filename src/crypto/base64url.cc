#include "crypto/base64url.h"

#include <cstddef>

#include "doc/base64.h"

namespace plinth::crypto {
namespace {

// The 6-bit value of a URL-safe alphabet character, or -1.
int UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  AppendBase64Url(&out, bytes);
  return out;
}

void AppendBase64Url(std::string* out, std::string_view bytes) {
  doc::AppendBase64(out, bytes, doc::Base64Alphabet::kUrlUnpadded);
}

base::Result<std::string> Base64UrlDecode(std::string_view text) {
  // Padding, if present, must bring the length to a multiple of four.
  std::size_t padding = 0;
  while (padding < 2 && !text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++padding;
  }
  if (padding > 0 && (text.size() + padding) % 4 != 0) {
    return base::BadValue("invalid base64url: bad padding");
  }
  if (text.size() % 4 == 1) return base::BadValue("invalid base64url: impossible length");

  // Validate against the URL alphabet here (the standard decoder would accept
  // '+' and '/'), then translate and let the standard decoder do the bits.
  std::string standard(text);
  for (char& c : standard) {
    if (UrlValue(c) < 0) return base::BadValue("invalid base64url: bad character");
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    }
  }
  // A trailing group of 2 characters carries 8 bits of 12, of 3 carries 16 of
  // 18: the remaining low bits must be zero for the encoding to be canonical.
  if (!text.empty()) {
    int last = UrlValue(text.back());
    if (text.size() % 4 == 2 && (last & 0x0F) != 0) {
      return base::BadValue("invalid base64url: non-zero trailing bits");
    }
    if (text.size() % 4 == 3 && (last & 0x03) != 0) {
      return base::BadValue("invalid base64url: non-zero trailing bits");
    }
  }
  std::optional<std::string> decoded = doc::Base64Decode(standard);
  if (!decoded) return base::BadValue("invalid base64url");
  return std::move(*decoded);
}

}  // namespace plinth::crypto
