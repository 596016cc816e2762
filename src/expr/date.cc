// Date operators: $dateToString and the date parts ($year ... $isoWeekYear).
// Calendar arithmetic is the proleptic Gregorian calendar on days since the
// Unix epoch; time zones are UTC and fixed offsets only (see TimeZoneOffset).

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "expr/internal.h"

namespace plinth::expr {
namespace {

using base::Result;
using doc::Value;

constexpr std::int64_t kMillisPerDay = 86'400'000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Days since 1970-01-01 of a civil date, and back (the era-based method:
// 400-year eras of 146097 days).
std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = FloorDiv(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (m + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = FloorDiv(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

// Everything the operators and format specifiers read, in local time.
struct Parts {
  std::int64_t year;
  int month, day, hour, minute, second, millisecond;
  int day_of_week;      // 1 = Sunday ... 7 = Saturday
  int day_of_year;      // 1..366
  int week;             // 0..53, weeks starting on Sunday
  int iso_day_of_week;  // 1 = Monday ... 7 = Sunday
  int iso_week;         // 1..53
  std::int64_t iso_year;
};

Parts PartsOf(std::int64_t local_millis) {
  Parts p{};
  const std::int64_t days = FloorDiv(local_millis, kMillisPerDay);
  const std::int64_t ms = local_millis - days * kMillisPerDay;
  const Civil c = CivilFromDays(days);
  p.year = c.year;
  p.month = c.month;
  p.day = c.day;
  p.hour = static_cast<int>(ms / 3'600'000);
  p.minute = static_cast<int>(ms / 60'000 % 60);
  p.second = static_cast<int>(ms / 1000 % 60);
  p.millisecond = static_cast<int>(ms % 1000);
  const int weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  p.day_of_week = weekday + 1;
  p.day_of_year = static_cast<int>(days - DaysFromCivil(c.year, 1, 1)) + 1;
  p.week = (p.day_of_year - 1 + 7 - weekday) / 7;
  p.iso_day_of_week = weekday == 0 ? 7 : weekday;
  // The ISO week belongs to the year of its Thursday.
  const std::int64_t thursday = days - (p.iso_day_of_week - 1) + 3;
  p.iso_year = CivilFromDays(thursday).year;
  p.iso_week = static_cast<int>((thursday - DaysFromCivil(p.iso_year, 1, 1)) / 7) + 1;
  return p;
}

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

}  // namespace

// The offset in minutes of a time zone: "UTC", "GMT", "Etc/UTC", "Etc/GMT",
// "Z", or a fixed offset "+hh:mm", "+hhmm", "+hh" (or "-"). Olson names such
// as "Europe/London" are refused: they need a time zone database, which
// Plinth does not ship yet.
Result<int> TimeZoneOffset(std::string_view name, std::string_view op) {
  if (name == "UTC" || name == "GMT" || name == "Etc/UTC" || name == "Etc/GMT" || name == "Z") {
    return 0;
  }
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    std::string_view rest = name.substr(1);
    std::string_view hh;
    std::string_view mm = "00";
    if (rest.size() == 2) {
      hh = rest;
    } else if (rest.size() == 4) {
      hh = rest.substr(0, 2);
      mm = rest.substr(2);
    } else if (rest.size() == 5 && rest[2] == ':') {
      hh = rest.substr(0, 2);
      mm = rest.substr(3);
    }
    if (Digits(hh) && Digits(mm)) {
      const int minutes = std::stoi(std::string(hh)) * 60 + std::stoi(std::string(mm));
      return name[0] == '-' ? -minutes : minutes;
    }
    return base::BadValue(std::string(op) + ": unrecognized time zone identifier: \"" +
                          std::string(name) + "\"");
  }
  return base::BadValue(std::string(op) + ": time zone \"" + std::string(name) +
                        "\" is not supported: Plinth accepts UTC and fixed offsets (\"+05:30\"); "
                        "Olson time zone names are not supported yet");
}

namespace {

// A date operand: Date, Timestamp (its seconds) or ObjectId (its creation
// second), as MongoDB's date operators accept.
Result<std::int64_t> DateMillis(std::string_view op, const Value& v) {
  switch (v.type()) {
    case doc::Type::kDate:
      return v.as_date().millis;
    case doc::Type::kTimestamp:
      return static_cast<std::int64_t>(v.as_timestamp().t) * 1000;
    case doc::Type::kObjectId:
      return static_cast<std::int64_t>(v.as_object_id().Timestamp()) * 1000;
    default:
      return TypeMismatch(std::string(op) + ": can't convert from BSON type " +
                          std::string(doc::TypeName(v.type())) + " to Date");
  }
}

Result<int> ZoneArg(std::string_view op, const Opt& tz) {
  if (!tz.has_value()) return 0;
  if (!tz->is_string()) {
    return base::BadValue(std::string(op) + ": timezone must evaluate to a string, found " +
                          TypeNameOf(tz));
  }
  return TimeZoneOffset(tz->as_string(), op);
}

Result<Opt> DatePart(std::string_view op, const Args& args) {
  if (args.size() > 1 && args[1].has_value() && args[1]->is_null()) return Opt(Value());
  if (IsNullish(args[0])) return Opt(Value());
  PLINTH_ASSIGN_OR_RETURN(std::int64_t millis, DateMillis(op, *args[0]));
  PLINTH_ASSIGN_OR_RETURN(int offset, ZoneArg(op, args.size() > 1 ? args[1] : Opt()));
  const Parts p = PartsOf(millis + std::int64_t{offset} * 60'000);
  std::int64_t r = 0;
  if (op == "$year")
    r = p.year;
  else if (op == "$month")
    r = p.month;
  else if (op == "$dayOfMonth")
    r = p.day;
  else if (op == "$hour")
    r = p.hour;
  else if (op == "$minute")
    r = p.minute;
  else if (op == "$second")
    r = p.second;
  else if (op == "$millisecond")
    r = p.millisecond;
  else if (op == "$dayOfWeek")
    r = p.day_of_week;
  else if (op == "$dayOfYear")
    r = p.day_of_year;
  else if (op == "$week")
    r = p.week;
  else if (op == "$isoWeek")
    r = p.iso_week;
  else if (op == "$isoWeekYear")
    r = p.iso_year;
  else
    r = p.iso_day_of_week;
  return Opt(Value(static_cast<std::int32_t>(r)));
}

std::string Pad(std::int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  return buf;
}

constexpr const char* kMonthNames[] = {"january",   "february", "march",    "april",
                                       "may",       "june",     "july",     "august",
                                       "september", "october",  "november", "december"};

// args: date, format (missing = default), timezone, onNull (missing = null).
Result<Opt> DateToString(std::string_view op, const Args& args) {
  const Opt& format = args[1];
  if (format.has_value() && !format->is_string() && !format->is_null()) {
    return base::BadValue("$dateToString requires that 'format' be a string, found: " +
                          TypeNameOf(format));
  }
  if (args[2].has_value() && args[2]->is_null()) return Opt(Value());
  PLINTH_ASSIGN_OR_RETURN(int offset, ZoneArg(op, args[2]));
  if (IsNullish(args[0])) {
    if (args.size() > 3 && args[3].has_value()) return args[3];
    return Opt(Value());
  }
  if (format.has_value() && format->is_null()) return Opt(Value());
  PLINTH_ASSIGN_OR_RETURN(std::int64_t millis, DateMillis(op, *args[0]));
  // Newer MongoDB drops the "Z" of the default format outside UTC.
  const std::string fmt = format.has_value() ? format->as_string()
                          : offset == 0      ? "%Y-%m-%dT%H:%M:%S.%LZ"
                                             : "%Y-%m-%dT%H:%M:%S.%L";
  const Parts p = PartsOf(millis + std::int64_t{offset} * 60'000);
  std::string out;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (i + 1 >= fmt.size()) {
      return base::BadValue("$dateToString: Unmatched '%' at end of format string");
    }
    const char c = fmt[++i];
    const int abs_offset = offset < 0 ? -offset : offset;
    switch (c) {
      case 'Y':
        out += Pad(p.year, 4);
        break;
      case 'm':
        out += Pad(p.month, 2);
        break;
      case 'd':
        out += Pad(p.day, 2);
        break;
      case 'H':
        out += Pad(p.hour, 2);
        break;
      case 'M':
        out += Pad(p.minute, 2);
        break;
      case 'S':
        out += Pad(p.second, 2);
        break;
      case 'L':
        out += Pad(p.millisecond, 3);
        break;
      case 'j':
        out += Pad(p.day_of_year, 3);
        break;
      case 'w':
        out += Pad(p.day_of_week, 1);
        break;
      case 'u':
        out += Pad(p.iso_day_of_week, 1);
        break;
      case 'U':
        out += Pad(p.week, 2);
        break;
      case 'V':
        out += Pad(p.iso_week, 2);
        break;
      case 'G':
        out += Pad(p.iso_year, 4);
        break;
      case 'b':
        out += std::string(kMonthNames[p.month - 1]).substr(0, 3);
        break;
      case 'B':
        out += kMonthNames[p.month - 1];
        break;
      case 'z':
        out += offset < 0 ? '-' : '+';
        out += Pad(abs_offset / 60, 2) + Pad(abs_offset % 60, 2);
        break;
      case 'Z':
        out += offset < 0 ? '-' : '+';
        out += Pad(abs_offset, 3);
        break;
      case '%':
        out += '%';
        break;
      default:
        return base::BadValue("$dateToString: Invalid format character '%" + std::string(1, c) +
                              "' in format string");
    }
  }
  return Opt(Value(std::move(out)));
}

constexpr EagerOp kDateOps[] = {
    {"$year", 1, 2, DatePart},         {"$month", 1, 2, DatePart},
    {"$dayOfMonth", 1, 2, DatePart},   {"$hour", 1, 2, DatePart},
    {"$minute", 1, 2, DatePart},       {"$second", 1, 2, DatePart},
    {"$millisecond", 1, 2, DatePart},  {"$dayOfWeek", 1, 2, DatePart},
    {"$dayOfYear", 1, 2, DatePart},    {"$week", 1, 2, DatePart},
    {"$isoWeek", 1, 2, DatePart},      {"$isoWeekYear", 1, 2, DatePart},
    {"$isoDayOfWeek", 1, 2, DatePart}, {"$dateToString", 1, 4, DateToString},
};

}  // namespace

const EagerOp* FindDateOp(std::string_view name) {
  for (const EagerOp& op : kDateOps) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace plinth::expr
