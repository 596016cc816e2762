#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace plinth::doc {

// BSON element types, numbered as in the BSON spec. Int32, Int64, Double and
// Decimal128 are kept distinct everywhere: realm-core demands exact types.
enum class Type : std::int8_t {
  kMinKey = -1,
  kDouble = 0x01,
  kString = 0x02,
  kDocument = 0x03,
  kArray = 0x04,
  kBinary = 0x05,
  kUndefined = 0x06,
  kObjectId = 0x07,
  kBool = 0x08,
  kDate = 0x09,
  kNull = 0x0A,
  kRegex = 0x0B,
  kJavaScript = 0x0D,
  kInt32 = 0x10,
  kTimestamp = 0x11,
  kInt64 = 0x12,
  kDecimal128 = 0x13,
  kMaxKey = 0x7F,
};

// MongoDB's type name ("double", "string", "object", "objectId", ...), as
// used by $type and in error messages.
std::string_view TypeName(Type type);

// A 12-byte ObjectId. Value type; thread-compatible.
class ObjectId {
 public:
  ObjectId() = default;
  explicit ObjectId(const std::array<std::uint8_t, 12>& bytes) : bytes_(bytes) {}
  // Parses 24 hex digits (either case).
  static base::Result<ObjectId> FromHex(std::string_view hex);
  std::string ToHex() const;
  const std::array<std::uint8_t, 12>& bytes() const { return bytes_; }
  // Seconds since the epoch stored in the first four bytes.
  std::uint32_t Timestamp() const;

  friend auto operator<=>(const ObjectId&, const ObjectId&) = default;

 private:
  std::array<std::uint8_t, 12> bytes_{};
};

// IEEE 754-2008 decimal128 in BID encoding, as BSON stores it. Arithmetic
// lives elsewhere (Intel's decimal library); this is only the bits.
struct Decimal128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend bool operator==(const Decimal128&, const Decimal128&) = default;
};

struct Binary {
  std::uint8_t subtype = 0;
  std::string data;
  friend bool operator==(const Binary&, const Binary&) = default;
};

struct Regex {
  std::string pattern;
  std::string options;
  friend bool operator==(const Regex&, const Regex&) = default;
};

// BSON's internal replication timestamp (not a date).
struct Timestamp {
  std::uint32_t t = 0;
  std::uint32_t i = 0;
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// Milliseconds since the Unix epoch (BSON UTC datetime).
struct DateTime {
  std::int64_t millis = 0;
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

struct JavaScriptCode {
  std::string code;
  friend bool operator==(const JavaScriptCode&, const JavaScriptCode&) = default;
};

struct Null {
  friend bool operator==(Null, Null) { return true; }
};
struct Undefined {
  friend bool operator==(Undefined, Undefined) { return true; }
};
struct MinKey {
  friend bool operator==(MinKey, MinKey) { return true; }
};
struct MaxKey {
  friend bool operator==(MaxKey, MaxKey) { return true; }
};

class Value;

// An ordered BSON document: field order is kept, as BSON does. Duplicate
// names are allowed on input (BSON permits them); Get() returns the first.
// Value type; thread-compatible (const methods may run concurrently).
class Document {
 public:
  using Field = std::pair<std::string, Value>;

  Document() = default;
  Document(std::initializer_list<Field> fields);

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Field>& mutable_fields() { return fields_; }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }

  // The first field named `name`, or nullptr.
  const Value* Get(std::string_view name) const;
  Value* GetMutable(std::string_view name);
  bool Has(std::string_view name) const { return Get(name) != nullptr; }
  // Replaces the first field named `name`, or appends it.
  void Set(std::string name, Value value);
  // Appends without looking for an existing field.
  void Append(std::string name, Value value);
  // Removes every field named `name`; returns how many were removed.
  std::size_t Remove(std::string_view name);

  friend bool operator==(const Document& a, const Document& b);

 private:
  std::vector<Field> fields_;
};

// The string value of `document`'s field `name`, or "" when the field is
// absent or not a string: for reading optional string fields of request
// bodies, token claims and Plinth's own records.
std::string StringFieldOrEmpty(const Document& document, std::string_view name);

// A BSON array. Value type; thread-compatible.
class Array {
 public:
  Array() = default;
  Array(std::initializer_list<Value> values);

  std::size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  const std::vector<Value>& values() const { return values_; }
  std::vector<Value>& mutable_values() { return values_; }
  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }
  const Value& operator[](std::size_t i) const;
  void Append(Value value);

  friend bool operator==(const Array& a, const Array& b);

 private:
  std::vector<Value> values_;
};

// One BSON value of any type. Value type; thread-compatible.
// Equality (operator==) is structural and type-exact: Int32 1 != Double 1.0.
// MongoDB's cross-type ordering and numeric equality are in compare.h.
class Value {
 public:
  using Storage = std::variant<Null, double, std::string, Document, Array, Binary, Undefined,
                               ObjectId, bool, DateTime, Regex, JavaScriptCode, std::int32_t,
                               Timestamp, std::int64_t, Decimal128, MinKey, MaxKey>;

  Value() = default;  // null
  Value(Null) {}
  Value(double v) : v_(v) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(Document v) : v_(std::move(v)) {}
  Value(Array v) : v_(std::move(v)) {}
  Value(Binary v) : v_(std::move(v)) {}
  Value(Undefined v) : v_(v) {}
  Value(ObjectId v) : v_(v) {}
  Value(bool v) : v_(v) {}
  Value(DateTime v) : v_(v) {}
  Value(Regex v) : v_(std::move(v)) {}
  Value(JavaScriptCode v) : v_(std::move(v)) {}
  Value(std::int32_t v) : v_(v) {}
  Value(Timestamp v) : v_(v) {}
  Value(std::int64_t v) : v_(v) {}
  Value(Decimal128 v) : v_(v) {}
  Value(MinKey v) : v_(v) {}
  Value(MaxKey v) : v_(v) {}

  Type type() const;

  bool is_null() const { return std::holds_alternative<Null>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_document() const { return std::holds_alternative<Document>(v_); }
  bool is_array() const { return std::holds_alternative<Array>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  // Int32, Int64, Double or Decimal128.
  bool is_number() const;

  // Typed access. REQUIRES: the value holds that type (asserts otherwise).
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Document& as_document() const { return std::get<Document>(v_); }
  Document& as_document() { return std::get<Document>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  bool as_bool() const { return std::get<bool>(v_); }
  double as_double() const { return std::get<double>(v_); }
  std::int32_t as_int32() const { return std::get<std::int32_t>(v_); }
  std::int64_t as_int64() const { return std::get<std::int64_t>(v_); }
  const ObjectId& as_object_id() const { return std::get<ObjectId>(v_); }
  DateTime as_date() const { return std::get<DateTime>(v_); }
  const Binary& as_binary() const { return std::get<Binary>(v_); }
  const Regex& as_regex() const { return std::get<Regex>(v_); }
  Timestamp as_timestamp() const { return std::get<Timestamp>(v_); }
  Decimal128 as_decimal128() const { return std::get<Decimal128>(v_); }
  const JavaScriptCode& as_javascript() const { return std::get<JavaScriptCode>(v_); }

  // The pointer to the held T, or nullptr.
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&v_);
  }

  const Storage& storage() const { return v_; }

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  Storage v_;
};

}  // namespace plinth::doc
