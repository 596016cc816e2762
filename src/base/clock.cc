#include "base/clock.h"

namespace plinth::base {

std::int64_t Clock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
}

std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::SteadyNow() const {
  return std::chrono::steady_clock::now();
}

SystemClock* SystemClock::Default() {
  static SystemClock clock;
  return &clock;
}

FakeClock::FakeClock(std::chrono::system_clock::time_point start)
    : wall_(start), steady_(std::chrono::steady_clock::time_point(std::chrono::hours(1))) {}

std::chrono::system_clock::time_point FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_;
}

std::chrono::steady_clock::time_point FakeClock::SteadyNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return steady_;
}

void FakeClock::Advance(std::chrono::nanoseconds by) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
  steady_ += by;
}

}  // namespace plinth::base
