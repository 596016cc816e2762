#include "mail/smtp_mailer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "mail/mail_message.h"

namespace plinth::mail {
namespace {

// curl_global_init is not thread-safe and must run once, before any handle.
CURLcode GlobalInitOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The upload: libcurl pulls the formatted message through this.
struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* upload = static_cast<Upload*>(userdata);
  std::size_t n = std::min(size * nitems, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Replaces every occurrence of `secret` in `text`, should a server or curl
// ever echo it.
std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "***");
    at += 3;
  }
  return text;
}

// The message's domain for Message-ID: the sender's, or a fixed one.
std::string_view DomainOf(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return "plinth.invalid";
  return address.substr(at + 1);
}

}  // namespace

SmtpMailer::SmtpMailer(SmtpOptions options, const base::Clock* clock, base::Random* random)
    : options_(std::move(options)), clock_(clock), random_(random) {
  GlobalInitOnce();
}

base::Status SmtpMailer::CheckOptions(const SmtpOptions& options) {
  if (!StartsWith(options.url, "smtp://") && !StartsWith(options.url, "smtps://")) {
    return {base::ErrorCode::kInvalidConfig, "mail url must start with smtp:// or smtps://"};
  }
  PLINTH_RETURN_IF_ERROR(CheckHeaderValue("from", options.from));
  if (AddressOf(options.from).empty()) {
    return {base::ErrorCode::kInvalidConfig, "mail from address is empty"};
  }
  if (options.timeout.count() <= 0) {
    return {base::ErrorCode::kInvalidConfig, "mail timeout must be positive"};
  }
  return base::Status::Ok();
}

base::Status SmtpMailer::Send(const MailMessage& message) {
  PLINTH_RETURN_IF_ERROR(CheckOptions(options_));
  std::string message_id = random_->Hex(16) + "@" + std::string(DomainOf(AddressOf(options_.from)));
  std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->Now().time_since_epoch()).count();
  PLINTH_ASSIGN_OR_RETURN(std::string text, FormatMessage(message, options_.from, now, message_id));

  if (CURLcode init = GlobalInitOnce(); init != CURLE_OK) {
    return {base::ErrorCode::kInternal,
            std::string("mail: curl_global_init failed: ") + curl_easy_strerror(init)};
  }
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return {base::ErrorCode::kInternal, "mail: curl_easy_init failed"};

  std::string mail_from(AddressOf(options_.from));
  std::string rcpt(AddressOf(message.to));
  curl_slist* raw_rcpt = curl_slist_append(nullptr, rcpt.c_str());
  if (raw_rcpt == nullptr) return {base::ErrorCode::kInternal, "mail: out of memory"};
  std::unique_ptr<curl_slist, SlistDeleter> recipients(raw_rcpt);

  Upload upload{text, 0};
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURL* h = curl.get();
  long timeout_ms = static_cast<long>(options_.timeout.count());
  // Every option below is valid for this libcurl; a failure here would be a
  // programming error, which the first curl_easy_perform reports anyway.
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  if (StartsWith(options_.url, "smtp://")) {
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  }
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);

  CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return base::Status::Ok();

  std::string detail = "mail: SMTP send failed: ";
  detail += curl_easy_strerror(rc);
  if (error_buffer[0] != '\0') {
    detail += ": ";
    detail += error_buffer;
  }
  long response = 0;
  if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response) == CURLE_OK && response != 0) {
    detail += " (SMTP " + std::to_string(response) + ")";
  }
  return {base::ErrorCode::kIoError, Redact(std::move(detail), options_.password)};
}

}  // namespace plinth::mail
