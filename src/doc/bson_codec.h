#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "doc/limits.h"
#include "doc/value.h"

namespace plinth::doc {

// Conversion between the value model and BSON bytes, through libbson.
// Free functions; thread-safe.

// Decodes one BSON document. Checks structure (lengths, terminators, known
// types) and UTF-8 of names and strings (NUL is allowed inside strings);
// errors are kBadValue naming the problem. Enforces limits: more than
// limits.max_bson_bytes is kSizeLimitExceeded, nesting deeper than
// limits.max_depth kDepthLimitExceeded (checked while reading, never
// recursing past it). Symbol values become strings; DBPointer and code with
// scope are rejected (kBadValue). The data is not retained.
base::Result<Document> FromBson(const std::uint8_t* data, std::size_t size,
                                const Limits& limits = {});

// Encodes a document. kDepthLimitExceeded / kSizeLimitExceeded past the
// limits (checked before encoding); kBadValue for what BSON cannot hold: NUL in
// a field name, a regex or JavaScript code.
base::Result<std::string> ToBson(const Document& document, const Limits& limits = {});

}  // namespace plinth::doc
