#pragma once

#include <filesystem>
#include <memory>

#include "auth/auth_service.h"
#include "base/logger.h"
#include "base/result.h"

namespace plinth::server {

// OperatorContext is what an operator command (`plinth users ...`) works
// through: one app loaded and checked as `plinth serve` would, the data
// directory's store and secrets, and the app's AuthService, built by the
// same BuildAppServices. It takes no data-directory lock, so it can run
// while a server uses the directory: SQLite serializes the writes, and the
// server sees the changes once its state cache entries expire
// (plinth.json tokens.state_cache_ms).
//
// Owns everything it built. Not thread-safe: one command at a time.
class OperatorContext {
 public:
  // `logger` is not owned and must outlive the context. Fails like
  // `plinth serve` on an invalid app, and with kIoError when the data
  // directory does not exist.
  static base::Result<std::unique_ptr<OperatorContext>> Open(const std::filesystem::path& app_dir,
                                                             const std::filesystem::path& data_dir,
                                                             base::Logger* logger);
  ~OperatorContext();

  auth::AuthService& auth();

 private:
  struct Parts;
  explicit OperatorContext(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace plinth::server
