#pragma once

#include <string>
#include <string_view>

namespace plinth::config {

// The naming rules App Services enforces on the things an app defines
// (app-config §1). Each Check* returns "" when `name` is acceptable, otherwise
// a message saying what is wrong (it quotes the name, never anything secret).
// Stateless; thread-safe.

// App name: 1-32 ASCII letters, digits, '_' and '-', starting with a letter.
std::string CheckAppName(std::string_view name);
// Client app id ("myapp-abcde"): 1-64 ASCII letters, digits, '_' and '-'.
std::string CheckClientAppId(std::string_view id);
// Data source and trigger names: 1-64 ASCII letters, digits, '_' and '-'.
std::string CheckComponentName(std::string_view name);
// Value and secret names: 1-64 ASCII letters, digits, '_' and '-', starting
// with a letter or a digit.
std::string CheckValueName(std::string_view name);
// Function names: '/'-separated segments, each 1+ ASCII letters, digits, '_'
// and '-' (so a name maps to a path under functions/ and can never escape it).
std::string CheckFunctionName(std::string_view name);
// Allowed request origin: `<scheme>://<host>[:port]`, nothing after.
std::string CheckRequestOrigin(std::string_view origin);

}  // namespace plinth::config
