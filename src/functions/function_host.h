#pragma once

#include <string>
#include <string_view>

#include "js/host.h"
#include "services/data_access.h"
#include "services/data_caller.h"

namespace plinth::functions {

class FunctionRuntime;

// FunctionHost serves one call's `context.*` requests (js/host.h methods),
// bound to the identity the call runs as: MongoDB actions go through
// services::DataAccess as that caller (under rules unless it is the
// system), context.functions.execute runs the callee as the same caller,
// context.values/services read the app's configuration. context.http is
// refused: Plinth makes no outbound requests.
// Borrows the runtime, which outlives every call. Called only on the JS
// thread running the call (re-entrantly for nested calls).
class FunctionHost final : public js::Host {
 public:
  FunctionHost(const FunctionRuntime* runtime, const services::DataAccess* data,
               services::DataCaller caller, std::string request_id)
      : runtime_(runtime),
        data_(data),
        caller_(std::move(caller)),
        request_id_(std::move(request_id)) {}

  base::Result<doc::Value> Invoke(std::string_view method, const doc::Array& args) override;

 private:
  const FunctionRuntime* runtime_;
  const services::DataAccess* data_;
  services::DataCaller caller_;
  std::string request_id_;
};

}  // namespace plinth::functions
