#include "config/names.h"

#include <cstddef>

namespace plinth::config {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_' || c == '-'; }

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Length and charset shared by most rules.
std::string CheckCharsAndLength(std::string_view what, std::string_view name,
                                std::size_t max_length) {
  if (name.empty()) return std::string(what) + " must not be empty";
  if (name.size() > max_length) {
    return std::string(what) + " " + Quoted(name) + " is longer than " +
           std::to_string(max_length) + " characters";
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return std::string(what) + " " + Quoted(name) +
             " may contain only ASCII letters, digits, '_' and '-'";
    }
  }
  return "";
}

}  // namespace

std::string CheckAppName(std::string_view name) {
  std::string problem = CheckCharsAndLength("app name", name, 32);
  if (!problem.empty()) return problem;
  if (!IsAsciiLetter(name[0])) return "app name " + Quoted(name) + " must start with a letter";
  return "";
}

std::string CheckClientAppId(std::string_view id) { return CheckCharsAndLength("app_id", id, 64); }

std::string CheckComponentName(std::string_view name) {
  return CheckCharsAndLength("name", name, 64);
}

std::string CheckValueName(std::string_view name) {
  std::string problem = CheckCharsAndLength("name", name, 64);
  if (!problem.empty()) return problem;
  if (!IsAsciiLetter(name[0]) && !IsAsciiDigit(name[0])) {
    return "name " + Quoted(name) + " must start with a letter or a digit";
  }
  return "";
}

std::string CheckFunctionName(std::string_view name) {
  if (name.empty()) return "function name must not be empty";
  std::size_t start = 0;
  while (true) {
    std::size_t slash = name.find('/', start);
    std::string_view segment = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) {
      return "function name " + Quoted(name) + " has an empty path segment";
    }
    for (char c : segment) {
      if (!IsNameChar(c)) {
        return "function name " + Quoted(name) +
               " may contain only ASCII letters, digits, '_', '-' and '/'";
      }
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return "";
}

std::string CheckRequestOrigin(std::string_view origin) {
  const std::string expected = " is not of the form <scheme>://<host>[:port]";
  std::size_t sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return Quoted(origin) + expected;
  std::string_view scheme = origin.substr(0, sep);
  if (!IsAsciiLetter(scheme[0])) return Quoted(origin) + expected;
  for (char c : scheme) {
    if (!IsAsciiLetter(c) && !IsAsciiDigit(c) && c != '+' && c != '-' && c != '.') {
      return Quoted(origin) + expected;
    }
  }
  std::string_view rest = origin.substr(sep + 3);
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest[0] == '[') {  // IPv6 literal
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return Quoted(origin) + expected;
    host = rest.substr(0, close + 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Quoted(origin) + expected;
      port = after.substr(1);
      if (port.empty()) return Quoted(origin) + expected;
    }
  } else {
    std::size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return Quoted(origin) + expected;
    }
    for (char c : host) {
      if (!IsAsciiLetter(c) && !IsAsciiDigit(c) && c != '-' && c != '.' && c != '_') {
        return Quoted(origin) + expected;
      }
    }
  }
  if (host.empty()) return Quoted(origin) + expected;
  if (!port.empty()) {
    if (port.size() > 5) return Quoted(origin) + expected;
    int value = 0;
    for (char c : port) {
      if (!IsAsciiDigit(c)) return Quoted(origin) + expected;
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return Quoted(origin) + ": port must be 1-65535";
  }
  return "";
}

}  // namespace plinth::config
