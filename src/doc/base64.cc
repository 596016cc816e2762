#include "doc/base64.h"

#include <cstdint>

namespace plinth::doc {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

void AppendBase64(std::string* out, std::string_view bytes, Base64Alphabet alphabet) {
  const char* table = alphabet == Base64Alphabet::kStandard ? kAlphabet : kUrlAlphabet;
  const bool pad = alphabet == Base64Alphabet::kStandard;
  const std::size_t whole = bytes.size() / 3;
  const std::size_t rest = bytes.size() - whole * 3;
  const std::size_t tail = rest == 0 ? 0 : (pad ? 4 : rest + 1);
  // Sized once and written through a pointer: tokens of a few KB are encoded
  // on every refresh, and appending a character at a time was measurable.
  const std::size_t at = out->size();
  out->resize(at + whole * 4 + tail);
  char* o = out->data() + at;
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t g = 0; g < whole; ++g, in += 3) {
    const std::uint32_t n =
        static_cast<std::uint32_t>(in[0]) << 16 | static_cast<std::uint32_t>(in[1]) << 8 | in[2];
    *o++ = table[n >> 18 & 63];
    *o++ = table[n >> 12 & 63];
    *o++ = table[n >> 6 & 63];
    *o++ = table[n & 63];
  }
  if (rest == 0) return;
  std::uint32_t n = static_cast<std::uint32_t>(in[0]) << 16;
  if (rest == 2) n |= static_cast<std::uint32_t>(in[1]) << 8;
  *o++ = table[n >> 18 & 63];
  *o++ = table[n >> 12 & 63];
  if (rest == 2) {
    *o++ = table[n >> 6 & 63];
  } else if (pad) {
    *o++ = '=';
  }
  if (pad) *o++ = '=';
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  AppendBase64(&out, bytes);
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  // Strip up to two '=' of padding; the rest must be alphabet characters.
  std::size_t padding = 0;
  while (padding < 2 && !text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++padding;
  }
  if (padding > 0 && (text.size() + padding) % 4 != 0) return std::nullopt;
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int d = DecodeChar(c);
    if (d < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xFF);
    }
  }
  return out;
}

}  // namespace plinth::doc
