#pragma once

#include "base/logger.h"
#include "mail/mailer.h"

namespace plinth::mail {

// LogMailer is the development mail sink: instead of sending, it writes one
// info line {"msg":"mail (log sink)","to":...,"subject":...,"body":...}
// through the Logger. The body holds confirmation and reset links, so this is
// for development only; the server warns at start when it is in use.
// Does not own the Logger, which must outlive it. Thread-safe (Logger is).
class LogMailer final : public Mailer {
 public:
  explicit LogMailer(base::Logger* logger) : logger_(logger) {}

  // Logs the message. Refuses CR/LF in `to` or `subject` (kInvalidParameter)
  // so it behaves like SmtpMailer.
  base::Status Send(const MailMessage& message) override;

 private:
  base::Logger* const logger_;
};

}  // namespace plinth::mail
