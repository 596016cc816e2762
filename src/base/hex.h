#pragma once

#include <cstddef>
#include <string>

namespace plinth::base {

// The value of one hexadecimal digit (either case), or -1 for any other
// character.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `size` bytes as lowercase hex (2 * size characters).
std::string HexEncode(const void* data, std::size_t size);

}  // namespace plinth::base
