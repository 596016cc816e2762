#include "base/owner_only_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace plinth::base {
namespace {

Status IoError(const std::string& what) {
  return Status(ErrorCode::kIoError, what + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write " + path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Status WriteOwnerOnlyFile(const std::filesystem::path& path, std::string_view text) {
  const std::string final_path = path.string();
  const std::string tmp_path = final_path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return IoError("cannot create " + tmp_path);
  Status status;
  // The umask could have narrowed 0600 further; make it exactly that.
  if (::fchmod(fd, 0600) != 0) status = IoError("cannot chmod " + tmp_path);
  if (status.ok()) status = WriteAll(fd, text, tmp_path);
  if (status.ok() && ::fsync(fd) != 0) status = IoError("cannot fsync " + tmp_path);
  if (::close(fd) != 0 && status.ok()) status = IoError("cannot close " + tmp_path);
  if (status.ok() && ::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    status = IoError("cannot rename to " + final_path);
  }
  if (!status.ok()) {
    ::unlink(tmp_path.c_str());
    return status;
  }
  // Make the rename itself durable.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace plinth::base
