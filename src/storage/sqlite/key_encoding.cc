#include "storage/sqlite/key_encoding.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "doc/compare.h"
#include "doc/decimal128.h"

namespace plinth::storage::sqlite {
namespace {

// Class bytes of a number, in order.
constexpr char kNumNaN = 0x01;
constexpr char kNumNegInf = 0x02;
constexpr char kNumNeg = 0x03;
constexpr char kNumZero = 0x04;
constexpr char kNumPos = 0x05;
constexpr char kNumPosInf = 0x06;

// A finite non-zero magnitude 0.d1d2...dn x 10^exponent with d1 and dn != 0.
struct Magnitude {
  std::string digits;  // ASCII digits
  std::int64_t exponent = 0;
};

void Normalize(Magnitude* m) {
  std::size_t lead = 0;
  while (lead < m->digits.size() && m->digits[lead] == '0') ++lead;
  m->digits.erase(0, lead);
  m->exponent -= static_cast<std::int64_t>(lead);
  while (!m->digits.empty() && m->digits.back() == '0') m->digits.pop_back();
}

void AppendBigEndian(std::string* out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Appends the number class and, for finite non-zero values, the magnitude
// (complemented for negatives so larger magnitudes sort first).
void AppendNumber(std::string* out, bool negative, Magnitude m) {
  Normalize(&m);
  if (m.digits.empty()) {
    out->push_back(kNumZero);
    return;
  }
  out->push_back(negative ? kNumNeg : kNumPos);
  const std::size_t start = out->size();
  AppendBigEndian(out, static_cast<std::uint64_t>(m.exponent + 0x80000000LL), 4);
  for (std::size_t i = 0; i < m.digits.size(); i += 2) {
    const int hi = m.digits[i] - '0';
    const int lo = i + 1 < m.digits.size() ? m.digits[i + 1] - '0' : 0;
    out->push_back(static_cast<char>(hi * 10 + lo + 1));
  }
  out->push_back('\0');
  if (negative) {
    for (std::size_t i = start; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

void AppendInt64(std::string* out, std::int64_t v) {
  const bool negative = v < 0;
  std::uint64_t u = negative ? (~static_cast<std::uint64_t>(v) + 1) : static_cast<std::uint64_t>(v);
  Magnitude m;
  m.digits = std::to_string(u);
  m.exponent = static_cast<std::int64_t>(m.digits.size());
  AppendNumber(out, negative, std::move(m));
}

void AppendDouble(std::string* out, double v) {
  if (std::isnan(v)) {
    out->push_back(kNumNaN);
    return;
  }
  if (std::isinf(v)) {
    out->push_back(v < 0 ? kNumNegInf : kNumPosInf);
    return;
  }
  if (v == 0) {
    out->push_back(kNumZero);
    return;
  }
  // glibc prints the exact decimal expansion of a double; 767 significant
  // digits suffice for every double.
  char buf[900];
  std::snprintf(buf, sizeof buf, "%.780e", std::fabs(v));
  Magnitude m;
  const char* p = buf;
  for (; *p != 'e'; ++p) {
    if (*p != '.') m.digits.push_back(*p);
  }
  m.exponent = std::strtoll(p + 1, nullptr, 10) + 1;
  AppendNumber(out, v < 0, std::move(m));
}

void AppendDecimal(std::string* out, const doc::Decimal128& d) {
  if (doc::IsNaN(d)) {
    out->push_back(kNumNaN);
    return;
  }
  const std::string text = doc::Decimal128ToString(d);
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "Infinity" || s == "Inf") {
    out->push_back(negative ? kNumNegInf : kNumPosInf);
    return;
  }
  Magnitude m;
  std::int64_t before_point = -1;
  std::size_t i = 0;
  for (; i < s.size() && s[i] != 'E' && s[i] != 'e'; ++i) {
    if (s[i] == '.') {
      before_point = static_cast<std::int64_t>(m.digits.size());
    } else {
      m.digits.push_back(s[i]);
    }
  }
  if (before_point < 0) before_point = static_cast<std::int64_t>(m.digits.size());
  std::int64_t exp = 0;
  if (i < s.size()) exp = std::strtoll(std::string(s.substr(i + 1)).c_str(), nullptr, 10);
  m.exponent = before_point + exp;
  AppendNumber(out, negative, std::move(m));
}

// Strings: 0x00 escaped as 00 FF, terminated by 00 00.
void AppendString(std::string* out, std::string_view s) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back(static_cast<char>(0xFF));
  }
  out->push_back('\0');
  out->push_back('\0');
}

char RankByte(doc::Type t) { return static_cast<char>(doc::CanonicalTypeRank(t) + 2); }

void AppendPayload(std::string* out, const doc::Value& value) {
  using doc::Type;
  switch (value.type()) {
    case Type::kMinKey:
    case Type::kMaxKey:
    case Type::kNull:
    case Type::kUndefined:
      return;
    case Type::kInt32:
      AppendInt64(out, value.as_int32());
      return;
    case Type::kInt64:
      AppendInt64(out, value.as_int64());
      return;
    case Type::kDouble:
      AppendDouble(out, value.as_double());
      return;
    case Type::kDecimal128:
      AppendDecimal(out, value.as_decimal128());
      return;
    case Type::kString:
      AppendString(out, value.as_string());
      return;
    case Type::kDocument:
      for (const auto& [name, v] : value.as_document()) {
        out->push_back(RankByte(v.type()));
        AppendString(out, name);
        AppendPayload(out, v);
      }
      out->push_back('\0');
      return;
    case Type::kArray:
      for (const auto& v : value.as_array()) {
        out->push_back(RankByte(v.type()));
        AppendPayload(out, v);
      }
      out->push_back('\0');
      return;
    case Type::kBinary: {
      const auto& b = value.as_binary();
      AppendBigEndian(out, b.data.size(), 4);
      out->push_back(static_cast<char>(b.subtype));
      out->append(b.data);
      return;
    }
    case Type::kObjectId:
      for (auto byte : value.as_object_id().bytes()) out->push_back(static_cast<char>(byte));
      return;
    case Type::kBool:
      out->push_back(value.as_bool() ? 1 : 0);
      return;
    case Type::kDate:
      AppendBigEndian(out, static_cast<std::uint64_t>(value.as_date().millis) ^ (1ULL << 63), 8);
      return;
    case Type::kTimestamp:
      AppendBigEndian(out, value.as_timestamp().t, 4);
      AppendBigEndian(out, value.as_timestamp().i, 4);
      return;
    case Type::kRegex:
      AppendString(out, value.as_regex().pattern);
      AppendString(out, value.as_regex().options);
      return;
    case Type::kJavaScript:
      AppendString(out, value.as_javascript().code);
      return;
  }
}

}  // namespace

void AppendKey(std::string* out, const doc::Value& value) {
  out->push_back(RankByte(value.type()));
  AppendPayload(out, value);
}

void AppendKeyComponent(std::string* out, const doc::Value& value, bool descending) {
  const std::size_t start = out->size();
  AppendKey(out, value);
  if (descending) {
    for (std::size_t i = start; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

std::string EncodeKey(const doc::Value& value) {
  std::string out;
  AppendKey(&out, value);
  return out;
}

std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty())
    prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

base::Result<std::vector<std::string>> IndexKeys(const doc::Document& document,
                                                 const std::vector<KeyField>& fields,
                                                 std::size_t max_keys) {
  std::vector<std::string> keys{std::string()};
  std::vector<const doc::Value*> values;
  std::vector<std::string> parts;
  for (const KeyField& field : fields) {
    values.clear();
    doc::CollectPathValues(document, field.path, &values);
    parts.clear();
    static const doc::Value kNull;
    if (values.empty()) values.push_back(&kNull);
    for (const doc::Value* v : values) {
      std::string part;
      AppendKeyComponent(&part, *v, field.descending);
      parts.push_back(std::move(part));
      if (v->is_array()) {
        for (const doc::Value& element : v->as_array()) {
          std::string element_part;
          AppendKeyComponent(&element_part, element, field.descending);
          parts.push_back(std::move(element_part));
        }
      }
    }
    std::sort(parts.begin(), parts.end());
    parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
    if (keys.size() * parts.size() > max_keys) {
      return base::BadValue("too many index keys for one document");
    }
    std::vector<std::string> next;
    next.reserve(keys.size() * parts.size());
    for (const std::string& prefix : keys) {
      for (const std::string& part : parts) next.push_back(prefix + part);
    }
    keys = std::move(next);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace plinth::storage::sqlite
