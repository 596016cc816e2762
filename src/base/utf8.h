#pragma once

#include <cstddef>
#include <string_view>

namespace plinth::base {

// Length of the valid UTF-8 sequence starting at s[i]: shortest form only,
// no surrogates, at most U+10FFFF. 0 when the bytes there are not one.
// REQUIRES: i < s.size().
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

// Whether all of `s` is valid UTF-8 by the rules above.
bool IsValidUtf8(std::string_view s);

}  // namespace plinth::base
