#include "doc/iso_date.h"

#include <cstdio>

namespace plinth::doc {
namespace {

constexpr std::int64_t kMillisPerDay = 86400000;

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date. Counts in 400-year
// eras (146097 days each) with years starting in March, so the leap day is
// the last day of the counted year.
std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const std::int64_t month_from_march = m > 2 ? m - 3 : m + 9;
  const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// The inverse of DaysFromCivil.
void CivilFromDays(std::int64_t days, std::int64_t* y, int* m, int* d) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
  *d = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *m = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *y = year_of_era + era * 400 + (*m <= 2 ? 1 : 0);
}

// Reads exactly `n` digits at text[*pos]; false if any is not a digit.
bool ReadDigits(std::string_view text, std::size_t* pos, std::size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += n;
  *out = value;
  return true;
}

bool Expect(std::string_view text, std::size_t* pos, char a, char b = '\0') {
  if (*pos >= text.size()) return false;
  char c = text[*pos];
  if (c != a && (b == '\0' || c != b)) return false;
  ++*pos;
  return true;
}

base::Status DateError(std::string_view text, const char* why) {
  std::string shown(text.substr(0, 64));
  return base::BadValue("invalid ISO-8601 date \"" + shown + "\": " + why);
}

}  // namespace

std::optional<std::string> FormatIsoDate(std::int64_t millis) {
  if (millis < kMinIsoDateMillis || millis > kMaxIsoDateMillis) return std::nullopt;
  std::int64_t days = millis / kMillisPerDay;
  std::int64_t rem = millis % kMillisPerDay;
  if (rem < 0) {
    rem += kMillisPerDay;
    --days;
  }
  std::int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  const int ms = static_cast<int>(rem % 1000);
  const int secs = static_cast<int>(rem / 1000);
  char buf[64];  // roomy: GCC cannot prove the fields stay 2 digits
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<int>(year),
                month, day, secs / 3600, secs / 60 % 60, secs % 60, ms);
  return std::string(buf);
}

base::Result<std::int64_t> ParseIsoDate(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day)) {
    return DateError(text, "expected YYYY-MM-DD");
  }
  if (!Expect(text, &pos, 'T', 't') || !ReadDigits(text, &pos, 2, &hour) ||
      !Expect(text, &pos, ':') || !ReadDigits(text, &pos, 2, &minute)) {
    return DateError(text, "expected THH:MM after the date");
  }
  if (Expect(text, &pos, ':')) {
    if (!ReadDigits(text, &pos, 2, &second)) return DateError(text, "expected seconds");
    if (Expect(text, &pos, '.')) {
      std::size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) millis = millis * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return DateError(text, "expected digits after '.'");
      for (std::size_t i = digits; i < 3; ++i) millis *= 10;
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return DateError(text, "no such day");
  }
  if (hour > 23 || minute > 59 || second > 59) return DateError(text, "no such time of day");

  int offset_minutes = 0;
  if (Expect(text, &pos, 'Z', 'z')) {
    // UTC
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!ReadDigits(text, &pos, 2, &oh)) return DateError(text, "bad time zone offset");
    if (pos < text.size()) {
      Expect(text, &pos, ':');
      if (!ReadDigits(text, &pos, 2, &om)) return DateError(text, "bad time zone offset");
    }
    if (oh > 23 || om > 59) return DateError(text, "bad time zone offset");
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return DateError(text, "expected Z or a time zone offset");
  }
  if (pos != text.size()) return DateError(text, "unexpected text after the time zone");

  const std::int64_t days = DaysFromCivil(year, month, day);
  return days * kMillisPerDay + static_cast<std::int64_t>(hour) * 3600000 +
         static_cast<std::int64_t>(minute) * 60000 + static_cast<std::int64_t>(second) * 1000 +
         millis - static_cast<std::int64_t>(offset_minutes) * 60000;
}

}  // namespace plinth::doc
