#pragma once

#include <string>
#include <vector>

namespace plinth::config {

// ConfigError is one problem found while loading an app directory: which file,
// which field inside it, and what is wrong. The loader collects every error of
// every file before giving up, so a user can fix them all in one pass.
// Value type; thread-compatible.
struct ConfigError {
  // Path relative to the app directory with '/' separators
  // ("auth/providers.json"); empty when the error is about the directory itself.
  std::string file;
  // Dotted path inside the file ("local-userpass.config.autoConfirm",
  // "roles[0].apply_when"); empty when the error is about the whole file.
  std::string field;
  std::string message;

  // "auth/providers.json: local-userpass.config.autoConfirm: expected a boolean, got string".
  std::string ToString() const;

  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

// One ToString() per line, no trailing newline.
std::string FormatConfigErrors(const std::vector<ConfigError>& errors);

}  // namespace plinth::config
