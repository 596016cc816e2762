// Extended JSON parsing: a recursive-descent JSON parser that builds Values
// directly and turns EJSON type wrappers into typed values.
//
// Why not libbson's bson_init_from_json (used before): it silently wraps
// integers beyond int64 (99999999999999999999 became 7766279631452241919),
// turns a malformed $numberDecimal into NaN, rejects the {"$type": 2} query
// operator, drops unknown regex options, and needs a wrapper document for
// non-document input. Owning the parser also gives exact error positions and
// limit checks while reading.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "base/hex.h"
#include "base/utf8.h"
#include "doc/base64.h"
#include "doc/decimal128.h"
#include "doc/ejson.h"
#include "doc/iso_date.h"

namespace plinth::doc {
namespace {

using base::ErrorCode;
using base::Status;

// Recursion guard independent of Limits, so no setting can overflow the stack.
constexpr std::size_t kMaxJsonNesting = 4096;
// Objects with more fields than this check duplicates with a hash set.
constexpr std::size_t kLinearDuplicateScan = 32;

void AppendUtf8(std::string* out, std::uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the JSON number (RFC 8259 grammar) at the start of `s`, or 0.
// *is_integer is false when it has a fraction or an exponent.
std::size_t ScanNumber(std::string_view s, bool* is_integer) {
  std::size_t i = 0;
  auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digit(i)) return 0;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  *is_integer = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digit(i)) return 0;
    while (digit(i)) ++i;
    *is_integer = false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return 0;
    while (digit(i)) ++i;
    *is_integer = false;
  }
  return i;
}

// For a number text that std::from_chars reports out of range: true when it
// is too large for a double (rather than too small, which rounds to zero).
bool IsOverflow(std::string_view number) {
  if (!number.empty() && number[0] == '-') number.remove_prefix(1);
  const std::size_t e = number.find_first_of("eE");
  std::int64_t exp10 = 0;
  if (e != std::string_view::npos) {
    std::string_view exp = number.substr(e + 1);
    const bool negative = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.remove_prefix(1);
    auto r = std::from_chars(exp.data(), exp.data() + exp.size(), exp10);
    if (r.ec == std::errc::result_out_of_range) exp10 = std::numeric_limits<std::int32_t>::max();
    if (negative) exp10 = -exp10;
    number = number.substr(0, e);
  }
  const std::size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : number.substr(dot + 1);
  const std::size_t first = whole.find_first_not_of('0');
  if (first != std::string_view::npos) {
    return static_cast<std::int64_t>(whole.size() - first) - 1 + exp10 > 0;
  }
  const std::size_t k = fraction.find_first_not_of('0');
  if (k == std::string_view::npos) return false;  // zero; never out of range
  return -static_cast<std::int64_t>(k) - 1 + exp10 > 0;
}

enum class NumberStatus { kOk, kOverflow };

// Converts a scanned JSON number to Int32, Int64 or Double per the EJSON
// rules; integers too large for int64 become Double.
NumberStatus NumberValue(std::string_view number, bool is_integer, Value* out) {
  const char* end = number.data() + number.size();
  if (is_integer) {
    std::int64_t v = 0;
    auto r = std::from_chars(number.data(), end, v);
    if (r.ec == std::errc() && r.ptr == end) {
      if (v >= std::numeric_limits<std::int32_t>::min() &&
          v <= std::numeric_limits<std::int32_t>::max()) {
        *out = static_cast<std::int32_t>(v);
      } else {
        *out = v;
      }
      return NumberStatus::kOk;
    }
  }
  double d = 0;
  auto r = std::from_chars(number.data(), end, d);
  if (r.ec == std::errc::result_out_of_range) {
    if (IsOverflow(number)) return NumberStatus::kOverflow;
    d = number[0] == '-' ? -0.0 : 0.0;
  }
  *out = d;
  return NumberStatus::kOk;
}

bool IsTypeKey(std::string_view key) {
  static constexpr std::string_view kKeys[] = {"$oid",
                                               "$symbol",
                                               "$numberInt",
                                               "$numberLong",
                                               "$numberDouble",
                                               "$binary",
                                               "$code",
                                               "$scope",
                                               "$timestamp",
                                               "$numberDecimal",
                                               "$date",
                                               "$dbPointer",
                                               "$regularExpression",
                                               "$minKey",
                                               "$maxKey",
                                               "$undefined",
                                               "$uuid"};
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

// "1", "-20": an optional minus and digits, nothing else.
template <typename Int>
bool ParseStrictInt(std::string_view s, Int* out) {
  if (s.empty() || s[0] == '+') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseUnsigned32(const Value& v, std::uint32_t* out) {
  std::int64_t n;
  if (v.type() == Type::kInt32) {
    n = v.as_int32();
  } else if (v.type() == Type::kInt64) {
    n = v.as_int64();
  } else {
    return false;
  }
  if (n < 0 || n > std::numeric_limits<std::uint32_t>::max()) return false;
  *out = static_cast<std::uint32_t>(n);
  return true;
}

bool ParseSubtype(const Value& v, std::uint8_t* out) {
  if (!v.is_string()) return false;
  const std::string& s = v.as_string();
  if (s.empty() || s.size() > 2) return false;
  int value = 0;
  for (char c : s) {
    const int h = base::HexDigitValue(c);
    if (h < 0) return false;
    value = value * 16 + h;
  }
  *out = static_cast<std::uint8_t>(value);
  return true;
}

// 8-4-4-4-12 hex digits, or 32 hex digits without hyphens.
bool ParseUuid(std::string_view s, std::string* bytes) {
  std::string hex;
  if (s.size() == 36) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      const bool hyphen_slot = i == 8 || i == 13 || i == 18 || i == 23;
      if (hyphen_slot != (s[i] == '-')) return false;
      if (!hyphen_slot) hex.push_back(s[i]);
    }
  } else if (s.size() == 32) {
    hex = s;
  } else {
    return false;
  }
  bytes->clear();
  for (std::size_t i = 0; i < 32; i += 2) {
    const int hi = base::HexDigitValue(hex[i]);
    const int lo = base::HexDigitValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits)
      : text_(text),
        limits_(limits),
        max_open_(std::min(2 * limits.max_depth + 2, kMaxJsonNesting)) {}

  Status Parse(Value* out) {
    if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // BOM
    SkipWhitespace();
    if (pos_ == text_.size()) return base::BadValue("invalid JSON: the input is empty");
    std::size_t depth = 0;
    PLINTH_RETURN_IF_ERROR(ParseValue(out, &depth));
    SkipWhitespace();
    if (pos_ != text_.size()) return Error(pos_, "unexpected text after the JSON value");
    return Status::Ok();
  }

 private:
  Status Error(std::size_t at, std::string_view what) const {
    at = std::min(at, text_.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < at; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return base::BadValue("invalid JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(at - line_start + 1) + ": " + std::string(what));
  }

  Status NestingError() const {
    if (max_open_ == kMaxJsonNesting) {
      return Status(
          ErrorCode::kDepthLimitExceeded,
          "JSON nesting exceeds the limit of " + std::to_string(kMaxJsonNesting) + " levels");
    }
    return DepthLimitError(limits_);
  }

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  Status ParseValue(Value* out, std::size_t* depth) {
    SkipWhitespace();
    *depth = 0;
    if (pos_ == text_.size()) return Error(pos_, "unexpected end of input, expected a value");
    const char c = text_[pos_];
    switch (c) {
      case '{':
        return ParseObject(out, depth);
      case '[':
        return ParseArray(out, depth);
      case '"': {
        std::string s;
        PLINTH_RETURN_IF_ERROR(ParseString(&s));
        *out = std::move(s);
        return Status::Ok();
      }
      case 't':
        return ParseLiteral("true", true, out);
      case 'f':
        return ParseLiteral("false", false, out);
      case 'n':
        return ParseLiteral("null", Null{}, out);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
        return Error(pos_, UnexpectedCharacter(c) + ", expected a value");
    }
  }

  static std::string UnexpectedCharacter(char c) {
    if (c >= 0x21 && c < 0x7F) return std::string("unexpected character '") + c + "'";
    static constexpr char kHex[] = "0123456789abcdef";
    const auto b = static_cast<unsigned char>(c);
    return std::string("unexpected byte 0x") + kHex[b >> 4] + kHex[b & 15];
  }

  Status ParseLiteral(std::string_view word, Value value, Value* out) {
    if (text_.substr(pos_, word.size()) != word) {
      return Error(pos_, UnexpectedCharacter(text_[pos_]) + ", expected a value");
    }
    pos_ += word.size();
    *out = std::move(value);
    return Status::Ok();
  }

  Status ParseNumber(Value* out) {
    const std::size_t start = pos_;
    bool is_integer = false;
    const std::size_t len = ScanNumber(text_.substr(pos_), &is_integer);
    if (len == 0) return Error(start, "invalid number");
    pos_ += len;
    if (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      return Error(start, "invalid number (leading zeros are not allowed)");
    }
    if (Peek('.')) return Error(start, "invalid number");
    const std::string_view number = text_.substr(start, len);
    if (NumberValue(number, is_integer, out) == NumberStatus::kOverflow) {
      return Error(start, "number " + std::string(number.substr(0, 40)) +
                              " is out of the range of a double");
    }
    return Status::Ok();
  }

  Status ParseString(std::string* out) {
    const std::size_t start = pos_;
    ++pos_;  // opening quote
    while (true) {
      // Copy the run of bytes that need no attention in one go.
      std::size_t run = pos_;
      while (run < text_.size()) {
        const auto b = static_cast<unsigned char>(text_[run]);
        if (b == '"' || b == '\\' || b < 0x20 || b >= 0x80) break;
        ++run;
      }
      out->append(text_.data() + pos_, run - pos_);
      pos_ = run;
      if (pos_ == text_.size()) return Error(start, "unterminated string");
      const auto b = static_cast<unsigned char>(text_[pos_]);
      if (b == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (b < 0x20) return Error(pos_, "control character in a string (escape it)");
      if (b >= 0x80) {
        const std::size_t n = base::Utf8SequenceLength(text_, pos_);
        if (n == 0) return Error(pos_, "invalid UTF-8 in a string");
        out->append(text_.data() + pos_, n);
        pos_ += n;
        continue;
      }
      PLINTH_RETURN_IF_ERROR(ParseEscape(out));
    }
  }

  Status ParseEscape(std::string* out) {
    const std::size_t at = pos_;
    if (pos_ + 1 >= text_.size()) return Error(at, "unterminated string");
    const char c = text_[pos_ + 1];
    pos_ += 2;
    switch (c) {
      case '"':
        out->push_back('"');
        return Status::Ok();
      case '\\':
        out->push_back('\\');
        return Status::Ok();
      case '/':
        out->push_back('/');
        return Status::Ok();
      case 'b':
        out->push_back('\b');
        return Status::Ok();
      case 'f':
        out->push_back('\f');
        return Status::Ok();
      case 'n':
        out->push_back('\n');
        return Status::Ok();
      case 'r':
        out->push_back('\r');
        return Status::Ok();
      case 't':
        out->push_back('\t');
        return Status::Ok();
      case 'u':
        break;
      default:
        return Error(at, "invalid escape sequence in a string");
    }
    std::uint32_t cp = 0;
    if (!ReadHex4(&cp)) return Error(at, "invalid \\u escape (expected 4 hex digits)");
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Error(at, "unpaired surrogate in a \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (text_.substr(pos_, 2) != "\\u") return Error(at, "unpaired surrogate in a \\u escape");
      pos_ += 2;
      if (!ReadHex4(&low) || low < 0xDC00 || low > 0xDFFF) {
        return Error(at, "unpaired surrogate in a \\u escape");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(out, cp);
    return Status::Ok();
  }

  bool ReadHex4(std::uint32_t* out) {
    if (pos_ + 4 > text_.size()) return false;
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int h = base::HexDigitValue(text_[pos_ + i]);
      if (h < 0) return false;
      v = v << 4 | static_cast<std::uint32_t>(h);
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  Status ParseArray(Value* out, std::size_t* depth) {
    if (++open_ > max_open_) return NestingError();
    ++pos_;  // '['
    Array array;
    std::size_t max_child = 0;
    SkipWhitespace();
    if (Peek(']')) {
      ++pos_;
    } else {
      while (true) {
        Value v;
        std::size_t d = 0;
        PLINTH_RETURN_IF_ERROR(ParseValue(&v, &d));
        max_child = std::max(max_child, d);
        array.Append(std::move(v));
        SkipWhitespace();
        if (Peek(',')) {
          ++pos_;
        } else if (Peek(']')) {
          ++pos_;
          break;
        } else {
          return Error(pos_, "expected ',' or ']' in an array");
        }
      }
    }
    --open_;
    *depth = max_child + 1;
    if (*depth > limits_.max_depth) return DepthLimitError(limits_);
    *out = std::move(array);
    return Status::Ok();
  }

  Status ParseObject(Value* out, std::size_t* depth) {
    if (++open_ > max_open_) return NestingError();
    const std::size_t start = pos_;
    ++pos_;  // '{'
    Document doc;
    std::unordered_set<std::string> names;  // used once the object grows large
    bool dollar_key = false;
    std::size_t max_child = 0;
    SkipWhitespace();
    if (Peek('}')) {
      ++pos_;
    } else {
      while (true) {
        SkipWhitespace();
        if (!Peek('"')) return Error(pos_, "expected a field name in double quotes");
        const std::size_t key_at = pos_;
        std::string key;
        PLINTH_RETURN_IF_ERROR(ParseString(&key));
        if (key.find('\0') != std::string::npos) {
          return Error(key_at, "field names cannot contain NUL (\\u0000)");
        }
        SkipWhitespace();
        if (!Peek(':')) return Error(pos_, "expected ':' after a field name");
        ++pos_;
        Value v;
        std::size_t d = 0;
        PLINTH_RETURN_IF_ERROR(ParseValue(&v, &d));
        max_child = std::max(max_child, d);
        if (IsDuplicate(doc, &names, key)) {
          return Error(key_at, "duplicate field name \"" + key.substr(0, 64) + "\"");
        }
        dollar_key = dollar_key || (!key.empty() && key[0] == '$');
        doc.Append(std::move(key), std::move(v));
        SkipWhitespace();
        if (Peek(',')) {
          ++pos_;
        } else if (Peek('}')) {
          ++pos_;
          break;
        } else {
          return Error(pos_, "expected ',' or '}' in an object");
        }
      }
    }
    --open_;
    if (dollar_key) {
      bool converted = false;
      PLINTH_RETURN_IF_ERROR(ConvertWrapper(&doc, start, out, &converted));
      if (converted) return Status::Ok();  // a scalar: depth 0
    }
    *depth = max_child + 1;
    if (*depth > limits_.max_depth) return DepthLimitError(limits_);
    *out = std::move(doc);
    return Status::Ok();
  }

  static bool IsDuplicate(const Document& doc, std::unordered_set<std::string>* names,
                          const std::string& key) {
    if (doc.size() < kLinearDuplicateScan) return doc.Has(key);
    if (names->empty()) {
      for (const auto& f : doc) names->insert(f.first);
    }
    return !names->insert(key).second;
  }

  Status WrapperError(std::size_t at, std::string_view key, std::string_view expected) const {
    return Error(at, "invalid " + std::string(key) + ": expected " + std::string(expected));
  }

  // If `doc` holds an EJSON type key, checks that it is exactly that type's
  // wrapper and stores the typed value in *out (*converted = true). Objects
  // with only other '$' keys (query and update operators) are left alone.
  Status ConvertWrapper(Document* doc, std::size_t at, Value* out, bool* converted) {
    const auto& fields = doc->fields();
    auto type_key = std::find_if(fields.begin(), fields.end(),
                                 [](const Document::Field& f) { return IsTypeKey(f.first); });
    if (type_key == fields.end()) return Status::Ok();
    const std::string key = type_key->first;
    *converted = true;

    if (key == "$binary") return ConvertBinary(*doc, at, out);
    if (key == "$code" || key == "$scope") {
      if (doc->Has("$scope")) return Error(at, "code with scope ($scope) is not supported");
    }
    if (doc->size() != 1) {
      const auto other = std::find_if(fields.begin(), fields.end(),
                                      [&](const Document::Field& f) { return f.first != key; });
      return Error(at, "invalid " + key + ": unexpected field \"" + other->first.substr(0, 64) +
                           "\" beside it");
    }
    const Value& v = fields[0].second;

    if (key == "$oid") {
      if (v.is_string()) {
        if (auto oid = ObjectId::FromHex(v.as_string()); oid.ok()) {
          *out = *oid;
          return Status::Ok();
        }
      }
      return WrapperError(at, key, "a string of 24 hex digits");
    }
    if (key == "$numberInt") {
      std::int32_t n = 0;
      if (!v.is_string() || !ParseStrictInt(v.as_string(), &n)) {
        return WrapperError(at, key, "a string holding a 32-bit integer");
      }
      *out = n;
      return Status::Ok();
    }
    if (key == "$numberLong") {
      std::int64_t n = 0;
      if (!v.is_string() || !ParseStrictInt(v.as_string(), &n)) {
        return WrapperError(at, key, "a string holding a 64-bit integer");
      }
      *out = n;
      return Status::Ok();
    }
    if (key == "$numberDouble") return ConvertDouble(v, at, out);
    if (key == "$numberDecimal") {
      if (!v.is_string()) return WrapperError(at, key, "a string");
      base::Result<Decimal128> d = Decimal128FromString(v.as_string());
      if (!d.ok()) return Error(at, "invalid $numberDecimal: " + d.status().message());
      *out = *d;
      return Status::Ok();
    }
    if (key == "$date") return ConvertDate(v, at, out);
    if (key == "$timestamp") {
      Timestamp ts;
      const Document* t = v.get_if<Document>();
      if (t == nullptr || t->size() != 2 || t->Get("t") == nullptr || t->Get("i") == nullptr ||
          !ParseUnsigned32(*t->Get("t"), &ts.t) || !ParseUnsigned32(*t->Get("i"), &ts.i)) {
        return WrapperError(at, key, "{\"t\": <uint32>, \"i\": <uint32>}");
      }
      *out = ts;
      return Status::Ok();
    }
    if (key == "$regularExpression") {
      const Document* r = v.get_if<Document>();
      const Value* pattern = r != nullptr ? r->Get("pattern") : nullptr;
      const Value* options = r != nullptr ? r->Get("options") : nullptr;
      if (r == nullptr || r->size() != 2 || pattern == nullptr || options == nullptr ||
          !pattern->is_string() || !options->is_string()) {
        return WrapperError(at, key, "{\"pattern\": <string>, \"options\": <string>}");
      }
      if (pattern->as_string().find('\0') != std::string::npos ||
          options->as_string().find('\0') != std::string::npos) {
        return Error(at, "invalid $regularExpression: NUL is not allowed in a regex");
      }
      std::string sorted = options->as_string();
      std::sort(sorted.begin(), sorted.end());
      *out = Regex{pattern->as_string(), std::move(sorted)};
      return Status::Ok();
    }
    if (key == "$minKey" || key == "$maxKey") {
      if (v.type() != Type::kInt32 || v.as_int32() != 1) return WrapperError(at, key, "1");
      if (key == "$minKey") {
        *out = MinKey{};
      } else {
        *out = MaxKey{};
      }
      return Status::Ok();
    }
    if (key == "$undefined") {
      if (!v.is_bool() || !v.as_bool()) return WrapperError(at, key, "true");
      *out = Undefined{};
      return Status::Ok();
    }
    if (key == "$code") {
      if (!v.is_string()) return WrapperError(at, key, "a string");
      *out = JavaScriptCode{v.as_string()};
      return Status::Ok();
    }
    if (key == "$symbol") {
      if (!v.is_string()) return WrapperError(at, key, "a string");
      *out = v.as_string();  // the value model has no Symbol; MongoDB orders it as a string
      return Status::Ok();
    }
    if (key == "$uuid") {
      std::string bytes;
      if (!v.is_string() || !ParseUuid(v.as_string(), &bytes)) {
        return WrapperError(at, key, "a UUID string like \"c8edabc3-f738-4ca3-b68d-ab92a91478a3\"");
      }
      *out = Binary{4, std::move(bytes)};
      return Status::Ok();
    }
    // $dbPointer
    return Error(at, "DBPointer values ($dbPointer) are not supported");
  }

  Status ConvertBinary(const Document& doc, std::size_t at, Value* out) const {
    const Value* payload = doc.Get("$binary");
    const Value* base64 = nullptr;
    const Value* subtype = nullptr;
    if (doc.size() == 2 && doc.Has("$type")) {
      // Legacy form: {"$binary": "<base64>", "$type": "<hex>"}.
      base64 = payload;
      subtype = doc.Get("$type");
    } else if (doc.size() == 1 && payload->is_document() && payload->as_document().size() == 2) {
      base64 = payload->as_document().Get("base64");
      subtype = payload->as_document().Get("subType");
    }
    Binary b;
    if (base64 == nullptr || subtype == nullptr || !base64->is_string() ||
        !ParseSubtype(*subtype, &b.subtype)) {
      return WrapperError(at, "$binary",
                          "{\"base64\": <string>, \"subType\": <1 or 2 hex digits>}");
    }
    std::optional<std::string> data = Base64Decode(base64->as_string());
    if (!data) return Error(at, "invalid $binary: the payload is not valid base64");
    b.data = std::move(*data);
    *out = std::move(b);
    return Status::Ok();
  }

  Status ConvertDouble(const Value& v, std::size_t at, Value* out) const {
    if (!v.is_string()) return WrapperError(at, "$numberDouble", "a string");
    const std::string& s = v.as_string();
    if (s == "Infinity") {
      *out = std::numeric_limits<double>::infinity();
    } else if (s == "-Infinity") {
      *out = -std::numeric_limits<double>::infinity();
    } else if (s == "NaN") {
      *out = std::numeric_limits<double>::quiet_NaN();
    } else {
      bool is_integer = false;
      if (ScanNumber(s, &is_integer) != s.size() || s.empty()) {
        return WrapperError(at, "$numberDouble",
                            "a decimal number, \"Infinity\", \"-Infinity\" or \"NaN\"");
      }
      Value parsed;
      if (NumberValue(s, /*is_integer=*/false, &parsed) == NumberStatus::kOverflow) {
        return Error(at, "invalid $numberDouble: " + s.substr(0, 40) + " is out of range");
      }
      *out = std::move(parsed);
    }
    return Status::Ok();
  }

  Status ConvertDate(const Value& v, std::size_t at, Value* out) const {
    if (v.is_string()) {
      base::Result<std::int64_t> millis = ParseIsoDate(v.as_string());
      if (!millis.ok()) return Error(at, "invalid $date: " + millis.status().message());
      *out = DateTime{*millis};
      return Status::Ok();
    }
    if (v.type() == Type::kInt64) {
      *out = DateTime{v.as_int64()};
      return Status::Ok();
    }
    if (v.type() == Type::kInt32) {
      *out = DateTime{v.as_int32()};
      return Status::Ok();
    }
    return WrapperError(at, "$date",
                        "an ISO-8601 string, {\"$numberLong\": \"<millis>\"} or an integer");
  }

  std::string_view text_;
  const Limits& limits_;
  std::size_t max_open_;
  std::size_t pos_ = 0;
  std::size_t open_ = 0;  // JSON objects and arrays currently open
};

}  // namespace

base::Result<Value> ParseJson(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_json_bytes) {
    return Status(
        ErrorCode::kSizeLimitExceeded,
        "JSON text exceeds the size limit of " + std::to_string(limits.max_json_bytes) + " bytes");
  }
  Value out;
  PLINTH_RETURN_IF_ERROR(Parser(text, limits).Parse(&out));
  if (const Document* d = out.get_if<Document>()) {
    if (BsonSize(*d) > limits.max_bson_bytes) return SizeLimitError(limits);
  } else if (const Array* a = out.get_if<Array>()) {
    if (BsonSize(*a) > limits.max_bson_bytes) return SizeLimitError(limits);
  }
  return out;
}

base::Result<Document> ParseJsonDocument(std::string_view text, const Limits& limits) {
  PLINTH_ASSIGN_OR_RETURN(Value v, ParseJson(text, limits));
  if (!v.is_document()) {
    return Status(ErrorCode::kBadValue,
                  std::string("expected a JSON object, got ") + std::string(TypeName(v.type())));
  }
  return std::move(v.as_document());
}

}  // namespace plinth::doc
