#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "doc/limits.h"
#include "doc/value.h"

namespace plinth::doc {

// Extended JSON in and out (MongoDB Extended JSON v2). Parsing accepts plain
// JSON, relaxed and canonical EJSON; integers that fit become Int32, larger
// ones Int64, and numbers with a fraction or exponent Double.
// All functions are thread-safe.

// Parses any JSON value (document, array or scalar). Errors are kBadValue
// (syntax, bad EJSON) or kDepthLimitExceeded / kSizeLimitExceeded.
base::Result<Value> ParseJson(std::string_view text, const Limits& limits = {});
// Same, but the top level must be a document.
base::Result<Document> ParseJsonDocument(std::string_view text, const Limits& limits = {});

// Canonical EJSON: every number typed ({"$numberInt":"1"}), dates as
// {"$date":{"$numberLong":"..."}}. Compact (no spaces).
std::string ToCanonicalJson(const Value& value);
std::string ToCanonicalJson(const Document& document);
// Relaxed EJSON: numbers as JSON numbers where exact, dates as ISO-8601
// strings inside {"$date":...} for years 1970-9999. Compact.
std::string ToRelaxedJson(const Value& value);
std::string ToRelaxedJson(const Document& document);

}  // namespace plinth::doc
