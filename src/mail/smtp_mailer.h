#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "mail/mailer.h"

namespace plinth::mail {

// Where and how SmtpMailer delivers.
struct SmtpOptions {
  std::string url;       // smtp://host:port (STARTTLS when offered) or smtps://host:port
  std::string from;      // "noreply@example.com" or "App <noreply@example.com>"
  std::string username;  // empty: no AUTH
  std::string password;  // never logged, never put in a Status
  // Limit for one Send as a whole: connect, dialogue and upload.
  std::chrono::milliseconds timeout{10000};
};

// SmtpMailer sends through an SMTP server with libcurl: one easy handle, one
// connection per Send, so concurrent Sends share nothing and it is
// thread-safe. curl_global_init runs once per process, on first construction.
// Dates come from the Clock and Message-IDs from the Random; it owns neither
// and both must outlive it.
// Failures: kInvalidParameter for header injection (CR/LF in to/from/subject),
// kInvalidConfig for a url that is not smtp:// or smtps://, kIoError for
// anything libcurl reports (connection, TLS, AUTH, refused recipient,
// timeout), with curl's text but never the password.
class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(SmtpOptions options, const base::Clock* clock, base::Random* random);

  // Checks what can be checked without a connection (url scheme, from
  // address, header injection in from), for start-up validation.
  static base::Status CheckOptions(const SmtpOptions& options);

  base::Status Send(const MailMessage& message) override;

 private:
  const SmtpOptions options_;
  const base::Clock* const clock_;
  base::Random* const random_;
};

}  // namespace plinth::mail
