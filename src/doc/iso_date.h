#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace plinth::doc {

// ISO-8601 / RFC 3339 text for BSON dates (milliseconds since the Unix
// epoch, proleptic Gregorian calendar, UTC). Free functions; thread-safe.

// Milliseconds of 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the
// range four-digit years can spell.
inline constexpr std::int64_t kMinIsoDateMillis = -62167219200000;
inline constexpr std::int64_t kMaxIsoDateMillis = 253402300799999;

// "2024-05-06T07:08:09.010Z": always UTC, always three fraction digits.
// Returns nullopt outside [kMinIsoDateMillis, kMaxIsoDateMillis].
std::optional<std::string> FormatIsoDate(std::int64_t millis);

// Parses RFC 3339 date-time text: YYYY-MM-DDTHH:MM[:SS[.fraction]] followed
// by Z or an offset (+HH:MM, +HHMM or +HH). 'T' and 'Z' may be lower case.
// Fraction digits beyond milliseconds are truncated. kBadValue on any other
// text or an impossible date (2023-02-29).
base::Result<std::int64_t> ParseIsoDate(std::string_view text);

}  // namespace plinth::doc
