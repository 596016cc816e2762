#pragma once

#include <atomic>
#include <cstdint>

#include "base/clock.h"
#include "base/random.h"
#include "doc/value.h"

namespace plinth::storage {

// Generates ObjectIds as MongoDB does: 4 bytes of seconds since the epoch
// (big-endian), 5 random bytes chosen once per generator, 3 bytes of a
// counter that starts at a random value. Does not own the clock or random
// source (both must outlive it). Thread-safe.
class ObjectIdGenerator {
 public:
  ObjectIdGenerator(const base::Clock* clock, base::Random* random);
  doc::ObjectId Next();

 private:
  const base::Clock* clock_;
  std::uint8_t process_[5] = {};
  std::atomic<std::uint32_t> counter_;
};

}  // namespace plinth::storage
