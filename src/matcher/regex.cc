#include "matcher/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace plinth::matcher {

base::Status Regex::CheckOptions(std::string_view options) {
  for (char c : options) {
    if (c != 'i' && c != 'm' && c != 's' && c != 'x' && c != 'u') {
      return base::BadValue(std::string("invalid flag in regex options: ") + c);
    }
  }
  return base::Status::Ok();
}

base::Result<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern,
                                                          std::string_view options) {
  PLINTH_RETURN_IF_ERROR(CheckOptions(options));
  if (pattern.find('\0') != std::string_view::npos) {
    return base::BadValue("Regular expression cannot contain an embedded null byte");
  }
  std::uint32_t flags = PCRE2_UTF;
  for (char c : options) {
    if (c == 'i') flags |= PCRE2_CASELESS;
    if (c == 'm') flags |= PCRE2_MULTILINE;
    if (c == 's') flags |= PCRE2_DOTALL;
    if (c == 'x') flags |= PCRE2_EXTENDED;
  }
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   flags, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error, buffer, sizeof(buffer));
    return base::BadValue(
        "Regular expression is invalid: " + std::string(reinterpret_cast<const char*>(buffer)) +
        " at offset " + std::to_string(offset));
  }
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  if (context == nullptr) {
    pcre2_code_free(code);
    return base::Internal("out of memory compiling a regular expression");
  }
  pcre2_set_match_limit(context, kMatchLimit);
  pcre2_set_depth_limit(context, kDepthLimit);
  pcre2_set_heap_limit(context, kHeapLimitKiB);
  std::shared_ptr<Regex> regex(new Regex());
  regex->pattern_ = std::string(pattern);
  regex->options_ = std::string(options);
  regex->code_ = code;
  regex->match_context_ = context;
  return std::shared_ptr<const Regex>(std::move(regex));
}

Regex::~Regex() {
  pcre2_match_context_free(static_cast<pcre2_match_context*>(match_context_));
  pcre2_code_free(static_cast<pcre2_code*>(code_));
}

bool Regex::Matches(std::string_view subject) const {
  const auto* code = static_cast<const pcre2_code*>(code_);
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
  if (data == nullptr) return false;
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                       data, static_cast<pcre2_match_context*>(match_context_));
  pcre2_match_data_free(data);
  return rc >= 0;
}

}  // namespace plinth::matcher
