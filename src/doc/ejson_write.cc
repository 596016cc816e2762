// Extended JSON output: our own writer, compact, canonical or relaxed.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/json_escape.h"
#include "doc/base64.h"
#include "doc/decimal128.h"
#include "doc/ejson.h"
#include "doc/iso_date.h"

namespace plinth::doc {
namespace {

template <typename Int>
void AppendInt(std::string* out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

// {"<key>":"<text>"} with text that needs no escaping.
void AppendWrapped(std::string* out, std::string_view key, std::string_view text) {
  out->append("{\"").append(key).append("\":\"").append(text).append("\"}");
}

void AppendDocument(std::string* out, const Document& d, JsonFormat format);

void AppendValue(std::string* out, const Value& v, JsonFormat format) {
  const bool canonical = format == JsonFormat::kCanonical;
  switch (v.type()) {
    case Type::kNull:
      out->append("null");
      return;
    case Type::kBool:
      out->append(v.as_bool() ? "true" : "false");
      return;
    case Type::kString:
      base::AppendJsonString(out, v.as_string());
      return;
    case Type::kDocument:
      AppendDocument(out, v.as_document(), format);
      return;
    case Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendValue(out, e, format);
      }
      out->push_back(']');
      return;
    }
    case Type::kInt32:
      if (canonical) {
        out->append("{\"$numberInt\":\"");
        AppendInt(out, v.as_int32());
        out->append("\"}");
      } else {
        AppendInt(out, v.as_int32());
      }
      return;
    case Type::kInt64:
      if (canonical) {
        out->append("{\"$numberLong\":\"");
        AppendInt(out, v.as_int64());
        out->append("\"}");
      } else {
        AppendInt(out, v.as_int64());
      }
      return;
    case Type::kDouble: {
      const double d = v.as_double();
      if (canonical || !std::isfinite(d)) {
        AppendWrapped(out, "$numberDouble", FormatDouble(d));
      } else {
        out->append(FormatDouble(d));
      }
      return;
    }
    case Type::kDecimal128:
      AppendWrapped(out, "$numberDecimal", Decimal128ToString(v.as_decimal128()));
      return;
    case Type::kObjectId:
      AppendWrapped(out, "$oid", v.as_object_id().ToHex());
      return;
    case Type::kDate: {
      const std::int64_t millis = v.as_date().millis;
      if (!canonical && millis >= 0) {
        if (std::optional<std::string> iso = FormatIsoDate(millis)) {
          AppendWrapped(out, "$date", *iso);
          return;
        }
      }
      out->append("{\"$date\":{\"$numberLong\":\"");
      AppendInt(out, millis);
      out->append("\"}}");
      return;
    }
    case Type::kBinary: {
      static constexpr char kHex[] = "0123456789abcdef";
      const Binary& b = v.as_binary();
      out->append("{\"$binary\":{\"base64\":\"");
      out->append(Base64Encode(b.data));
      out->append("\",\"subType\":\"");
      out->push_back(kHex[b.subtype >> 4]);
      out->push_back(kHex[b.subtype & 15]);
      out->append("\"}}");
      return;
    }
    case Type::kRegex: {
      // The spec requires the options in alphabetical order.
      std::string options = v.as_regex().options;
      std::sort(options.begin(), options.end());
      out->append("{\"$regularExpression\":{\"pattern\":");
      base::AppendJsonString(out, v.as_regex().pattern);
      out->append(",\"options\":");
      base::AppendJsonString(out, options);
      out->append("}}");
      return;
    }
    case Type::kTimestamp:
      out->append("{\"$timestamp\":{\"t\":");
      AppendInt(out, v.as_timestamp().t);
      out->append(",\"i\":");
      AppendInt(out, v.as_timestamp().i);
      out->append("}}");
      return;
    case Type::kJavaScript:
      out->append("{\"$code\":");
      base::AppendJsonString(out, v.as_javascript().code);
      out->push_back('}');
      return;
    case Type::kUndefined:
      out->append("{\"$undefined\":true}");
      return;
    case Type::kMinKey:
      out->append("{\"$minKey\":1}");
      return;
    case Type::kMaxKey:
      out->append("{\"$maxKey\":1}");
      return;
  }
}

void AppendDocument(std::string* out, const Document& d, JsonFormat format) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : d) {
    if (!first) out->push_back(',');
    first = false;
    base::AppendJsonString(out, name);
    out->push_back(':');
    AppendValue(out, value, format);
  }
  out->push_back('}');
}

}  // namespace

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";

  // Shortest round-trip digits in scientific form: "-1.2345e+18".
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  std::string out;
  if (sci[0] == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exponent);

  if (exponent >= -4 && exponent < 16) {
    // Fixed notation, with at least one digit after the point.
    if (exponent < 0) {
      out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
    } else {
      const auto int_digits = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_digits) {
        out.append(digits).append(int_digits - digits.size(), '0').append(".0");
      } else {
        out.append(digits, 0, int_digits).append(".").append(digits, int_digits);
      }
    }
    return out;
  }
  // Scientific: d[.ddd]e±XX with at least two exponent digits.
  out.push_back(digits[0]);
  if (digits.size() > 1) out.append(".").append(digits, 1);
  out.push_back('e');
  out.push_back(exponent < 0 ? '-' : '+');
  const int magnitude = exponent < 0 ? -exponent : exponent;
  if (magnitude < 10) out.push_back('0');
  AppendInt(&out, magnitude);
  return out;
}

void AppendJson(std::string* out, const Value& value, JsonFormat format) {
  AppendValue(out, value, format);
}

void AppendJson(std::string* out, const Document& document, JsonFormat format) {
  AppendDocument(out, document, format);
}

std::string ToCanonicalJson(const Value& value) {
  std::string out;
  AppendValue(&out, value, JsonFormat::kCanonical);
  return out;
}

std::string ToCanonicalJson(const Document& document) {
  std::string out;
  AppendDocument(&out, document, JsonFormat::kCanonical);
  return out;
}

std::string ToRelaxedJson(const Value& value) {
  std::string out;
  AppendValue(&out, value, JsonFormat::kRelaxed);
  return out;
}

std::string ToRelaxedJson(const Document& document) {
  std::string out;
  AppendDocument(&out, document, JsonFormat::kRelaxed);
  return out;
}

}  // namespace plinth::doc
