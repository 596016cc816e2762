#pragma once

#include <cstdint>
#include <string_view>

namespace plinth::base {

// ErrorCode names every failure Plinth reports. The rows live in
// error_codes.inc; this header only turns them into an enum and lookups.
// Thread-safe: everything here is constant data.
enum class ErrorCode : std::uint16_t {
#define X(name, number, app_code, http) name = number,
#include "base/error_codes.inc"
#undef X
};

// The App Services `error_code` string clients see ("" for kOk).
std::string_view ErrorCodeName(ErrorCode code);
// The symbolic C++ name without the leading k ("InvalidSession"), for logs.
std::string_view ErrorCodeSymbol(ErrorCode code);
// The HTTP status a response carrying this code uses.
int HttpStatusOf(ErrorCode code);

// One row of the table, for documentation and tests.
struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view symbol;
  std::string_view app_code;
  int http_status;
};
// All rows in table order.
const ErrorCodeInfo* AllErrorCodes(std::size_t* count);

}  // namespace plinth::base
