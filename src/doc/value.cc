#include "doc/value.h"

#include <cassert>

#include "base/hex.h"

namespace plinth::doc {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kMinKey:
      return "minKey";
    case Type::kDouble:
      return "double";
    case Type::kString:
      return "string";
    case Type::kDocument:
      return "object";
    case Type::kArray:
      return "array";
    case Type::kBinary:
      return "binData";
    case Type::kUndefined:
      return "undefined";
    case Type::kObjectId:
      return "objectId";
    case Type::kBool:
      return "bool";
    case Type::kDate:
      return "date";
    case Type::kNull:
      return "null";
    case Type::kRegex:
      return "regex";
    case Type::kJavaScript:
      return "javascript";
    case Type::kInt32:
      return "int";
    case Type::kTimestamp:
      return "timestamp";
    case Type::kInt64:
      return "long";
    case Type::kDecimal128:
      return "decimal";
    case Type::kMaxKey:
      return "maxKey";
  }
  return "unknown";
}

base::Result<ObjectId> ObjectId::FromHex(std::string_view hex) {
  if (hex.size() != 24) {
    return base::Status(base::ErrorCode::kBadValue, "an ObjectId must be 24 hex characters");
  }
  std::array<std::uint8_t, 12> bytes{};
  for (std::size_t i = 0; i < 12; ++i) {
    int hi = base::HexDigitValue(hex[2 * i]);
    int lo = base::HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return base::Status(base::ErrorCode::kBadValue, "an ObjectId must be 24 hex characters");
    }
    bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return ObjectId(bytes);
}

std::string ObjectId::ToHex() const { return base::HexEncode(bytes_.data(), bytes_.size()); }

std::uint32_t ObjectId::Timestamp() const {
  return static_cast<std::uint32_t>(bytes_[0]) << 24 | static_cast<std::uint32_t>(bytes_[1]) << 16 |
         static_cast<std::uint32_t>(bytes_[2]) << 8 | static_cast<std::uint32_t>(bytes_[3]);
}

Document::Document(std::initializer_list<Field> fields) : fields_(fields) {}

const Value* Document::Get(std::string_view name) const {
  for (const auto& f : fields_) {
    if (f.first == name) return &f.second;
  }
  return nullptr;
}

Value* Document::GetMutable(std::string_view name) {
  for (auto& f : fields_) {
    if (f.first == name) return &f.second;
  }
  return nullptr;
}

void Document::Set(std::string name, Value value) {
  if (Value* existing = GetMutable(name)) {
    *existing = std::move(value);
    return;
  }
  fields_.emplace_back(std::move(name), std::move(value));
}

void Document::Append(std::string name, Value value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::size_t Document::Remove(std::string_view name) {
  return std::erase_if(fields_, [&](const Field& f) { return f.first == name; });
}

bool operator==(const Document& a, const Document& b) { return a.fields_ == b.fields_; }

std::string StringFieldOrEmpty(const Document& document, std::string_view name) {
  const Value* v = document.Get(name);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

Array::Array(std::initializer_list<Value> values) : values_(values) {}

const Value& Array::operator[](std::size_t i) const {
  assert(i < values_.size());
  return values_[i];
}

void Array::Append(Value value) { values_.push_back(std::move(value)); }

bool operator==(const Array& a, const Array& b) { return a.values_ == b.values_; }

Type Value::type() const {
  switch (v_.index()) {
    case 0:
      return Type::kNull;
    case 1:
      return Type::kDouble;
    case 2:
      return Type::kString;
    case 3:
      return Type::kDocument;
    case 4:
      return Type::kArray;
    case 5:
      return Type::kBinary;
    case 6:
      return Type::kUndefined;
    case 7:
      return Type::kObjectId;
    case 8:
      return Type::kBool;
    case 9:
      return Type::kDate;
    case 10:
      return Type::kRegex;
    case 11:
      return Type::kJavaScript;
    case 12:
      return Type::kInt32;
    case 13:
      return Type::kTimestamp;
    case 14:
      return Type::kInt64;
    case 15:
      return Type::kDecimal128;
    case 16:
      return Type::kMinKey;
    default:
      return Type::kMaxKey;
  }
}

bool Value::is_number() const {
  Type t = type();
  return t == Type::kInt32 || t == Type::kInt64 || t == Type::kDouble || t == Type::kDecimal128;
}

}  // namespace plinth::doc
