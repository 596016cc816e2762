#pragma once

#include <string>
#include <string_view>

namespace plinth::base {

// Appends `s` to `out` as a quoted JSON string. Control characters become
// \uXXXX escapes; bytes that are not valid UTF-8 become U+FFFD, so whatever a
// client sent can be echoed into a log line or error message safely.
void AppendJsonString(std::string* out, std::string_view s);

// The same, returned as a new string.
std::string JsonString(std::string_view s);

}  // namespace plinth::base
