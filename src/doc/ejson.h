#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "doc/limits.h"
#include "doc/value.h"

namespace plinth::doc {

// Extended JSON in and out (MongoDB Extended JSON v2); docs/ejson.md is the
// user-facing description. All functions are free, reentrant and thread-safe.
//
// Parsing accepts plain JSON (RFC 8259), relaxed and canonical EJSON, and the
// legacy {"$binary": "<base64>", "$type": "<hex>"} form. JSON integers become
// Int32 when they fit, else Int64, else Double; numbers with a fraction or an
// exponent become Double. Objects with an EJSON type key ($oid, $date,
// $numberLong, ...) must be well-formed wrappers; other '$' keys ($set, $gt,
// $regex, $type) stay ordinary fields, so query and update documents parse.
// Rejected with kBadValue, with the line and column of the problem: syntax
// errors, invalid UTF-8 or lone surrogates, NUL in field names, duplicate
// field names in one object, numbers beyond the double range, malformed
// wrappers, types the value model lacks (code with scope, DBPointer).
// Limits: text longer than limits.max_json_bytes and documents larger than
// limits.max_bson_bytes as BSON are kSizeLimitExceeded; nesting deeper than
// limits.max_depth is kDepthLimitExceeded.

// Parses any JSON value (document, array or scalar).
base::Result<Value> ParseJson(std::string_view text, const Limits& limits = {});
// Same, but the top level must be a document.
base::Result<Document> ParseJsonDocument(std::string_view text, const Limits& limits = {});

// Output, compact (no whitespace), fields in document order.
// Canonical: every number typed ({"$numberInt":"1"}, {"$numberDouble":"1.5"}),
// dates as {"$date":{"$numberLong":"..."}}; ParseJson of it gives back an
// equal Value, type for type (NaN payloads aside).
// Relaxed: Int32, Int64 and finite doubles as JSON numbers (doubles always
// with a fraction or exponent, "1.0"), dates in years 1970-9999 as
// {"$date":"1970-01-01T00:00:00.000Z"}. Int64 beyond 2^53 loses precision in
// JavaScript readers; use canonical there (BUILD-NOTES).
// Strings with invalid UTF-8 (only possible in values built in code) are
// written with U+FFFD in place of the bad bytes.
// REQUIRES: nesting within a few thousand levels (the writer recurses); every
// parsed or decoded value qualifies.
enum class JsonFormat { kCanonical, kRelaxed };

void AppendJson(std::string* out, const Value& value, JsonFormat format);
void AppendJson(std::string* out, const Document& document, JsonFormat format);

std::string ToCanonicalJson(const Value& value);
std::string ToCanonicalJson(const Document& document);
std::string ToRelaxedJson(const Value& value);
std::string ToRelaxedJson(const Document& document);

// The number text both formats use for a finite double: the shortest digits
// that read back as the same double, laid out as Python's repr does
// ("1.0", "-0.0", "0.001", "1.5e+16", "1e-05"). Non-finite values give
// "Infinity", "-Infinity" and "NaN".
std::string FormatDouble(double value);

}  // namespace plinth::doc
