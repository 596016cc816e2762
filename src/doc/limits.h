#pragma once

#include <cstddef>

#include "base/status.h"
#include "doc/value.h"

namespace plinth::doc {

// Bounds on documents accepted from outside (HTTP bodies, config files,
// function results). Exceeding one is a kDepthLimitExceeded or
// kSizeLimitExceeded error naming the limit, never a crash.
// Plain value type; thread-compatible.
//
// Depth counts documents and arrays: a scalar has depth 0, {} and [] have
// depth 1, {"a":{"b":1}} has depth 2. A document is accepted when its depth is
// at most max_depth (MongoDB's rule: 100 levels including the top document).
struct Limits {
  // Nesting levels of documents and arrays; MongoDB allows 100. Keep it
  // within a few thousand: the BSON codec recurses once per level.
  std::size_t max_depth = 100;
  // Encoded BSON size of one document; MongoDB's 16 MiB.
  std::size_t max_bson_bytes = 16 * 1024 * 1024;
  // Length of JSON text ParseJson reads at all, checked before parsing.
  // Extended JSON is wordier than BSON (canonical numbers, escapes,
  // whitespace), so this is a multiple of max_bson_bytes; the parsed document
  // must still fit max_bson_bytes.
  std::size_t max_json_bytes = 64 * 1024 * 1024;
};

// Nesting depth of a value, as defined above. Iterates with an explicit
// stack, so any value can be measured. Thread-safe.
std::size_t Depth(const Value& value);
std::size_t Depth(const Document& document);

// Exact size in bytes of `document` encoded as BSON (what ToBson produces).
// REQUIRES: Depth(document) is modest (the walk recurses); CheckLimits
// measures depth first. Thread-safe.
std::size_t BsonSize(const Document& document);
// The same for an array, encoded as BSON encodes arrays (a document with the
// keys "0", "1", ...).
std::size_t BsonSize(const Array& array);
// Bytes `value` takes as a BSON element's payload (no type byte, no name):
// what memory budgets (storage/pipeline/ blocking stages) charge per value.
std::size_t BsonValueSize(const Value& value);

// OK when `document` is within limits.max_depth and limits.max_bson_bytes;
// otherwise kDepthLimitExceeded or kSizeLimitExceeded with a message naming
// the limit. Thread-safe.
base::Status CheckLimits(const Document& document, const Limits& limits);

// The errors above, for the codecs that detect limits as they go.
base::Status DepthLimitError(const Limits& limits);
base::Status SizeLimitError(const Limits& limits);

}  // namespace plinth::doc
