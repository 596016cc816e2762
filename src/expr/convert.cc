// Type conversion: $convert's matrix and its shorthands ($toString $toInt
// $toLong $toDouble $toDecimal $toBool $toObjectId $toDate).

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "doc/decimal128.h"
#include "doc/iso_date.h"
#include "expr/arithmetic.h"
#include "expr/internal.h"

namespace plinth::expr {
namespace {

using base::Result;
using doc::Type;
using doc::Value;

base::Status Unsupported(const Value& input, Type to) {
  return base::BadValue("Unsupported conversion from " + std::string(doc::TypeName(input.type())) +
                        " to " + std::string(doc::TypeName(to)) +
                        " in $convert with no onError value");
}

base::Status Failed(std::string what) {
  return base::BadValue("Failed to parse " + what + " in $convert with no onError value");
}

// A base-10 integer string: optional sign, digits only (MongoDB refuses
// "5.0", " 5" and "0x10" when converting to int or long).
std::optional<std::int64_t> ParseInteger(const std::string& s) {
  std::int64_t v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') return std::nullopt;
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
  return v;
}

// Numbers that fit the target integer after truncation toward zero.
Result<std::int64_t> TruncateToInt64(const Value& input, std::int64_t lo, std::int64_t hi) {
  double d = 0;
  if (input.type() == Type::kDecimal128) {
    const doc::Decimal128 t = DecimalRound(input.as_decimal128(), 0, true);
    std::optional<std::int64_t> i = DecimalToInt64Exact(t);
    if (!i.has_value() || *i < lo || *i > hi) {
      return base::BadValue(
          "Conversion would overflow target type in $convert with no onError "
          "value: " +
          doc::Decimal128ToString(input.as_decimal128()));
    }
    return *i;
  }
  d = input.as_double();
  if (std::isnan(d) || std::isinf(d)) {
    return base::BadValue(
        "Attempt to convert NaN or infinity value to integer type in $convert "
        "with no onError value: " +
        DoubleToString(d));
  }
  const double t = std::trunc(d);
  if (t < static_cast<double>(lo) || t >= static_cast<double>(hi) + 1.0) {
    return base::BadValue(
        "Conversion would overflow target type in $convert with no onError "
        "value: " +
        DoubleToString(d));
  }
  return static_cast<std::int64_t>(t);
}

}  // namespace

Result<Type> ConvertTargetType(const Value& to) {
  if (to.is_string()) {
    const std::string& n = to.as_string();
    if (n == "double") return Type::kDouble;
    if (n == "string") return Type::kString;
    if (n == "objectId") return Type::kObjectId;
    if (n == "bool") return Type::kBool;
    if (n == "date") return Type::kDate;
    if (n == "int") return Type::kInt32;
    if (n == "long") return Type::kInt64;
    if (n == "decimal") return Type::kDecimal128;
    return base::BadValue("Unknown type name: " + n);
  }
  if (to.is_number()) {
    std::optional<std::int64_t> code = WholeNumber(to);
    if (code.has_value()) {
      switch (*code) {
        case 1:
          return Type::kDouble;
        case 2:
          return Type::kString;
        case 7:
          return Type::kObjectId;
        case 8:
          return Type::kBool;
        case 9:
          return Type::kDate;
        case 16:
          return Type::kInt32;
        case 18:
          return Type::kInt64;
        case 19:
          return Type::kDecimal128;
        default:
          break;
      }
      return base::BadValue(
          "In $convert, numeric value for 'to' does not correspond to a BSON "
          "type: " +
          std::to_string(*code));
    }
  }
  return base::BadValue("$convert's 'to' argument must be a string or number, but is " +
                        std::string(doc::TypeName(to.type())));
}

Result<Value> ConvertTo(const Value& input, Type to) {
  const Type from = input.type();
  switch (to) {
    case Type::kDouble:
      switch (from) {
        case Type::kDouble:
          return input;
        case Type::kInt32:
        case Type::kInt64:
          return Value(NumberToDouble(input));
        case Type::kDecimal128: {
          const double d = NumberToDouble(input);
          if (std::isinf(d) && !doc::IsNaN(input.as_decimal128()) &&
              doc::Decimal128ToString(input.as_decimal128()).find("Inf") == std::string::npos) {
            return base::BadValue(
                "Conversion would overflow target type in $convert with no "
                "onError value");
          }
          return Value(d);
        }
        case Type::kBool:
          return Value(input.as_bool() ? 1.0 : 0.0);
        case Type::kDate:
          return Value(static_cast<double>(input.as_date().millis));
        case Type::kString: {
          const std::string& s = input.as_string();
          double d = 0;
          auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
            if (s == "Infinity" || s == "inf") return Value(INFINITY);
            if (s == "-Infinity" || s == "-inf") return Value(-INFINITY);
            if (s == "NaN" || s == "nan") return Value(NAN);
            return Failed("number '" + s + "'");
          }
          return Value(d);
        }
        default:
          return Unsupported(input, to);
      }
    case Type::kInt32:
    case Type::kInt64: {
      const bool is_int = to == Type::kInt32;
      const std::int64_t lo = is_int ? INT32_MIN : INT64_MIN;
      const std::int64_t hi = is_int ? INT32_MAX : INT64_MAX;
      std::int64_t v = 0;
      switch (from) {
        case Type::kInt32:
          v = input.as_int32();
          break;
        case Type::kInt64:
          v = input.as_int64();
          if (v < lo || v > hi) {
            return base::BadValue(
                "Conversion would overflow target type in $convert with no "
                "onError value: " +
                std::to_string(v));
          }
          break;
        case Type::kDouble:
        case Type::kDecimal128: {
          PLINTH_ASSIGN_OR_RETURN(v, TruncateToInt64(input, lo, hi));
          break;
        }
        case Type::kBool:
          v = input.as_bool() ? 1 : 0;
          break;
        case Type::kDate:
          if (is_int) return Unsupported(input, to);
          v = input.as_date().millis;
          break;
        case Type::kString: {
          std::optional<std::int64_t> parsed = ParseInteger(input.as_string());
          if (!parsed.has_value() || *parsed < lo || *parsed > hi) {
            return Failed("number '" + input.as_string() + "'");
          }
          v = *parsed;
          break;
        }
        default:
          return Unsupported(input, to);
      }
      if (is_int) return Value(static_cast<std::int32_t>(v));
      return Value(v);
    }
    case Type::kDecimal128:
      switch (from) {
        case Type::kDecimal128:
        case Type::kInt32:
        case Type::kInt64:
        case Type::kDouble:
          return Value(ToDecimal128(input));
        case Type::kBool:
          return Value(doc::Decimal128FromInt64(input.as_bool() ? 1 : 0));
        case Type::kDate:
          return Value(doc::Decimal128FromInt64(input.as_date().millis));
        case Type::kString: {
          Result<doc::Decimal128> d = doc::Decimal128FromString(input.as_string());
          if (!d.ok()) return Failed("number '" + input.as_string() + "'");
          return Value(*d);
        }
        default:
          return Unsupported(input, to);
      }
    case Type::kBool:
      switch (from) {
        case Type::kBool:
          return input;
        case Type::kInt32:
        case Type::kInt64:
        case Type::kDouble:
        case Type::kDecimal128:
          return Value(IsTruthy(input));
        default:
          // Strings (even ""), dates, ObjectIds, arrays, documents, ... are true.
          return Value(true);
      }
    case Type::kString:
      switch (from) {
        case Type::kString:
          return input;
        case Type::kInt32:
          return Value(std::to_string(input.as_int32()));
        case Type::kInt64:
          return Value(std::to_string(input.as_int64()));
        case Type::kDouble:
          return Value(DoubleToString(input.as_double()));
        case Type::kDecimal128:
          return Value(doc::Decimal128ToString(input.as_decimal128()));
        case Type::kBool:
          return Value(input.as_bool() ? "true" : "false");
        case Type::kObjectId:
          return Value(input.as_object_id().ToHex());
        case Type::kDate: {
          std::optional<std::string> s = doc::FormatIsoDate(input.as_date().millis);
          if (!s.has_value()) {
            return base::BadValue(
                "date outside the years 0 to 9999 cannot be converted to a string");
          }
          return Value(*s);
        }
        default:
          return Unsupported(input, to);
      }
    case Type::kObjectId:
      if (from == Type::kObjectId) return input;
      if (from == Type::kString) {
        Result<doc::ObjectId> oid = doc::ObjectId::FromHex(input.as_string());
        if (!oid.ok() || input.as_string().size() != 24) {
          return Failed("objectId '" + input.as_string() + "'");
        }
        return Value(*oid);
      }
      return Unsupported(input, to);
    case Type::kDate:
      switch (from) {
        case Type::kDate:
          return input;
        case Type::kInt64:
          return Value(doc::DateTime{input.as_int64()});
        case Type::kDouble:
        case Type::kDecimal128: {
          PLINTH_ASSIGN_OR_RETURN(std::int64_t ms, TruncateToInt64(input, INT64_MIN, INT64_MAX));
          return Value(doc::DateTime{ms});
        }
        case Type::kTimestamp:
          return Value(doc::DateTime{static_cast<std::int64_t>(input.as_timestamp().t) * 1000});
        case Type::kObjectId:
          return Value(
              doc::DateTime{static_cast<std::int64_t>(input.as_object_id().Timestamp()) * 1000});
        case Type::kString: {
          std::string s = input.as_string();
          // A date alone ("2018-03-20") is midnight UTC.
          if (s.size() == 10) s += "T00:00:00Z";
          Result<std::int64_t> ms = doc::ParseIsoDate(s);
          if (!ms.ok()) return Failed("date '" + input.as_string() + "'");
          return Value(doc::DateTime{*ms});
        }
        default:
          return Unsupported(input, to);
      }
    default:
      return Unsupported(input, to);
  }
}

namespace {

Result<Opt> ToType(std::string_view op, const Args& args) {
  if (IsNullish(args[0])) return Opt(Value());
  Type to = Type::kString;
  if (op == "$toInt")
    to = Type::kInt32;
  else if (op == "$toLong")
    to = Type::kInt64;
  else if (op == "$toDouble")
    to = Type::kDouble;
  else if (op == "$toDecimal")
    to = Type::kDecimal128;
  else if (op == "$toBool")
    to = Type::kBool;
  else if (op == "$toObjectId")
    to = Type::kObjectId;
  else if (op == "$toDate")
    to = Type::kDate;
  PLINTH_ASSIGN_OR_RETURN(Value v, ConvertTo(*args[0], to));
  return Opt(std::move(v));
}

constexpr EagerOp kConvertOps[] = {
    {"$toString", 1, 1, ToType},   {"$toInt", 1, 1, ToType},     {"$toLong", 1, 1, ToType},
    {"$toDouble", 1, 1, ToType},   {"$toDecimal", 1, 1, ToType}, {"$toBool", 1, 1, ToType},
    {"$toObjectId", 1, 1, ToType}, {"$toDate", 1, 1, ToType},
};

}  // namespace

const EagerOp* FindConvertOp(std::string_view name) {
  for (const EagerOp& op : kConvertOps) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace plinth::expr
