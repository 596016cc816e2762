#pragma once

// Fixed-size records over a pipe, for the crash tests: a child process
// reports what it has done, the parent reads whatever arrived before it
// killed the child. Header-only test helper; not thread-safe.

#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace plinth::testing {

// Appends every whole record that is available within `wait_ms` to *out;
// bytes of a record not yet complete wait in *partial for the next call.
template <typename Record>
void DrainRecords(int fd, std::vector<Record>* out, int wait_ms, std::string* partial) {
  static_assert(std::is_trivially_copyable_v<Record>);
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, wait_ms) <= 0) return;
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) return;
  partial->append(buf, static_cast<std::size_t>(n));
  std::size_t used = 0;
  while (partial->size() - used >= sizeof(Record)) {
    Record r;
    std::memcpy(&r, partial->data() + used, sizeof r);
    out->push_back(r);
    used += sizeof r;
  }
  partial->erase(0, used);
}

}  // namespace plinth::testing
