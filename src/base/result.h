#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "base/status.h"

namespace plinth::base {

// Result<T> holds either a T or a non-OK Status; the way every function that
// can fail returns a value across a folder boundary. Accessing value() on an
// error is a programming mistake and asserts.
// Not thread-safe to mutate; a const Result may be read from several threads.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an OK status without a value");
    if (status_.ok()) status_ = Status(ErrorCode::kInternal, "Result without value");
  }
  Result(ErrorCode code, std::string message) : Result(Status(code, std::move(message))) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;  // OK whenever value_ is set
  std::optional<T> value_;
};

}  // namespace plinth::base

#define PLINTH_CONCAT_INNER_(a, b) a##b
#define PLINTH_CONCAT_(a, b) PLINTH_CONCAT_INNER_(a, b)

// PLINTH_ASSIGN_OR_RETURN(auto x, Compute()); returns Compute()'s status on error.
#define PLINTH_ASSIGN_OR_RETURN(lhs, expr) \
  PLINTH_ASSIGN_OR_RETURN_IMPL_(PLINTH_CONCAT_(plinth_result_, __LINE__), lhs, expr)
#define PLINTH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
