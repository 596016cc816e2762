#include "base/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/hex.h"

namespace plinth::base {

std::uint64_t Random::Next64() {
  std::uint64_t v = 0;
  Fill(&v, sizeof v);
  return v;
}

std::uint64_t Random::Uniform(std::uint64_t bound) {
  // Rejection sampling avoids modulo bias for bounds that do not divide 2^64.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  std::uint64_t v = Next64();
  while (v >= limit) v = Next64();
  return v % bound;
}

std::string Random::Hex(std::size_t n) {
  std::string bytes(n, '\0');
  Fill(bytes.data(), n);
  return HexEncode(bytes.data(), n);
}

void SystemRandom::Fill(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // Without the kernel's generator no id or token would be safe to issue.
      std::abort();
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

SystemRandom* SystemRandom::Default() {
  static SystemRandom random;
  return &random;
}

void SeededRandom::Fill(void* out, std::size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    std::uint64_t v = engine_();
    std::size_t take = n < sizeof v ? n : sizeof v;
    std::memcpy(p, &v, take);
    p += take;
    n -= take;
  }
}

}  // namespace plinth::base
