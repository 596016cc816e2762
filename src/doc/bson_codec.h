#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "doc/limits.h"
#include "doc/value.h"

namespace plinth::doc {

// Conversion between the value model and BSON bytes, through libbson.
// Thread-safe.

// Decodes one BSON document; validates structure and UTF-8, enforces limits.
base::Result<Document> FromBson(const std::uint8_t* data, std::size_t size,
                                const Limits& limits = {});
// Encodes a document. Fails only when the result would exceed the limits.
base::Result<std::string> ToBson(const Document& document, const Limits& limits = {});

}  // namespace plinth::doc
