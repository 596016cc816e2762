// The operators that evaluate every argument first: arithmetic, comparison,
// $not, strings, arrays and type tests. Dates are in date.cc, conversions in
// convert.cc. Each function gets the operator's name (for messages) and its
// evaluated arguments, whose count the parser has already checked.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "base/utf8.h"
#include "doc/compare.h"
#include "doc/decimal128.h"
#include "expr/arithmetic.h"
#include "expr/internal.h"

namespace plinth::expr {

using base::Result;
using base::Status;
using doc::Value;

std::string TypeNameOf(const Opt& v) {
  if (!v.has_value()) return "missing";
  return std::string(doc::TypeName(v->type()));
}

Status TypeMismatch(std::string message) {
  return Status(base::ErrorCode::kTypeMismatch, std::move(message));
}

Status ArgCountError(std::string_view name, int expected, std::size_t got) {
  return base::BadValue("Expression " + std::string(name) + " takes exactly " +
                        std::to_string(expected) + " arguments. " + std::to_string(got) +
                        " were passed in.");
}

std::optional<std::int64_t> WholeNumber(const Value& v) {
  if (const auto* i = v.get_if<std::int32_t>()) return *i;
  if (const auto* l = v.get_if<std::int64_t>()) return *l;
  if (const auto* d = v.get_if<double>()) {
    if (std::isnan(*d) || std::trunc(*d) != *d || std::fabs(*d) >= 9.2e18) return std::nullopt;
    return static_cast<std::int64_t>(*d);
  }
  if (const auto* d = v.get_if<doc::Decimal128>()) return DecimalToInt64Exact(*d);
  return std::nullopt;
}

std::string DoubleToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, end);
}

namespace {

Opt Null() { return Opt(Value()); }

bool IsDecimal(const Value& v) { return v.type() == doc::Type::kDecimal128; }
bool IsDouble(const Value& v) { return v.type() == doc::Type::kDouble; }

// ---- arithmetic ----

// Aggregation's rule for integer overflow: the sum (product, difference) is
// computed again in Double.
Value ArithmeticOrDouble(const Value& a, const Value& b, ArithmeticOp op) {
  std::optional<Value> r = Arithmetic(a, b, op);
  if (r.has_value()) return std::move(*r);
  const double x = NumberToDouble(a);
  const double y = NumberToDouble(b);
  return Value(op == ArithmeticOp::kAdd ? x + y : op == ArithmeticOp::kSubtract ? x - y : x * y);
}

// Milliseconds to add to a date: doubles and decimals round to the nearest
// integer (half away from zero).
std::optional<std::int64_t> MillisOf(const Value& v) {
  if (const auto* i = v.get_if<std::int32_t>()) return *i;
  if (const auto* l = v.get_if<std::int64_t>()) return *l;
  const double d = NumberToDouble(v);
  if (std::isnan(d) || std::fabs(d) >= 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(d));
}

Result<Opt> Add(std::string_view name, const Args& args) {
  Value sum(std::int32_t{0});
  std::optional<std::int64_t> date;
  bool null = false;
  for (const Opt& a : args) {
    if (IsNullish(a)) {
      null = true;
      continue;
    }
    if (a->type() == doc::Type::kDate) {
      if (date.has_value()) return TypeMismatch("only one date allowed in an $add expression");
      date = a->as_date().millis;
      continue;
    }
    if (!a->is_number()) {
      return TypeMismatch("$add only supports numeric or date types, not " + TypeNameOf(a));
    }
    sum = ArithmeticOrDouble(sum, *a, ArithmeticOp::kAdd);
  }
  (void)name;
  if (null) return Null();
  if (date.has_value()) {
    std::optional<std::int64_t> ms = MillisOf(sum);
    std::int64_t r = 0;
    if (!ms.has_value() || __builtin_add_overflow(*date, *ms, &r)) {
      return base::BadValue("date overflow in $add");
    }
    return Opt(Value(doc::DateTime{r}));
  }
  return Opt(std::move(sum));
}

Result<Opt> Multiply(std::string_view, const Args& args) {
  Value product(std::int32_t{1});
  bool null = false;
  for (const Opt& a : args) {
    if (IsNullish(a)) {
      null = true;
      continue;
    }
    if (!a->is_number()) {
      return TypeMismatch("$multiply only supports numeric types, not " + TypeNameOf(a));
    }
    product = ArithmeticOrDouble(product, *a, ArithmeticOp::kMultiply);
  }
  if (null) return Null();
  return Opt(std::move(product));
}

Result<Opt> Subtract(std::string_view, const Args& args) {
  const Opt& a = args[0];
  const Opt& b = args[1];
  if (IsNullish(a) || IsNullish(b)) return Null();
  if (a->is_number() && b->is_number())
    return Opt(ArithmeticOrDouble(*a, *b, ArithmeticOp::kSubtract));
  if (a->type() == doc::Type::kDate) {
    if (b->type() == doc::Type::kDate) {
      std::int64_t r = 0;
      if (__builtin_sub_overflow(a->as_date().millis, b->as_date().millis, &r)) {
        return base::BadValue("date overflow in $subtract");
      }
      return Opt(Value(r));
    }
    if (b->is_number()) {
      std::optional<std::int64_t> ms = MillisOf(*b);
      std::int64_t r = 0;
      if (!ms.has_value() || __builtin_sub_overflow(a->as_date().millis, *ms, &r)) {
        return base::BadValue("date overflow in $subtract");
      }
      return Opt(Value(doc::DateTime{r}));
    }
  }
  if (b->type() == doc::Type::kDate && a->is_number()) {
    return TypeMismatch("can't $subtract a date from a " + TypeNameOf(a));
  }
  return TypeMismatch("can't $subtract " + TypeNameOf(b) + " from " + TypeNameOf(a));
}

bool IsZero(const Value& v) { return doc::ValuesEqual(v, Value(0)); }

Result<Opt> Divide(std::string_view, const Args& args) {
  const Opt& a = args[0];
  const Opt& b = args[1];
  if (IsNullish(a) || IsNullish(b)) return Null();
  if (!a->is_number() || !b->is_number()) {
    return TypeMismatch("$divide only supports numeric types, not " + TypeNameOf(a) + " and " +
                        TypeNameOf(b));
  }
  if (IsZero(*b)) return base::BadValue("can't $divide by zero");
  if (IsDecimal(*a) || IsDecimal(*b)) {
    return Opt(Value(DecimalBinary(DecimalOp::kDivide, ToDecimal128(*a), ToDecimal128(*b))));
  }
  return Opt(Value(NumberToDouble(*a) / NumberToDouble(*b)));
}

Result<Opt> Mod(std::string_view, const Args& args) {
  const Opt& a = args[0];
  const Opt& b = args[1];
  if (IsNullish(a) || IsNullish(b)) return Null();
  if (!a->is_number() || !b->is_number()) {
    return TypeMismatch("$mod only supports numeric types, not " + TypeNameOf(a) + " and " +
                        TypeNameOf(b));
  }
  if (IsZero(*b)) return base::BadValue("can't $mod by zero");
  if (IsDecimal(*a) || IsDecimal(*b)) {
    return Opt(Value(DecimalBinary(DecimalOp::kMod, ToDecimal128(*a), ToDecimal128(*b))));
  }
  if (IsDouble(*a) || IsDouble(*b)) {
    return Opt(Value(std::fmod(NumberToDouble(*a), NumberToDouble(*b))));
  }
  const std::int64_t x = a->type() == doc::Type::kInt64 ? a->as_int64() : a->as_int32();
  const std::int64_t y = b->type() == doc::Type::kInt64 ? b->as_int64() : b->as_int32();
  // INT64_MIN % -1 overflows in C++; the remainder is 0.
  const std::int64_t r = y == -1 ? 0 : x % y;
  if (a->type() == doc::Type::kInt32 && b->type() == doc::Type::kInt32) {
    return Opt(Value(static_cast<std::int32_t>(r)));
  }
  return Opt(Value(r));
}

Result<Opt> Abs(std::string_view, const Args& args) {
  const Opt& a = args[0];
  if (IsNullish(a)) return Null();
  if (!a->is_number())
    return TypeMismatch("$abs only supports numeric types, not " + TypeNameOf(a));
  switch (a->type()) {
    case doc::Type::kInt32: {
      const std::int64_t v = a->as_int32();
      if (v == INT32_MIN) return Opt(Value(-v));
      return Opt(Value(static_cast<std::int32_t>(v < 0 ? -v : v)));
    }
    case doc::Type::kInt64:
      if (a->as_int64() == INT64_MIN) return base::BadValue("can't take $abs of long long min");
      return Opt(Value(a->as_int64() < 0 ? -a->as_int64() : a->as_int64()));
    case doc::Type::kDouble:
      return Opt(Value(std::fabs(a->as_double())));
    default:
      return Opt(Value(DecimalUnary(DecimalFn::kAbs, a->as_decimal128())));
  }
}

// $ceil and $floor: integers unchanged.
Result<Opt> CeilFloor(std::string_view name, const Args& args) {
  const Opt& a = args[0];
  if (IsNullish(a)) return Null();
  if (!a->is_number()) {
    return TypeMismatch(std::string(name) + " only supports numeric types, not " + TypeNameOf(a));
  }
  const bool ceil = name == "$ceil";
  if (IsDouble(*a))
    return Opt(Value(ceil ? std::ceil(a->as_double()) : std::floor(a->as_double())));
  if (IsDecimal(*a)) {
    return Opt(
        Value(DecimalUnary(ceil ? DecimalFn::kCeil : DecimalFn::kFloor, a->as_decimal128())));
  }
  return Opt(*a);
}

// Rounds half to even at `place` digits, MongoDB's $round rule.
double RoundDouble(double v, int place, bool truncate) {
  if (std::isnan(v) || std::isinf(v)) return v;
  const double scale = std::pow(10.0, place);
  const double scaled = v * scale;
  double r = truncate ? std::trunc(scaled) : std::nearbyint(scaled);
  if (!std::isfinite(scaled)) return v;
  return r / scale;
}

Result<Opt> RoundTrunc(std::string_view name, const Args& args) {
  const Opt& a = args[0];
  const bool truncate = name == "$trunc";
  int place = 0;
  if (args.size() > 1) {
    if (IsNullish(args[1])) return Null();
    std::optional<std::int64_t> p = args[1]->is_number() ? WholeNumber(*args[1]) : std::nullopt;
    if (!p.has_value()) {
      return base::BadValue(std::string(name) + " requires \"place\" to be an integral value");
    }
    if (*p < -20 || *p > 100) {
      return base::BadValue(std::string(name) +
                            " requires \"place\" to be an integer between -20 and 100, but got " +
                            std::to_string(*p));
    }
    place = static_cast<int>(*p);
  }
  if (IsNullish(a)) return Null();
  if (!a->is_number()) {
    return TypeMismatch(std::string(name) + " only supports numeric types, not " + TypeNameOf(a));
  }
  if (IsDecimal(*a)) return Opt(Value(DecimalRound(a->as_decimal128(), place, truncate)));
  if (IsDouble(*a)) return Opt(Value(RoundDouble(a->as_double(), place, truncate)));
  if (place >= 0) return Opt(*a);
  // Integers with a negative place: exact, in Int64.
  const std::int64_t v = a->type() == doc::Type::kInt64 ? a->as_int64() : a->as_int32();
  if (place < -18) return Opt(a->type() == doc::Type::kInt64 ? Value(std::int64_t{0}) : Value(0));
  std::int64_t scale = 1;
  for (int i = 0; i < -place; ++i) scale *= 10;
  std::int64_t q = v / scale;
  const std::int64_t rem = v % scale;
  if (!truncate) {
    const std::int64_t twice = rem < 0 ? -rem * 2 : rem * 2;  // no overflow: |rem| < 10^18
    if (twice > scale || (twice == scale && q % 2 != 0)) q += v < 0 ? -1 : 1;
  }
  std::int64_t r = 0;
  if (__builtin_mul_overflow(q, scale, &r))
    return Opt(Value(static_cast<double>(q) * static_cast<double>(scale)));
  if (a->type() == doc::Type::kInt32 && r >= INT32_MIN && r <= INT32_MAX) {
    return Opt(Value(static_cast<std::int32_t>(r)));
  }
  return Opt(Value(r));
}

// $sqrt $exp $ln $log10: Double results (Decimal128 for Decimal128 input).
Result<Opt> MathFn(std::string_view name, const Args& args) {
  const Opt& a = args[0];
  if (IsNullish(a)) return Null();
  if (!a->is_number()) {
    return TypeMismatch(std::string(name) + " only supports numeric types, not " + TypeNameOf(a));
  }
  const int sign = IsDecimal(*a) ? DecimalSign(a->as_decimal128())
                                 : (NumberToDouble(*a) > 0   ? 1
                                    : NumberToDouble(*a) < 0 ? -1
                                                             : 0);
  const bool nan = IsDecimal(*a) ? doc::IsNaN(a->as_decimal128()) : std::isnan(NumberToDouble(*a));
  if (name == "$sqrt" && sign < 0) {
    return base::BadValue("$sqrt's argument must be greater than or equal to 0");
  }
  if ((name == "$ln" || name == "$log10") && sign <= 0 && !nan) {
    return base::BadValue(std::string(name) + "'s argument must be a positive number, but is " +
                          (IsDecimal(*a) ? doc::Decimal128ToString(a->as_decimal128())
                                         : DoubleToString(NumberToDouble(*a))));
  }
  if (IsDecimal(*a)) {
    const DecimalFn fn = name == "$sqrt"  ? DecimalFn::kSqrt
                         : name == "$exp" ? DecimalFn::kExp
                         : name == "$ln"  ? DecimalFn::kLn
                                          : DecimalFn::kLog10;
    return Opt(Value(DecimalUnary(fn, a->as_decimal128())));
  }
  const double x = NumberToDouble(*a);
  const double r = name == "$sqrt"  ? std::sqrt(x)
                   : name == "$exp" ? std::exp(x)
                   : name == "$ln"  ? std::log(x)
                                    : std::log10(x);
  return Opt(Value(r));
}

Result<Opt> Log(std::string_view, const Args& args) {
  const Opt& a = args[0];
  const Opt& b = args[1];
  if (IsNullish(a) || IsNullish(b)) return Null();
  if (!a->is_number()) return TypeMismatch("$log's argument must be numeric, not " + TypeNameOf(a));
  if (!b->is_number()) return TypeMismatch("$log's base must be numeric, not " + TypeNameOf(b));
  if (IsDecimal(*a) || IsDecimal(*b)) {
    const doc::Decimal128 x = ToDecimal128(*a);
    const doc::Decimal128 y = ToDecimal128(*b);
    if (DecimalSign(x) <= 0) return base::BadValue("$log's argument must be a positive number");
    if (DecimalSign(y) <= 0 || doc::ValuesEqual(*b, Value(1))) {
      return base::BadValue("$log's base must be a positive number not equal to 1");
    }
    return Opt(Value(DecimalBinary(DecimalOp::kLog, x, y)));
  }
  const double x = NumberToDouble(*a);
  const double y = NumberToDouble(*b);
  if (!(x > 0))
    return base::BadValue("$log's argument must be a positive number, but is " + DoubleToString(x));
  if (!(y > 0) || y == 1) {
    return base::BadValue("$log's base must be a positive number not equal to 1, but is " +
                          DoubleToString(y));
  }
  return Opt(Value(std::log(x) / std::log(y)));
}

Result<Opt> Pow(std::string_view, const Args& args) {
  const Opt& a = args[0];
  const Opt& b = args[1];
  if (IsNullish(a) || IsNullish(b)) return Null();
  if (!a->is_number()) return TypeMismatch("$pow's base must be numeric, not " + TypeNameOf(a));
  if (!b->is_number()) return TypeMismatch("$pow's exponent must be numeric, not " + TypeNameOf(b));
  if (IsZero(*a) && doc::Compare(*b, Value(0)) < 0) {
    return base::BadValue("$pow cannot take a base of 0 and a negative exponent");
  }
  if (IsDecimal(*a) || IsDecimal(*b)) {
    return Opt(Value(DecimalBinary(DecimalOp::kPow, ToDecimal128(*a), ToDecimal128(*b))));
  }
  if (IsDouble(*a) || IsDouble(*b)) {
    return Opt(Value(std::pow(NumberToDouble(*a), NumberToDouble(*b))));
  }
  // Integers: exact when it fits (Int32 if both are Int32 and it fits,
  // else Int64), Double otherwise, and Double for negative exponents
  // except bases 1 and -1.
  const std::int64_t base = a->type() == doc::Type::kInt64 ? a->as_int64() : a->as_int32();
  const std::int64_t exp = b->type() == doc::Type::kInt64 ? b->as_int64() : b->as_int32();
  const bool both_int = a->type() == doc::Type::kInt32 && b->type() == doc::Type::kInt32;
  auto integral = [&](std::int64_t r) -> Opt {
    if (both_int && r >= INT32_MIN && r <= INT32_MAX) return Value(static_cast<std::int32_t>(r));
    return Value(r);
  };
  if (exp < 0) {
    if (base == 1) return integral(1);
    if (base == -1) return integral(exp % 2 == 0 ? 1 : -1);
    return Opt(Value(std::pow(static_cast<double>(base), static_cast<double>(exp))));
  }
  std::int64_t r = 1;
  for (std::int64_t i = 0; i < exp; ++i) {
    if (__builtin_mul_overflow(r, base, &r)) {
      return Opt(Value(std::pow(static_cast<double>(base), static_cast<double>(exp))));
    }
    if (r == 0 || r == 1) break;  // further factors change nothing
  }
  return integral(r);
}

// ---- comparison and $not ----

// Missing compares as undefined would: below null (MongoDB's rank for both).
const Value& OrUndefined(const Opt& v) {
  static const Value kUndefined{doc::Undefined{}};
  return v.has_value() ? *v : kUndefined;
}

Result<Opt> CompareOp(std::string_view name, const Args& args) {
  const int c = doc::Compare(OrUndefined(args[0]), OrUndefined(args[1]));
  if (name == "$cmp") return Opt(Value(c));
  bool r = false;
  if (name == "$eq")
    r = c == 0;
  else if (name == "$ne")
    r = c != 0;
  else if (name == "$gt")
    r = c > 0;
  else if (name == "$gte")
    r = c >= 0;
  else if (name == "$lt")
    r = c < 0;
  else
    r = c <= 0;
  return Opt(Value(r));
}

Result<Opt> Not(std::string_view, const Args& args) { return Opt(Value(!IsTruthy(args[0]))); }

// ---- strings ----

// $concat and friends accept only strings; $toLower/$toUpper/$strcasecmp
// coerce numbers and dates, as MongoDB's coerceToString does.
Result<std::string> CoerceToString(std::string_view name, const Opt& v) {
  if (IsNullish(v)) return std::string();
  switch (v->type()) {
    case doc::Type::kString:
      return v->as_string();
    case doc::Type::kInt32:
      return std::to_string(v->as_int32());
    case doc::Type::kInt64:
      return std::to_string(v->as_int64());
    case doc::Type::kDouble:
      return DoubleToString(v->as_double());
    case doc::Type::kDecimal128:
      return doc::Decimal128ToString(v->as_decimal128());
    default: {
      Result<Value> s = ConvertTo(*v, doc::Type::kString);
      if (s.ok() && v->type() == doc::Type::kDate) return s->as_string();
      return TypeMismatch(std::string(name) + " cannot convert " + TypeNameOf(v) + " to a string");
    }
  }
}

Result<Opt> Concat(std::string_view, const Args& args) {
  std::string out;
  bool null = false;
  for (const Opt& a : args) {
    if (IsNullish(a)) {
      null = true;
      continue;
    }
    if (!a->is_string()) return TypeMismatch("$concat only supports strings, not " + TypeNameOf(a));
    out += a->as_string();
  }
  if (null) return Null();
  return Opt(Value(std::move(out)));
}

Result<Opt> ToLowerUpper(std::string_view name, const Args& args) {
  PLINTH_ASSIGN_OR_RETURN(std::string s, CoerceToString(name, args[0]));
  const bool lower = name == "$toLower";
  // ASCII only, as MongoDB's $toLower/$toUpper are.
  for (char& c : s) {
    if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return Opt(Value(std::move(s)));
}

Result<Opt> StrCaseCmp(std::string_view name, const Args& args) {
  PLINTH_ASSIGN_OR_RETURN(std::string a, CoerceToString(name, args[0]));
  PLINTH_ASSIGN_OR_RETURN(std::string b, CoerceToString(name, args[1]));
  auto fold = [](std::string s) {
    for (char& c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
  };
  const int c = fold(a).compare(fold(b));
  return Opt(Value(c < 0 ? -1 : c > 0 ? 1 : 0));
}

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

// Byte offsets of the code points of `s`, plus s.size() at the end.
std::vector<std::size_t> CodePointOffsets(std::string_view s) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!IsContinuationByte(static_cast<unsigned char>(s[i]))) out.push_back(i);
  }
  out.push_back(s.size());
  return out;
}

Result<std::int64_t> IntArg(std::string_view name, const Opt& v, std::string_view what) {
  if (!v.has_value() || !v->is_number()) {
    return TypeMismatch(std::string(name) + ": " + std::string(what) +
                        " must be a numeric type, found: " + TypeNameOf(v));
  }
  std::optional<std::int64_t> n = WholeNumber(*v);
  if (!n.has_value()) {
    return base::BadValue(std::string(name) + ": " + std::string(what) +
                          " must be an integral value");
  }
  return *n;
}

Result<Opt> SubstrBytes(std::string_view name, const Args& args) {
  PLINTH_ASSIGN_OR_RETURN(std::string s, CoerceToString(name, args[0]));
  if (!args[1].has_value() || !args[1]->is_number()) {
    return TypeMismatch(std::string(name) +
                        ":  starting index must be a numeric type (is BSON type " +
                        TypeNameOf(args[1]) + ")");
  }
  if (!args[2].has_value() || !args[2]->is_number()) {
    return TypeMismatch(std::string(name) + ":  length must be a numeric type (is BSON type " +
                        TypeNameOf(args[2]) + ")");
  }
  const double start_d = NumberToDouble(*args[1]);
  const double len_d = NumberToDouble(*args[2]);
  if (start_d < 0)
    return base::BadValue(std::string(name) + ": starting index must be non-negative");
  const auto start = static_cast<std::size_t>(std::min(start_d, 9.0e15));
  if (start >= s.size()) return Opt(Value(""));
  std::size_t len = len_d < 0 ? s.size() : static_cast<std::size_t>(std::min(len_d, 9.0e15));
  len = std::min(len, s.size() - start);
  if (IsContinuationByte(static_cast<unsigned char>(s[start]))) {
    return base::BadValue(std::string(name) +
                          ":  Invalid range, starting index is a UTF-8 continuation byte.");
  }
  if (start + len < s.size() && IsContinuationByte(static_cast<unsigned char>(s[start + len]))) {
    return base::BadValue(std::string(name) +
                          ":  Invalid range, ending index is in the middle of a UTF-8 character.");
  }
  return Opt(Value(s.substr(start, len)));
}

Result<Opt> SubstrCP(std::string_view name, const Args& args) {
  PLINTH_ASSIGN_OR_RETURN(std::string s, CoerceToString(name, args[0]));
  PLINTH_ASSIGN_OR_RETURN(std::int64_t start, IntArg(name, args[1], "starting index"));
  PLINTH_ASSIGN_OR_RETURN(std::int64_t len, IntArg(name, args[2], "length"));
  if (start < 0) return base::BadValue(std::string(name) + ": starting index must be non-negative");
  if (len < 0) return base::BadValue(std::string(name) + ": length must be non-negative");
  const std::vector<std::size_t> cps = CodePointOffsets(s);
  const auto count = static_cast<std::int64_t>(cps.size() - 1);
  if (start >= count) return Opt(Value(""));
  const std::int64_t end = std::min(count, start + std::min(len, count));
  return Opt(
      Value(s.substr(cps[static_cast<std::size_t>(start)],
                     cps[static_cast<std::size_t>(end)] - cps[static_cast<std::size_t>(start)])));
}

Result<Opt> StrLen(std::string_view name, const Args& args) {
  const Opt& a = args[0];
  if (!a.has_value() || !a->is_string()) {
    return TypeMismatch(std::string(name) + " requires a string argument, found: " + TypeNameOf(a));
  }
  if (name == "$strLenBytes") return Opt(Value(static_cast<std::int32_t>(a->as_string().size())));
  return Opt(Value(static_cast<std::int32_t>(CodePointOffsets(a->as_string()).size() - 1)));
}

Result<Opt> Split(std::string_view, const Args& args) {
  if (IsNullish(args[0]) || IsNullish(args[1])) return Null();
  if (!args[0]->is_string()) {
    return TypeMismatch(
        "$split requires an expression that evaluates to a string as a first "
        "argument, found: " +
        TypeNameOf(args[0]));
  }
  if (!args[1]->is_string()) {
    return TypeMismatch(
        "$split requires an expression that evaluates to a string as a second "
        "argument, found: " +
        TypeNameOf(args[1]));
  }
  const std::string& s = args[0]->as_string();
  const std::string& sep = args[1]->as_string();
  if (sep.empty()) return base::BadValue("$split requires a non-empty separator");
  doc::Array out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(sep, start);
    if (at == std::string::npos) break;
    out.Append(Value(s.substr(start, at - start)));
    start = at + sep.size();
  }
  out.Append(Value(s.substr(start)));
  return Opt(Value(std::move(out)));
}

// The code points $trim removes by default: NUL, the ASCII spaces, and the
// Unicode space separators MongoDB lists.
const std::vector<std::string>& DefaultTrimChars() {
  static const std::vector<std::string> kChars = {std::string(1, '\0'),
                                                  " ",
                                                  "\t",
                                                  "\n",
                                                  "\v",
                                                  "\f",
                                                  "\r",
                                                  "\xC2\xA0",      // U+00A0
                                                  "\xE1\x9A\x80",  // U+1680
                                                  "\xE2\x80\x80",
                                                  "\xE2\x80\x81",
                                                  "\xE2\x80\x82",
                                                  "\xE2\x80\x83",  // U+2000..
                                                  "\xE2\x80\x84",
                                                  "\xE2\x80\x85",
                                                  "\xE2\x80\x86",
                                                  "\xE2\x80\x87",
                                                  "\xE2\x80\x88",
                                                  "\xE2\x80\x89",
                                                  "\xE2\x80\x8A"};
  return kChars;
}

Result<Opt> Trim(std::string_view name, const Args& args) {
  if (IsNullish(args[0])) return Null();
  if (!args[0]->is_string()) {
    return TypeMismatch(std::string(name) + " requires its input to be a string, got " +
                        TypeNameOf(args[0]) + " instead.");
  }
  std::vector<std::string> chars;
  if (args.size() > 1) {
    if (IsNullish(args[1])) return Null();
    if (!args[1]->is_string()) {
      return TypeMismatch(std::string(name) + " requires 'chars' to be a string, got " +
                          TypeNameOf(args[1]) + " instead.");
    }
    const std::string& c = args[1]->as_string();
    const std::vector<std::size_t> cps = CodePointOffsets(c);
    for (std::size_t i = 0; i + 1 < cps.size(); ++i)
      chars.push_back(c.substr(cps[i], cps[i + 1] - cps[i]));
  } else {
    chars = DefaultTrimChars();
  }
  std::string_view s = args[0]->as_string();
  auto strip_front = [&]() {
    for (const std::string& c : chars) {
      if (s.starts_with(c)) {
        s.remove_prefix(c.size());
        return true;
      }
    }
    return false;
  };
  auto strip_back = [&]() {
    for (const std::string& c : chars) {
      if (s.ends_with(c)) {
        s.remove_suffix(c.size());
        return true;
      }
    }
    return false;
  };
  if (name != "$rtrim") {
    while (!s.empty() && strip_front()) {
    }
  }
  if (name != "$ltrim") {
    while (!s.empty() && strip_back()) {
    }
  }
  return Opt(Value(std::string(s)));
}

Result<Opt> IndexOfString(std::string_view name, const Args& args) {
  if (IsNullish(args[0])) return Null();
  if (!args[0]->is_string()) {
    return TypeMismatch(std::string(name) +
                        " requires a string as the first argument, found: " + TypeNameOf(args[0]));
  }
  if (!args[1].has_value() || !args[1]->is_string()) {
    return TypeMismatch(std::string(name) +
                        " requires a string as the second argument, found: " + TypeNameOf(args[1]));
  }
  const bool cp = name == "$indexOfCP";
  const std::string& s = args[0]->as_string();
  const std::vector<std::size_t> cps = cp ? CodePointOffsets(s) : std::vector<std::size_t>{};
  const auto length = static_cast<std::int64_t>(cp ? cps.size() - 1 : s.size());
  std::int64_t start = 0;
  std::int64_t end = length;
  if (args.size() > 2) {
    PLINTH_ASSIGN_OR_RETURN(start, IntArg(name, args[2], "starting index"));
    if (start < 0)
      return base::BadValue(std::string(name) +
                            " requires a nonnegative start index, found: " + std::to_string(start));
  }
  if (args.size() > 3) {
    PLINTH_ASSIGN_OR_RETURN(end, IntArg(name, args[3], "ending index"));
    if (end < 0)
      return base::BadValue(std::string(name) +
                            " requires a nonnegative ending index, found: " + std::to_string(end));
    end = std::min(end, length);
  }
  if (start > length || start > end) return Opt(Value(-1));
  const std::string& needle = args[1]->as_string();
  const std::size_t from =
      cp ? cps[static_cast<std::size_t>(start)] : static_cast<std::size_t>(start);
  const std::size_t to = cp ? cps[static_cast<std::size_t>(end)] : static_cast<std::size_t>(end);
  const std::size_t at = s.substr(0, to).find(needle, from);
  if (at == std::string::npos) return Opt(Value(-1));
  if (!cp) return Opt(Value(static_cast<std::int32_t>(at)));
  const auto it = std::lower_bound(cps.begin(), cps.end(), at);
  return Opt(Value(static_cast<std::int32_t>(it - cps.begin())));
}

// ---- arrays ----

Result<Opt> Size(std::string_view, const Args& args) {
  if (!args[0].has_value() || !args[0]->is_array()) {
    return TypeMismatch("The argument to $size must be an array. Type of argument: " +
                        TypeNameOf(args[0]));
  }
  return Opt(Value(static_cast<std::int32_t>(args[0]->as_array().size())));
}

Result<Opt> IsArray(std::string_view, const Args& args) {
  return Opt(Value(args[0].has_value() && args[0]->is_array()));
}

Result<Opt> ArrayElemAt(std::string_view, const Args& args) {
  if (IsNullish(args[0]) || IsNullish(args[1])) return Null();
  if (!args[0]->is_array()) {
    return TypeMismatch("$arrayElemAt's first argument must be an array, but is " +
                        TypeNameOf(args[0]));
  }
  std::optional<std::int64_t> i = args[1]->is_number() ? WholeNumber(*args[1]) : std::nullopt;
  if (!i.has_value() || *i > INT32_MAX || *i < INT32_MIN) {
    return TypeMismatch("$arrayElemAt's second argument must be a numeric value, but is " +
                        TypeNameOf(args[1]));
  }
  const doc::Array& a = args[0]->as_array();
  const auto n = static_cast<std::int64_t>(a.size());
  const std::int64_t at = *i < 0 ? n + *i : *i;
  if (at < 0 || at >= n) return Opt();
  return Opt(a[static_cast<std::size_t>(at)]);
}

Result<Opt> FirstLast(std::string_view name, const Args& args) {
  if (IsNullish(args[0])) return Null();
  if (!args[0]->is_array()) {
    return TypeMismatch(std::string(name) + "'s argument must be an array, but is " +
                        TypeNameOf(args[0]));
  }
  const doc::Array& a = args[0]->as_array();
  if (a.empty()) return Opt();
  return Opt(name == "$first" ? a[0] : a[a.size() - 1]);
}

Result<Opt> ConcatArrays(std::string_view, const Args& args) {
  doc::Array out;
  for (const Opt& a : args) {
    if (IsNullish(a)) return Null();
    if (!a->is_array()) {
      return TypeMismatch("$concatArrays only supports arrays, not " + TypeNameOf(a));
    }
    for (const Value& v : a->as_array()) out.Append(v);
  }
  return Opt(Value(std::move(out)));
}

Result<Opt> Slice(std::string_view, const Args& args) {
  for (const Opt& a : args) {
    if (IsNullish(a)) return Null();
  }
  if (!args[0]->is_array()) {
    return TypeMismatch("First argument to $slice must be an array, but is of type: " +
                        TypeNameOf(args[0]));
  }
  const doc::Array& a = args[0]->as_array();
  const auto n = static_cast<std::int64_t>(a.size());
  auto integral = [&](const Opt& v, std::string_view which) -> Result<std::int64_t> {
    std::optional<std::int64_t> i = v->is_number() ? WholeNumber(*v) : std::nullopt;
    if (!i.has_value() || *i > INT32_MAX || *i < INT32_MIN) {
      return TypeMismatch(std::string(which) +
                          " argument to $slice must be numeric, but is of type: " + TypeNameOf(v));
    }
    return *i;
  };
  std::int64_t start = 0;
  std::int64_t count = 0;
  if (args.size() == 2) {
    PLINTH_ASSIGN_OR_RETURN(std::int64_t k, integral(args[1], "Second"));
    if (k >= 0) {
      count = std::min(k, n);
    } else {
      start = std::max<std::int64_t>(0, n + k);
      count = n - start;
    }
  } else {
    PLINTH_ASSIGN_OR_RETURN(std::int64_t pos, integral(args[1], "Second"));
    PLINTH_ASSIGN_OR_RETURN(std::int64_t k, integral(args[2], "Third"));
    if (k <= 0) {
      return base::BadValue("Third argument to $slice must be positive: " + std::to_string(k));
    }
    start = pos >= 0 ? std::min(pos, n) : std::max<std::int64_t>(0, n + pos);
    count = std::min(k, n - start);
  }
  doc::Array out;
  for (std::int64_t i = start; i < start + count; ++i) out.Append(a[static_cast<std::size_t>(i)]);
  return Opt(Value(std::move(out)));
}

Result<Opt> ReverseArray(std::string_view, const Args& args) {
  if (IsNullish(args[0])) return Null();
  if (!args[0]->is_array()) {
    return TypeMismatch("$reverseArray's argument must be an array, but is " + TypeNameOf(args[0]));
  }
  doc::Array out = args[0]->as_array();
  std::reverse(out.mutable_values().begin(), out.mutable_values().end());
  return Opt(Value(std::move(out)));
}

Result<Opt> In(std::string_view, const Args& args) {
  if (!args[1].has_value() || !args[1]->is_array()) {
    return TypeMismatch("$in requires an array as a second argument, found: " +
                        TypeNameOf(args[1]));
  }
  const Value& needle = OrUndefined(args[0]);
  for (const Value& v : args[1]->as_array()) {
    if (doc::ValuesEqual(v, needle)) return Opt(Value(true));
  }
  return Opt(Value(false));
}

Result<Opt> IndexOfArray(std::string_view name, const Args& args) {
  if (IsNullish(args[0])) return Null();
  if (!args[0]->is_array()) {
    return TypeMismatch("$indexOfArray requires an array as a first argument, found: " +
                        TypeNameOf(args[0]));
  }
  const doc::Array& a = args[0]->as_array();
  const auto n = static_cast<std::int64_t>(a.size());
  std::int64_t start = 0;
  std::int64_t end = n;
  if (args.size() > 2) {
    PLINTH_ASSIGN_OR_RETURN(start, IntArg(name, args[2], "starting index"));
    if (start < 0) return base::BadValue("$indexOfArray requires a nonnegative starting index");
  }
  if (args.size() > 3) {
    PLINTH_ASSIGN_OR_RETURN(end, IntArg(name, args[3], "ending index"));
    if (end < 0) return base::BadValue("$indexOfArray requires a nonnegative ending index");
    end = std::min(end, n);
  }
  const Value& needle = OrUndefined(args[1]);
  for (std::int64_t i = start; i < end; ++i) {
    if (doc::ValuesEqual(a[static_cast<std::size_t>(i)], needle)) {
      return Opt(Value(static_cast<std::int32_t>(i)));
    }
  }
  return Opt(Value(-1));
}

Result<Opt> Range(std::string_view, const Args& args) {
  auto int32_arg = [&](const Opt& v, std::string_view what) -> Result<std::int64_t> {
    if (!v.has_value() || !v->is_number()) {
      return TypeMismatch("$range requires a numeric " + std::string(what) +
                          ", found value of type: " + TypeNameOf(v));
    }
    std::optional<std::int64_t> i = WholeNumber(*v);
    if (!i.has_value() || *i > INT32_MAX || *i < INT32_MIN) {
      return base::BadValue("$range requires a " + std::string(what) +
                            " that can be represented as a 32-bit integer");
    }
    return *i;
  };
  PLINTH_ASSIGN_OR_RETURN(std::int64_t start, int32_arg(args[0], "starting value"));
  PLINTH_ASSIGN_OR_RETURN(std::int64_t end, int32_arg(args[1], "ending value"));
  std::int64_t step = 1;
  if (args.size() > 2) {
    PLINTH_ASSIGN_OR_RETURN(step, int32_arg(args[2], "step value"));
    if (step == 0) return base::BadValue("$range requires a non-zero step value");
  }
  const std::int64_t count = (step > 0 ? (end > start ? (end - start + step - 1) / step : 0)
                                       : (start > end ? (start - end + (-step) - 1) / (-step) : 0));
  if (count > kMaxRangeElements) {
    return base::Status(base::ErrorCode::kExceededMemoryLimit,
                        "$range would produce " + std::to_string(count) +
                            " elements, more than the limit of " +
                            std::to_string(kMaxRangeElements));
  }
  doc::Array out;
  out.mutable_values().reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0, v = start; i < count; ++i, v += step) {
    out.Append(Value(static_cast<std::int32_t>(v)));
  }
  return Opt(Value(std::move(out)));
}

// ---- types ----

Result<Opt> TypeOf(std::string_view, const Args& args) { return Opt(Value(TypeNameOf(args[0]))); }

Result<Opt> IsNumber(std::string_view, const Args& args) {
  return Opt(Value(args[0].has_value() && args[0]->is_number()));
}

constexpr EagerOp kOps[] = {
    {"$add", 0, -1, Add},
    {"$multiply", 0, -1, Multiply},
    {"$subtract", 2, 2, Subtract},
    {"$divide", 2, 2, Divide},
    {"$mod", 2, 2, Mod},
    {"$abs", 1, 1, Abs},
    {"$ceil", 1, 1, CeilFloor},
    {"$floor", 1, 1, CeilFloor},
    {"$round", 1, 2, RoundTrunc},
    {"$trunc", 1, 2, RoundTrunc},
    {"$sqrt", 1, 1, MathFn},
    {"$exp", 1, 1, MathFn},
    {"$ln", 1, 1, MathFn},
    {"$log10", 1, 1, MathFn},
    {"$log", 2, 2, Log},
    {"$pow", 2, 2, Pow},
    {"$eq", 2, 2, CompareOp},
    {"$ne", 2, 2, CompareOp},
    {"$gt", 2, 2, CompareOp},
    {"$gte", 2, 2, CompareOp},
    {"$lt", 2, 2, CompareOp},
    {"$lte", 2, 2, CompareOp},
    {"$cmp", 2, 2, CompareOp},
    {"$not", 1, 1, Not},
    {"$concat", 0, -1, Concat},
    {"$toLower", 1, 1, ToLowerUpper},
    {"$toUpper", 1, 1, ToLowerUpper},
    {"$strcasecmp", 2, 2, StrCaseCmp},
    {"$substr", 3, 3, SubstrBytes},
    {"$substrBytes", 3, 3, SubstrBytes},
    {"$substrCP", 3, 3, SubstrCP},
    {"$strLenBytes", 1, 1, StrLen},
    {"$strLenCP", 1, 1, StrLen},
    {"$split", 2, 2, Split},
    {"$trim", 1, 2, Trim},
    {"$ltrim", 1, 2, Trim},
    {"$rtrim", 1, 2, Trim},
    {"$indexOfBytes", 2, 4, IndexOfString},
    {"$indexOfCP", 2, 4, IndexOfString},
    {"$size", 1, 1, Size},
    {"$isArray", 1, 1, IsArray},
    {"$arrayElemAt", 2, 2, ArrayElemAt},
    {"$first", 1, 1, FirstLast},
    {"$last", 1, 1, FirstLast},
    {"$concatArrays", 0, -1, ConcatArrays},
    {"$slice", 2, 3, Slice},
    {"$reverseArray", 1, 1, ReverseArray},
    {"$in", 2, 2, In},
    {"$indexOfArray", 2, 4, IndexOfArray},
    {"$range", 2, 3, Range},
    {"$type", 1, 1, TypeOf},
    {"$isNumber", 1, 1, IsNumber},
};

}  // namespace

const EagerOp* FindEagerOp(std::string_view name) {
  for (const EagerOp& op : kOps) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace plinth::expr
