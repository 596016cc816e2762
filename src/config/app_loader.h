#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "base/logger.h"
#include "base/result.h"
#include "config/app_config.h"
#include "config/config_error.h"

namespace plinth::config {

// Loading an app directory in App Services' export format (app-config §1):
// the root_config.json (20230101) and realm_config.json (20210101) layouts,
// plus Plinth's optional plinth.json. Legacy layouts (config.json,
// stitch.json) are refused with a message on how to convert.
//
// Every file is read and checked before the verdict, so the result lists all
// problems at once, each with the file (relative to `dir`), the dotted field
// and what is wrong. Unknown keys, and directories Plinth does not serve
// (sync/, graphql/, hosting/, http_endpoints/, https_endpoints/,
// log_forwarders/, .mdb/), are tolerated and logged (warn and debug).
// What is checked here and what at server start: app_validator.h.
//
// `logger` may be null. Reads the file system only; thread-safe for distinct
// arguments. Never throws.

// The full outcome: `app` is set exactly when `errors` is empty.
struct LoadResult {
  std::optional<AppConfig> app;
  std::vector<ConfigError> errors;

  bool ok() const { return errors.empty(); }
};

LoadResult LoadAppCollectingErrors(const std::filesystem::path& dir, base::Logger* logger);

// The same as one Result: on failure, kInvalidConfig whose message is
// "invalid app config (N errors):" followed by one error per line.
base::Result<AppConfig> LoadApp(const std::filesystem::path& dir, base::Logger* logger);

// Files larger than this are refused (a config file, or one function source).
inline constexpr std::uintmax_t kMaxConfigFileBytes = 16 * 1024 * 1024;

}  // namespace plinth::config
