#include "base/error_code.h"

#include <iterator>

namespace plinth::base {
namespace {

constexpr ErrorCodeInfo kTable[] = {
#define X(name, number, app_code, http) \
  {ErrorCode::name, std::string_view(#name).substr(1), app_code, http},
#include "base/error_codes.inc"
#undef X
};

const ErrorCodeInfo* Find(ErrorCode code) {
  for (const auto& row : kTable) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  const ErrorCodeInfo* row = Find(code);
  return row ? row->app_code : std::string_view("InternalServerError");
}

std::string_view ErrorCodeSymbol(ErrorCode code) {
  const ErrorCodeInfo* row = Find(code);
  return row ? row->symbol : std::string_view("Unknown");
}

int HttpStatusOf(ErrorCode code) {
  const ErrorCodeInfo* row = Find(code);
  return row ? row->http_status : 500;
}

const ErrorCodeInfo* AllErrorCodes(std::size_t* count) {
  *count = std::size(kTable);
  return kTable;
}

}  // namespace plinth::base
