#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace plinth::base {

// Random is the only source of randomness in Plinth (ids, tokens, jitter), so
// tests can make it repeatable. Implementations must be thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with `n` random bytes.
  virtual void Fill(void* out, std::size_t n) = 0;

  std::uint64_t Next64();
  // Uniform in [0, bound); bound must be > 0.
  std::uint64_t Uniform(std::uint64_t bound);
  // `n` random bytes as lowercase hex (2n characters).
  std::string Hex(std::size_t n);
};

// The kernel's CSPRNG (getrandom(2)); requests of up to 64 bytes are served
// from a per-thread block of its output, discarded in a forked child.
// Thread-safe; one shared instance.
class SystemRandom final : public Random {
 public:
  void Fill(void* out, std::size_t n) override;
  static SystemRandom* Default();
};

// A repeatable generator for tests. Never use it for secrets. Thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  void Fill(void* out, std::size_t n) override;

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace plinth::base
