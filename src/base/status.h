#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/error_code.h"

namespace plinth::base {

// Status is the outcome of an operation that returns nothing else: OK, or an
// ErrorCode with a message meant for the client. Internal detail (paths, SQL,
// engine messages) belongs in the log, not in the message.
// A Status is a value: copyable, movable, not thread-safe to mutate.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidSession: access token expired", for logs and test failures.
  std::string ToString() const;

  // Returns a copy whose message is `context + ": " + message`.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Convenience constructors for the most common codes.
inline Status BadValue(std::string message) { return {ErrorCode::kBadValue, std::move(message)}; }
inline Status Internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }
inline Status NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }

}  // namespace plinth::base

// Returns early from the enclosing function when `expr` is not OK. The
// temporary's name is unique per use, so uses can nest (a lambda passed to
// RunTransaction inside the macro's own argument).
#define PLINTH_RETURN_IF_ERROR(expr) \
  PLINTH_RETURN_IF_ERROR_IMPL_(PLINTH_STATUS_CONCAT_(plinth_status_, __COUNTER__), expr)
#define PLINTH_RETURN_IF_ERROR_IMPL_(tmp, expr) \
  do {                                          \
    ::plinth::base::Status tmp = (expr);        \
    if (!tmp.ok()) return tmp;                  \
  } while (0)
#define PLINTH_STATUS_CONCAT_(a, b) PLINTH_STATUS_CONCAT_INNER_(a, b)
#define PLINTH_STATUS_CONCAT_INNER_(a, b) a##b
