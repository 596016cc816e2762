#include "base/logger.h"

#include "base/json_escape.h"

namespace plinth::base {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LogLevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

std::string FormatLogLine(std::int64_t millis, LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields) {
  std::string line = "{\"ts\":";
  line += std::to_string(millis);
  line += ",\"level\":\"";
  line += LogLevelName(level);
  line += "\",\"msg\":";
  AppendJsonString(&line, msg);
  for (const LogField& f : fields) {
    line += ',';
    AppendJsonString(&line, f.key);
    line += ':';
    if (f.bare) {
      line += f.value;
    } else {
      AppendJsonString(&line, f.value);
    }
  }
  line += '}';
  return line;
}

JsonLinesLogger::JsonLinesLogger(LogLevel min_level, std::FILE* sink, const Clock* clock)
    : min_level_(min_level), sink_(sink), clock_(clock) {}

void JsonLinesLogger::Write(LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields) {
  std::string line = FormatLogLine(clock_->NowMillis(), level, msg, fields);
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), sink_);
  std::fflush(sink_);
}

void CapturingLogger::Write(LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields) {
  std::string line = FormatLogLine(0, level, msg, fields);
  std::lock_guard<std::mutex> lock(mu_);
  lines_.push_back(std::move(line));
}

std::vector<std::string> CapturingLogger::Lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

bool CapturingLogger::Contains(std::string_view needle) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& l : lines_) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

namespace {
class DropLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return false; }
  void Write(LogLevel, std::string_view, std::initializer_list<LogField>) override {}
};
}  // namespace

Logger* NullLogger() {
  static DropLogger logger;
  return &logger;
}

}  // namespace plinth::base
