#pragma once

#include <string_view>

#include "base/result.h"
#include "doc/value.h"
#include "storage/engine.h"

namespace plinth::auth {

// AuthFunctions is how auth/ runs the app's JavaScript functions: the user
// creation function, the local-userpass confirmation and reset functions,
// the custom-function provider's authentication function. functions/
// implements it; auth/ knows nothing of JavaScript.
// Implementations are thread-safe. A call blocks until the function ends, so
// call it from a pool thread, never from an I/O thread.
class AuthFunctions {
 public:
  virtual ~AuthFunctions() = default;
  // Runs the function `name` as the system user with `arguments` and returns
  // what it returned (a returned promise awaited). `store`, when not null,
  // is where the function's context.services calls read and write instead
  // of the app's store: a storage::Stage view, so the writes commit only
  // with the new user (DECISIONS 3). Errors: FunctionNotFound,
  // FunctionExecutionError (the JS error's message),
  // ExecutionTimeLimitExceeded, TooManyRequests.
  virtual base::Result<doc::Value> RunAsSystem(std::string_view name, doc::Array arguments,
                                               storage::Engine* store = nullptr) const = 0;
};

}  // namespace plinth::auth
