#include "doc/compare.h"

#include <cmath>
#include <cstring>

#include "doc/decimal128.h"

namespace plinth::doc {
namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

template <typename T>
int ThreeWay(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int CompareBytes(std::string_view a, std::string_view b) { return Sign(a.compare(b)); }

int CompareDoubles(double a, double b) {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a == b) return 0;  // includes -0.0 == 0.0
  // At least one NaN: NaN sorts first and equals NaN.
  return std::isnan(a) ? (std::isnan(b) ? 0 : -1) : 1;
}

int CompareInt64ToDouble(std::int64_t a, double b) {
  if (std::isnan(b)) return 1;
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (b >= kTwoTo63) return -1;  // also +Infinity
  if (b < -kTwoTo63) return 1;   // also -Infinity
  // Here trunc(b) fits an int64 exactly; compare integer parts, then the
  // fraction decides.
  const double whole = std::trunc(b);
  const auto whole_int = static_cast<std::int64_t>(whole);
  if (a != whole_int) return a < whole_int ? -1 : 1;
  return b > whole ? -1 : (b < whole ? 1 : 0);
}

std::int64_t AsInt64(const Value& v) {
  return v.type() == Type::kInt32 ? v.as_int32() : v.as_int64();
}

bool IsIntegral(Type t) { return t == Type::kInt32 || t == Type::kInt64; }

int CompareNumbers(const Value& a, const Value& b) {
  const Type ta = a.type();
  const Type tb = b.type();
  if (ta == Type::kDecimal128 || tb == Type::kDecimal128) {
    if (ta == Type::kDecimal128 && tb == Type::kDecimal128) {
      return CompareDecimal128(a.as_decimal128(), b.as_decimal128());
    }
    const bool flip = ta != Type::kDecimal128;
    const Decimal128& dec = flip ? b.as_decimal128() : a.as_decimal128();
    const Value& other = flip ? a : b;
    const int c = other.type() == Type::kDouble ? CompareDecimal128ToDouble(dec, other.as_double())
                                                : CompareDecimal128ToInt64(dec, AsInt64(other));
    return flip ? -c : c;
  }
  if (IsIntegral(ta) && IsIntegral(tb)) return ThreeWay(AsInt64(a), AsInt64(b));
  if (ta == Type::kDouble && tb == Type::kDouble)
    return CompareDoubles(a.as_double(), b.as_double());
  if (ta == Type::kDouble) return -CompareInt64ToDouble(AsInt64(b), a.as_double());
  return CompareInt64ToDouble(AsInt64(a), b.as_double());
}

int CompareArrays(const Array& a, const Array& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (int c = Compare(a.values()[i], b.values()[i])) return c;
  }
  return ThreeWay(a.size(), b.size());
}

int CompareBinary(const Binary& a, const Binary& b) {
  if (a.data.size() != b.data.size()) return a.data.size() < b.data.size() ? -1 : 1;
  if (a.subtype != b.subtype) return a.subtype < b.subtype ? -1 : 1;
  return Sign(std::memcmp(a.data.data(), b.data.data(), a.data.size()));
}

// Compares two values of the same canonical rank.
int CompareSameRank(const Value& a, const Value& b) {
  switch (a.type()) {
    case Type::kMinKey:
    case Type::kMaxKey:
    case Type::kNull:
    case Type::kUndefined:
      return 0;
    case Type::kInt32:
    case Type::kInt64:
    case Type::kDouble:
    case Type::kDecimal128:
      return CompareNumbers(a, b);
    case Type::kString:
      return CompareBytes(a.as_string(), b.as_string());
    case Type::kDocument:
      return CompareDocuments(a.as_document(), b.as_document());
    case Type::kArray:
      return CompareArrays(a.as_array(), b.as_array());
    case Type::kBinary:
      return CompareBinary(a.as_binary(), b.as_binary());
    case Type::kObjectId:
      return ThreeWay(a.as_object_id(), b.as_object_id());
    case Type::kBool:
      return ThreeWay(a.as_bool(), b.as_bool());
    case Type::kDate:
      return ThreeWay(a.as_date().millis, b.as_date().millis);
    case Type::kTimestamp: {
      const Timestamp x = a.as_timestamp();
      const Timestamp y = b.as_timestamp();
      return x.t != y.t ? ThreeWay(x.t, y.t) : ThreeWay(x.i, y.i);
    }
    case Type::kRegex:
      if (int c = CompareBytes(a.as_regex().pattern, b.as_regex().pattern)) return c;
      return CompareBytes(a.as_regex().options, b.as_regex().options);
    case Type::kJavaScript:
      return CompareBytes(a.as_javascript().code, b.as_javascript().code);
  }
  return 0;
}

}  // namespace

int CanonicalTypeRank(Type type) {
  switch (type) {
    case Type::kMinKey:
      return -1;
    case Type::kUndefined:
      return 0;
    case Type::kNull:
      return 5;
    case Type::kInt32:
    case Type::kInt64:
    case Type::kDouble:
    case Type::kDecimal128:
      return 10;
    case Type::kString:
      return 15;
    case Type::kDocument:
      return 20;
    case Type::kArray:
      return 25;
    case Type::kBinary:
      return 30;
    case Type::kObjectId:
      return 35;
    case Type::kBool:
      return 40;
    case Type::kDate:
      return 45;
    case Type::kTimestamp:
      return 47;
    case Type::kRegex:
      return 50;
    case Type::kJavaScript:
      return 60;
    case Type::kMaxKey:
      return 127;
  }
  return 127;
}

int Compare(const Value& a, const Value& b) {
  const int ra = CanonicalTypeRank(a.type());
  const int rb = CanonicalTypeRank(b.type());
  if (ra != rb) return ra < rb ? -1 : 1;
  return CompareSameRank(a, b);
}

int CompareDocuments(const Document& a, const Document& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& [name_a, value_a] = a.fields()[i];
    const auto& [name_b, value_b] = b.fields()[i];
    // MongoDB's BSONElement::woCompare: type rank, then field name, then value.
    const int ra = CanonicalTypeRank(value_a.type());
    const int rb = CanonicalTypeRank(value_b.type());
    if (ra != rb) return ra < rb ? -1 : 1;
    if (int c = CompareBytes(name_a, name_b)) return c;
    if (int c = CompareSameRank(value_a, value_b)) return c;
  }
  return ThreeWay(a.size(), b.size());
}

bool ValuesEqual(const Value& a, const Value& b) { return Compare(a, b) == 0; }

}  // namespace plinth::doc
