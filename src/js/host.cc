#include "js/host.h"

#include <string>

namespace plinth::js {

base::Result<doc::Value> NullHost::Invoke(std::string_view method, const doc::Array&) {
  return base::Status(base::ErrorCode::kServiceCommandNotFound,
                      "'" + std::string(method) + "' is not available here");
}

}  // namespace plinth::js
