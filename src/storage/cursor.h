#pragma once

#include <vector>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::storage {

// Cursor yields the results of a find or an aggregate in batches. The
// documents it returns are copies; the cursor holds whatever read state the
// engine needs (for SQLite, a snapshot taken when the cursor was created).
// Not thread-safe: one thread at a time. Destroying it releases its state.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // Appends up to `max` documents to *out (the batch size when max is 0).
  // Returns false when the cursor is exhausted and nothing was appended.
  virtual base::Result<bool> NextBatch(std::vector<doc::Document>* out, std::size_t max = 0) = 0;
};

// Drains a cursor into one vector (tests and small results).
base::Result<std::vector<doc::Document>> ReadAll(Cursor* cursor);

}  // namespace plinth::storage
