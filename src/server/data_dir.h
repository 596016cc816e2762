#pragma once

#include <filesystem>
#include <memory>

#include "base/result.h"

namespace plinth::server {

// DataDir is the embedded store's home: created on first use with owner-only
// permissions, and locked (flock on `LOCK`) so that two `plinth serve`
// processes can never write one directory at once. The lock is held for the
// object's lifetime. Not thread-safe; owned by the Server.
class DataDir {
 public:
  static base::Result<std::unique_ptr<DataDir>> Open(const std::filesystem::path& path);
  ~DataDir();
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  DataDir(std::filesystem::path path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}
  std::filesystem::path path_;
  int lock_fd_;
};

}  // namespace plinth::server
