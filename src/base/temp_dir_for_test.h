#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace plinth::base {

// Test-only: a fresh directory under the system temp dir, removed with its
// contents on destruction. Write() creates parent directories as needed.
// Not thread-safe; one per test.
class TempDirForTest {
 public:
  TempDirForTest() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() / ("plinth-test-" + std::to_string(::getpid()) +
                                                      "-" + std::to_string(counter.fetch_add(1)));
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    std::filesystem::create_directories(path_, ec);
  }
  ~TempDirForTest() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDirForTest(const TempDirForTest&) = delete;
  TempDirForTest& operator=(const TempDirForTest&) = delete;

  const std::filesystem::path& path() const { return path_; }

  void Write(std::string_view rel, std::string_view text) const {
    std::filesystem::path p = path_ / rel;
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace plinth::base
