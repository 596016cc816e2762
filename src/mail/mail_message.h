#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "mail/mailer.h"

namespace plinth::mail {

// Building the RFC 5322 text of a MailMessage, apart from sending it so it can
// be tested byte for byte. Pure functions; thread-safe.

// Longest line RFC 5322 allows, without its CRLF.
inline constexpr std::size_t kMaxLineLength = 998;

// kInvalidParameter when `value` (the header `name`) holds CR, LF or NUL,
// which would let it add headers of its own.
base::Status CheckHeaderValue(std::string_view name, std::string_view value);

// The bare address of "addr" or "Display Name <addr>": what goes into the
// SMTP envelope (MAIL FROM / RCPT TO).
std::string_view AddressOf(std::string_view mailbox);

// "Tue, 14 Nov 2023 22:13:20 +0000": RFC 5322 date-time, in UTC.
std::string FormatDate(std::int64_t unix_seconds);

// `text` as itself when it is printable ASCII that fits a header line,
// otherwise as RFC 2047 encoded-words (=?UTF-8?B?...?=, at most 75
// characters each, never splitting a UTF-8 sequence), folded with CRLF SP.
std::string EncodeHeaderText(std::string_view text);

// The complete message, headers and body, with CRLF line endings and no
// terminating "." line (libcurl dot-stuffs and terminates the DATA itself):
//   Date, From, To, Subject, Message-ID, MIME-Version: 1.0,
//   Content-Type: text/plain; charset=utf-8,
//   Content-Transfer-Encoding: 7bit when the body is ASCII with no line
//   longer than kMaxLineLength, otherwise quoted-printable (so no relay
//   needs 8BITMIME).
// `message_id` is the id without angle brackets ("abc@example.com").
// Fails with kInvalidParameter on CR/LF/NUL in `to`, `from` or `subject`,
// or an empty `to` or `from`.
base::Result<std::string> FormatMessage(const MailMessage& message, std::string_view from,
                                        std::int64_t unix_seconds, std::string_view message_id);

}  // namespace plinth::mail
