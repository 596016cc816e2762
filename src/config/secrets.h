#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace plinth::config {

// Secrets holds the values of an app's secrets (DECISIONS 16): custom JWT
// signing keys, values with from_secret, and anything else config files refer
// to by secret name. They come from `secrets.json` in the DATA directory (not
// the app directory, which is meant to be committed): a JSON object mapping
// secret name to string value. The file must be readable by its owner only
// (chmod 600); Load refuses it otherwise. An environment variable
// `PLINTH_SECRET_<NAME>` (name upper-cased, every character other than
// A-Z/0-9 replaced by '_') overrides the file's entry, and can supply a secret
// the file lacks.
//
// Values never appear in any message this class produces (errors, logs,
// Describe()); only names and where they came from. Callers must keep it so.
//
// Thread-safety: const methods may run concurrently; Set/Remove/Save need
// external synchronization (they are for the `plinth secrets` command).
class Secrets {
 public:
  // Environment variable name -> value; only PLINTH_SECRET_* entries matter.
  using Environment = std::map<std::string, std::string, std::less<>>;

  enum class Source { kNone, kFile, kEnvironment };

  Secrets() = default;

  // Reads <data_dir>/secrets.json (an absent file means no file secrets) and
  // captures PLINTH_SECRET_* from the process environment. Errors:
  // kInvalidConfig for a group/other-accessible file, malformed JSON or a
  // non-string value; kIoError when the file cannot be read.
  static base::Result<Secrets> Load(const std::filesystem::path& data_dir);
  // Same, with an explicit environment instead of the process's (tests).
  static base::Result<Secrets> Load(const std::filesystem::path& data_dir, Environment env);

  // <data_dir>/secrets.json
  static std::filesystem::path FilePath(const std::filesystem::path& data_dir);
  // "PLINTH_SECRET_" + upper-cased name with non-alphanumerics as '_'.
  static std::string EnvVarName(std::string_view name);

  // The value: the environment override if set, otherwise the file's entry.
  std::optional<std::string> Get(std::string_view name) const;
  // Like Get, but a missing secret is kNotFound with a message naming the
  // secret and its environment variable.
  base::Result<std::string> Require(std::string_view name) const;
  Source SourceOf(std::string_view name) const;
  // Names stored in the file, sorted.
  std::vector<std::string> FileNames() const;
  // "name (file)", "name (environment)" lines for `plinth secrets list`; never values.
  std::string Describe(const std::vector<std::string>& names) const;

  // Adds or replaces a file entry (in memory). The name must follow the value
  // naming rules (names.h) and the value must be valid UTF-8.
  base::Status Set(std::string name, std::string value);
  // Removes a file entry; false when there was none.
  bool Remove(std::string_view name);
  // Writes the file entries (not environment overrides) to
  // <data_dir>/secrets.json atomically (temporary file, fsync, rename) with
  // mode 0600, creating data_dir (mode 0700) if needed.
  base::Status Save(const std::filesystem::path& data_dir) const;

 private:
  std::map<std::string, std::string, std::less<>> file_;
  Environment env_;
};

}  // namespace plinth::config
