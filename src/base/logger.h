#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace plinth::base {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::string_view LogLevelName(LogLevel level);
// Parses "debug", "info", "warn" or "error"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);

// One key/value of a structured log line. Strings are quoted and escaped;
// numbers and booleans are written bare.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)), bare(true) {}
  LogField(std::string_view k, int v) : LogField(k, static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)), bare(true) {}
  LogField(std::string_view k, double v) : key(k), value(std::to_string(v)), bare(true) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), bare(true) {}

  std::string_view key;
  std::string value;
  bool bare = false;
};

// Logger writes structured events. Implementations must be thread-safe.
// Every line is one JSON object: {"ts":..., "level":..., "msg":..., fields...}.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual bool Enabled(LogLevel level) const = 0;
  virtual void Write(LogLevel level, std::string_view msg,
                     std::initializer_list<LogField> fields) = 0;

  void Debug(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kDebug, msg, f);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kInfo, msg, f);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kWarn, msg, f);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kError, msg, f);
  }

 private:
  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> f) {
    if (Enabled(level)) Write(level, msg, f);
  }
};

// Formats one log line (without the trailing newline).
std::string FormatLogLine(std::int64_t millis, LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields);

// Writes JSON lines to a FILE* (stderr by default). A mutex keeps lines whole
// when several threads log at once. Does not own the FILE*.
class JsonLinesLogger final : public Logger {
 public:
  explicit JsonLinesLogger(LogLevel min_level, std::FILE* sink = stderr,
                           const Clock* clock = SystemClock::Default());
  bool Enabled(LogLevel level) const override { return level >= min_level_; }
  void Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) override;

 private:
  const LogLevel min_level_;
  std::FILE* const sink_;
  const Clock* const clock_;
  std::mutex mu_;
};

// Keeps formatted lines in memory, for tests. Thread-safe.
class CapturingLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) override;
  std::vector<std::string> Lines() const;
  // True when some captured line contains `needle`.
  bool Contains(std::string_view needle) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// A logger that drops everything.
Logger* NullLogger();

}  // namespace plinth::base
