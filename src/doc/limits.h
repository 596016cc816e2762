#pragma once

#include <cstddef>

namespace plinth::doc {

// Bounds on documents accepted from outside (HTTP bodies, config files,
// function results). Exceeding one is a kDepthLimitExceeded or
// kSizeLimitExceeded error naming the limit, never a crash.
struct Limits {
  // Nesting levels of documents and arrays; MongoDB allows 100.
  std::size_t max_depth = 100;
  // Encoded BSON size of one document; MongoDB's 16 MiB.
  std::size_t max_bson_bytes = 16 * 1024 * 1024;
};

}  // namespace plinth::doc
