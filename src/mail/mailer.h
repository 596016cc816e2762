#pragma once

#include <string>

#include "base/status.h"

namespace plinth::mail {

// One plain-text message to one recipient, as the user/password provider
// sends them (confirmation and password-reset mail). `to` is an address
// ("user@example.com") or a display form ("User <user@example.com>").
// REQUIRES (checked by every Mailer): no CR or LF in `to` or `subject`.
struct MailMessage {
  std::string to;
  std::string subject;
  std::string text_body;  // UTF-8; any line ending, sent as CRLF
};

// Mailer is the seam for outbound mail (DECISIONS 17). Real implementation:
// SmtpMailer (libcurl SMTP); development sink: LogMailer; tests may supply
// their own. Implementations must be thread-safe.
class Mailer {
 public:
  virtual ~Mailer() = default;
  // Sends one message; blocking (callers run it off the I/O threads).
  // Thread-safe. A non-OK Status may carry server detail: log it, do not
  // show it to clients (its codes map to HTTP 4xx/5xx as usual).
  virtual base::Status Send(const MailMessage& message) = 0;
};

}  // namespace plinth::mail
