#include "mail/mail_message.h"

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "base/utf8.h"

namespace plinth::mail {
namespace {

// Bytes of raw text per encoded-word: base64 of 45 bytes is 60 characters, and
// "=?UTF-8?B?" + 60 + "?=" is 72, under RFC 2047's 75.
constexpr std::size_t kEncodedWordBytes = 45;
// Longest quoted-printable line, the soft-break "=" included (RFC 2045).
constexpr std::size_t kQpLineLength = 76;
// A header value longer than this is encoded (and so folded) so that
// "Subject: " plus the value stays within kMaxLineLength.
constexpr std::size_t kMaxPlainHeaderText = 900;

void AppendBase64(std::string* out, std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                      (std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                      std::uint32_t{static_cast<unsigned char>(in[i + 2])};
    out->push_back(kAlphabet[(n >> 18) & 63]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->push_back(kAlphabet[(n >> 6) & 63]);
    out->push_back(kAlphabet[n & 63]);
  }
  std::size_t rest = in.size() - i;
  if (rest == 0) return;
  std::uint32_t n = std::uint32_t{static_cast<unsigned char>(in[i])} << 16;
  if (rest == 2) n |= std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
  out->push_back(kAlphabet[(n >> 18) & 63]);
  out->push_back(kAlphabet[(n >> 12) & 63]);
  out->push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
  out->push_back('=');
}

bool NeedsEncoding(std::string_view text) {
  if (text.size() > kMaxPlainHeaderText) return true;
  if (text.find("=?") != std::string_view::npos) return true;  // would read as an encoded-word
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x7f || (u < 0x20 && c != '\t')) return true;
  }
  return false;
}

// Splits on CRLF, lone CR and lone LF. A final line terminator does not start
// another (empty) line.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\r' || text[i] == '\n') {
      lines.push_back(text.substr(start, i - start));
      i += (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      start = i;
    } else {
      ++i;
    }
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

bool FitsSevenBit(const std::vector<std::string_view>& lines) {
  for (std::string_view line : lines) {
    if (line.size() > kMaxLineLength) return false;
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if (u >= 0x80 || u == 0) return false;
    }
  }
  return true;
}

void AppendQuotedPrintableLine(std::string* out, std::string_view line) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto u = static_cast<unsigned char>(line[i]);
    bool last = i + 1 == line.size();
    char token[3];
    std::size_t token_size = 1;
    bool literal = (u >= 33 && u <= 126 && u != '=') || ((u == ' ' || u == '\t') && !last);
    if (literal) {
      token[0] = static_cast<char>(u);
    } else {
      token[0] = '=';
      token[1] = kHex[u >> 4];
      token[2] = kHex[u & 15];
      token_size = 3;
    }
    // Leave room for the soft break's "=" unless this token ends the line.
    std::size_t limit = last ? kQpLineLength : kQpLineLength - 1;
    if (column + token_size > limit) {
      out->append("=\r\n");
      column = 0;
    }
    out->append(token, token_size);
    column += token_size;
  }
  out->append("\r\n");
}

}  // namespace

base::Status CheckHeaderValue(std::string_view name, std::string_view value) {
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return {base::ErrorCode::kInvalidParameter,
            "mail " + std::string(name) + " must not contain line breaks"};
  }
  return base::Status::Ok();
}

std::string_view AddressOf(std::string_view mailbox) {
  std::size_t open = mailbox.rfind('<');
  if (open != std::string_view::npos) {
    std::size_t close = mailbox.find('>', open);
    if (close != std::string_view::npos) return mailbox.substr(open + 1, close - open - 1);
  }
  std::size_t first = mailbox.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  std::size_t last = mailbox.find_last_not_of(" \t");
  return mailbox.substr(first, last - first + 1);
}

std::string FormatDate(std::int64_t unix_seconds) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string EncodeHeaderText(std::string_view text) {
  if (!NeedsEncoding(text)) return std::string(text);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    // Take whole UTF-8 sequences up to kEncodedWordBytes; a byte that starts
    // no valid sequence travels alone.
    std::size_t end = i;
    while (end < text.size()) {
      std::size_t n = base::Utf8SequenceLength(text, end);
      if (n == 0) n = 1;
      if (end + n - i > kEncodedWordBytes) break;
      end += n;
    }
    if (!out.empty()) out.append("\r\n ");
    out.append("=?UTF-8?B?");
    AppendBase64(&out, text.substr(i, end - i));
    out.append("?=");
    i = end;
  }
  return out;
}

base::Result<std::string> FormatMessage(const MailMessage& message, std::string_view from,
                                        std::int64_t unix_seconds, std::string_view message_id) {
  PLINTH_RETURN_IF_ERROR(CheckHeaderValue("to", message.to));
  PLINTH_RETURN_IF_ERROR(CheckHeaderValue("from", from));
  PLINTH_RETURN_IF_ERROR(CheckHeaderValue("subject", message.subject));
  PLINTH_RETURN_IF_ERROR(CheckHeaderValue("message id", message_id));
  if (AddressOf(message.to).empty()) {
    return base::Status(base::ErrorCode::kInvalidParameter, "mail recipient is empty");
  }
  if (AddressOf(from).empty()) {
    return base::Status(base::ErrorCode::kInvalidParameter, "mail sender is empty");
  }

  std::vector<std::string_view> lines = SplitLines(message.text_body);
  bool seven_bit = FitsSevenBit(lines);

  std::string out;
  out.reserve(message.text_body.size() + 512);
  out.append("Date: ").append(FormatDate(unix_seconds)).append("\r\n");
  out.append("From: ").append(from).append("\r\n");
  out.append("To: ").append(message.to).append("\r\n");
  out.append("Subject: ").append(EncodeHeaderText(message.subject)).append("\r\n");
  out.append("Message-ID: <").append(message_id).append(">\r\n");
  out.append("MIME-Version: 1.0\r\n");
  out.append("Content-Type: text/plain; charset=utf-8\r\n");
  out.append("Content-Transfer-Encoding: ")
      .append(seven_bit ? "7bit" : "quoted-printable")
      .append("\r\n");
  out.append("\r\n");
  for (std::string_view line : lines) {
    if (seven_bit) {
      out.append(line).append("\r\n");
    } else {
      AppendQuotedPrintableLine(&out, line);
    }
  }
  return out;
}

}  // namespace plinth::mail
