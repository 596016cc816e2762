#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace plinth::cli {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0").
// Port 0 asks the kernel for a free port.
base::Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace plinth::cli
