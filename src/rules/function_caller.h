#pragma once

#include <string_view>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::rules {

struct EvalContext;

// FunctionCaller is how a `%function` operator reaches the app's functions
// (functions/ implements it; rules/ knows nothing of JavaScript). The
// function runs as the user the expression is evaluated for (ctx.user,
// with ctx.request), private functions included (app-config §5).
// Implementations are thread-safe; Call may block until the function ends.
class FunctionCaller {
 public:
  virtual ~FunctionCaller() = default;
  // The function's return value, or its error (the expression is then false).
  virtual base::Result<doc::Value> Call(std::string_view name, const doc::Array& arguments,
                                        const EvalContext& ctx) const = 0;
};

}  // namespace plinth::rules
