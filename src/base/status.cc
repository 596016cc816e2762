#include "base/status.h"

namespace plinth::base {

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(ErrorCodeSymbol(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(code_, std::move(message));
}

}  // namespace plinth::base
