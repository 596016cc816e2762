#include "http/request.h"

#include <cctype>

#include "base/hex.h"

namespace plinth::http {
namespace {

// Percent-decodes `in` into `out`. In query strings '+' stands for a space.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // fewer than two hex digits follow
      int hi = base::HexDigitValue(in[i + 1]);
      int lo = base::HexDigitValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char decoded = static_cast<char>(hi * 16 + lo);
      // An encoded NUL has no legitimate use and confuses C APIs downstream.
      if (decoded == '\0') return false;
      out->push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string_view> Request::QueryParam(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

base::Status ParseRequestTarget(std::string_view target, std::string* path,
                                std::multimap<std::string, std::string>* query) {
  path->clear();
  query->clear();
  if (target == "*") {
    *path = "*";
    return base::Status::Ok();
  }
  // absolute-form: a server must accept it (RFC 9112 §3.2.2); we drop the
  // scheme and authority and keep the rest.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (StartsWithIgnoreCase(target, scheme)) {
      std::string_view rest = target.substr(scheme.size());
      std::size_t slash = rest.find_first_of("/?");
      if (slash == std::string_view::npos) {
        target = "/";
      } else if (rest[slash] == '?') {
        // "http://host?x" has an empty path, which means "/".
        return ParseRequestTarget("/" + std::string(rest.substr(slash)), path, query);
      } else {
        target = rest.substr(slash);
      }
      break;
    }
  }
  if (target.empty() || target.front() != '/') {
    return {base::ErrorCode::kBadRequest, "invalid request target"};
  }
  std::size_t hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);

  std::size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (!PercentDecode(raw_path, /*plus_is_space=*/false, path)) {
    return {base::ErrorCode::kBadRequest, "invalid percent-encoding in request path"};
  }
  if (question == std::string_view::npos) return base::Status::Ok();

  std::string_view raw_query = target.substr(question + 1);
  std::string key;
  std::string value;
  while (!raw_query.empty()) {
    std::size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!PercentDecode(raw_key, true, &key) || !PercentDecode(raw_value, true, &value)) {
      return {base::ErrorCode::kBadRequest, "invalid percent-encoding in query string"};
    }
    query->emplace(std::move(key), std::move(value));
  }
  return base::Status::Ok();
}

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsHttpTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace plinth::http
