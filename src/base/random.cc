#include "base/random.h"

#include <pthread.h>
#include <sys/random.h>

#include <atomic>
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

namespace {

// Straight from the kernel's generator, however many bytes.
void FillFromKernel(unsigned char* p, std::size_t n) {
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

// Bumped in a forked child, so its threads never serve bytes their parent
// buffered (the parent may hand out the same ones).
std::atomic<std::uint64_t> fork_generation{0};

void AfterForkInChild() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Kernel output fetched a block at a time per thread: small requests (a
// request id on every request, a session id) were a getrandom(2) system
// call each, about 5 % of a short request's CPU. Bytes served are erased
// from the buffer.
struct ThreadBuffer {
  static constexpr std::size_t kBytes = 256;
  unsigned char bytes[kBytes];
  std::size_t left = 0;
  std::uint64_t generation = 0;
};

}  // namespace

void SystemRandom::Fill(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  if (n > ThreadBuffer::kBytes / 4) {
    FillFromKernel(p, n);
    return;
  }
  static const bool registered = pthread_atfork(nullptr, nullptr, AfterForkInChild) == 0;
  thread_local ThreadBuffer buffer;
  const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (!registered || buffer.generation != generation) {
    std::memset(buffer.bytes, 0, sizeof buffer.bytes);
    buffer.left = 0;
    buffer.generation = generation;
    if (!registered) {
      FillFromKernel(p, n);
      return;
    }
  }
  if (buffer.left < n) {
    FillFromKernel(buffer.bytes, ThreadBuffer::kBytes);
    buffer.left = ThreadBuffer::kBytes;
  }
  unsigned char* from = buffer.bytes + (buffer.left - n);
  std::memcpy(p, from, n);
  std::memset(from, 0, n);
  buffer.left -= n;
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
