#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error_code.h"
#include "base/status.h"

namespace plinth::http {

// Response is what a handler returns: status, header fields and a complete
// body. The session adds Content-Length, Connection and X-Request-Id; handlers
// never set those.
//
// Ownership: owns its data. A value type; not thread-safe to mutate.
struct Response {
  // The exact Content-Type of every JSON body (client-api §1.4: realm-core
  // compares the header value for equality, so no charset parameter).
  static constexpr std::string_view kJsonContentType = "application/json";

  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Deferred is how a handler answers later, off the I/O thread: it is
  // called once, on the I/O thread, with a `done` callback, and must make
  // sure `done` is called exactly once, from any thread, with the real
  // response (password hashing runs on its own pool this way; ARCHITECTURE
  // "Threading"). The connection waits without a read deadline meanwhile,
  // so whoever runs the work bounds it.
  using Done = std::function<void(Response)>;
  using Deferred = std::function<void(Done done)>;
  // Set by Later(); when set, the other fields are ignored.
  Deferred deferred;

  // Not sent. The error code when this response carries an error envelope
  // (for metrics and logs), and for 5xx the internal message the client does
  // not see, so the session can log it next to the request id.
  base::ErrorCode error_code = base::ErrorCode::kOk;
  std::string error_detail;

  // A JSON body with `Content-Type: application/json` exactly.
  static Response Json(int status, std::string body);
  // No body and no Content-Type (client-api §1.4: realm-web fails to parse an
  // empty body labelled as JSON).
  static Response Empty(int status);
  // A body with the given Content-Type.
  static Response Text(int status, std::string_view content_type, std::string body);
  // The App Services error envelope {"error":"...","error_code":"..."} with
  // status HttpStatusOf(code). For 5xx codes the client sees only "internal
  // server error"; the status's message goes to error_detail for the log.
  // An OK status is a programming mistake and yields a 500.
  static Response Error(const base::Status& status);

  // A response produced later by `work` (see Deferred).
  static Response Later(Deferred work);

  // Replaces every field named `name` (case-insensitive) with one field.
  void SetHeader(std::string_view name, std::string_view value);
  // Appends a field, keeping existing ones of the same name.
  void AddHeader(std::string_view name, std::string_view value);
  // The first field named `name` (case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
};

}  // namespace plinth::http
