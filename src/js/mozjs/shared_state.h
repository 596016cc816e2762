#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "base/clock.h"
#include "base/random.h"
#include "js/limits.h"

namespace plinth::js::mozjs {

// State one engine shares with its JS threads and its watchdog. Owned by the
// engine, which outlives every thread. The atomics are written by one thread
// (noted per field) and read by any; the rest is immutable after start.
struct SharedState {
  Limits limits;
  const base::Clock* clock = nullptr;
  base::Random* random = nullptr;
  // Resident set of the process in bytes; written by the watchdog every tick.
  std::atomic<std::size_t> rss_bytes{0};
  // Bumped by Engine::InvalidateScripts (any thread); each JS thread empties
  // its compile cache when it sees a new value.
  std::atomic<std::uint64_t> script_generation{0};
  // ObjectId generation (BSON.ObjectId()): the process-unique middle bytes
  // and the counter, as the ObjectId spec lays them out.
  std::array<std::uint8_t, 5> oid_process{};
  std::atomic<std::uint32_t> oid_counter{0};
};

// The process's resident set in bytes (from /proc/self/statm); 0 if unknown.
std::size_t ReadResidentBytes();

}  // namespace plinth::js::mozjs
