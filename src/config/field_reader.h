#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/logger.h"
#include "config/config_error.h"
#include "doc/value.h"

namespace plinth::config {

// Internal to config/: the typed, error-collecting reading of config files that
// every part parser (root_config.cc, auth_providers.cc, ...) shares.
//
// FileDiagnostics is where the findings about one file go: errors are appended
// to a vector owned by the caller, warnings go to the logger with the file and
// field. FieldReader walks one JSON object of that file: each typed getter marks
// its key as known, reports a type error naming the dotted field path, and
// WarnUnknownKeys() logs whatever the parser never asked for.
//
// JSON `null` for an optional field counts as absent (exports sometimes write
// null for "not set"); for a required field it is "is required".
//
// Neither class owns what it points at; both live on the stack of one parse.
// Not thread-safe.

// "string", "number", "boolean", "object", "array", "null", or the BSON type
// name for EJSON-only types; used in "expected X, got Y" messages.
std::string_view JsonTypeName(const doc::Value& value);

class FileDiagnostics {
 public:
  // `errors` must outlive this object; `logger` may be null (logs are dropped).
  FileDiagnostics(std::string file, std::vector<ConfigError>* errors, base::Logger* logger);

  const std::string& file() const { return file_; }
  base::Logger* logger() const { return logger_; }

  void Error(std::string field, std::string message);
  // Logged at warn with {file, field}; never fails the load.
  void Warn(std::string_view field, std::string_view message);
  void UnknownKey(std::string_view field);
  // Errors reported through this object so far.
  std::size_t error_count() const { return error_count_; }

 private:
  std::string file_;
  std::vector<ConfigError>* errors_;
  base::Logger* logger_;
  std::size_t error_count_ = 0;
};

enum class Presence { kOptional, kRequired };

// `prefix.key`, or `key` when prefix is empty.
std::string JoinField(std::string_view prefix, std::string_view key);
// `prefix[index]`.
std::string IndexField(std::string_view prefix, std::size_t index);

class FieldReader {
 public:
  // Reports "expected an object" at `path` when `value` is not a document; the
  // reader then yields nothing (ok() is false).
  FieldReader(const doc::Value& value, std::string path, FileDiagnostics* diag);

  bool ok() const { return doc_ != nullptr; }
  const std::string& path() const { return path_; }
  FileDiagnostics* diag() const { return diag_; }
  std::string FieldOf(std::string_view key) const { return JoinField(path_, key); }

  // The raw value of `key` (nullptr when absent or null), marking it known.
  // A missing required key is reported.
  const doc::Value* Get(std::string_view key, Presence presence = Presence::kOptional);
  bool Has(std::string_view key) const;

  // Typed getters: nullopt when absent or of the wrong type (the latter reported).
  std::optional<std::string> String(std::string_view key, Presence p = Presence::kOptional);
  std::optional<bool> Bool(std::string_view key, Presence p = Presence::kOptional);
  // Int32, Int64, or a Double with an integral value.
  std::optional<std::int64_t> Int(std::string_view key, Presence p = Presence::kOptional);
  std::optional<doc::Document> Object(std::string_view key, Presence p = Presence::kOptional);
  std::optional<std::vector<std::string>> StringArray(std::string_view key,
                                                      Presence p = Presence::kOptional);
  // A rule expression: a boolean literal or a document, kept as is.
  std::optional<doc::Value> Expression(std::string_view key, Presence p = Presence::kOptional);

  // A reader over the object at `key`. Absent (and optional): a reader with
  // ok() false and nothing reported. Present but not an object: reported.
  FieldReader Child(std::string_view key, Presence p = Presence::kOptional);

  // Assign-if-present helpers: leave *out (its default) untouched otherwise.
  void Read(std::string_view key, std::string* out, Presence p = Presence::kOptional);
  void Read(std::string_view key, bool* out, Presence p = Presence::kOptional);
  void Read(std::string_view key, std::int64_t* out, Presence p = Presence::kOptional);
  void Read(std::string_view key, std::vector<std::string>* out, Presence p = Presence::kOptional);
  void Read(std::string_view key, doc::Document* out, Presence p = Presence::kOptional);
  // Reads an integer that must lie in [min, max]; reports it otherwise.
  void ReadInRange(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t* out);

  // Marks keys as known without reading them (accepted and ignored).
  void Ignore(std::initializer_list<std::string_view> keys);
  // Logs every key no getter asked for, at warn.
  void WarnUnknownKeys();

 private:
  FieldReader(std::string path, FileDiagnostics* diag) : path_(std::move(path)), diag_(diag) {}
  void TypeError(std::string_view key, std::string_view expected, const doc::Value& got);

  const doc::Document* doc_ = nullptr;
  std::string path_;
  FileDiagnostics* diag_;
  std::vector<std::string> known_;
};

}  // namespace plinth::config
