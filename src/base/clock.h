#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace plinth::base {

// Clock is the only source of time in Plinth, so tests can move it.
// Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps and token expiry.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time, for deadlines and latency.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;

  // Milliseconds since the Unix epoch, as BSON dates and JWTs want them.
  std::int64_t NowMillis() const;
};

// The process clock. Thread-safe; one shared instance.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
  static SystemClock* Default();
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(
      std::chrono::system_clock::time_point start =
          std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)));
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
  void Advance(std::chrono::nanoseconds by);

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point steady_;
};

}  // namespace plinth::base
