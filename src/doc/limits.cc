#include "doc/limits.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace plinth::doc {
namespace {

// Children of a container value, or an empty range for scalars.
struct Children {
  const Document* document = nullptr;
  const Array* array = nullptr;
};

Children ChildrenOf(const Value& v) {
  if (const auto* d = v.get_if<Document>()) return {d, nullptr};
  if (const auto* a = v.get_if<Array>()) return {nullptr, a};
  return {};
}

std::size_t DecimalDigits(std::size_t n) {
  std::size_t digits = 1;
  while (n >= 10) {
    n /= 10;
    ++digits;
  }
  return digits;
}

std::size_t ValueSize(const Value& v);

std::size_t ArrayBsonSize(const Array& a) {
  std::size_t size = 4 + 1;  // length prefix, terminating NUL
  for (std::size_t i = 0; i < a.size(); ++i) {
    size += 1 + DecimalDigits(i) + 1 + ValueSize(a.values()[i]);
  }
  return size;
}

std::size_t ValueSize(const Value& v) {
  switch (v.type()) {
    case Type::kDouble:
    case Type::kDate:
    case Type::kInt64:
    case Type::kTimestamp:
      return 8;
    case Type::kString:
      return 4 + v.as_string().size() + 1;
    case Type::kDocument:
      return BsonSize(v.as_document());
    case Type::kArray:
      return ArrayBsonSize(v.as_array());
    case Type::kBinary: {
      const Binary& b = v.as_binary();
      // Subtype 2 (old binary) repeats the length inside the payload.
      return 4 + 1 + (b.subtype == 2 ? 4 : 0) + b.data.size();
    }
    case Type::kObjectId:
      return 12;
    case Type::kBool:
      return 1;
    case Type::kRegex:
      return v.as_regex().pattern.size() + 1 + v.as_regex().options.size() + 1;
    case Type::kJavaScript:
      return 4 + v.as_javascript().code.size() + 1;
    case Type::kInt32:
      return 4;
    case Type::kDecimal128:
      return 16;
    case Type::kNull:
    case Type::kUndefined:
    case Type::kMinKey:
    case Type::kMaxKey:
      return 0;
  }
  return 0;
}

}  // namespace

std::size_t Depth(const Value& value) {
  // Explicit stack of (value, depth of that value's container level).
  std::vector<std::pair<const Value*, std::size_t>> stack;
  stack.emplace_back(&value, 1);
  std::size_t max = 0;
  while (!stack.empty()) {
    auto [v, level] = stack.back();
    stack.pop_back();
    Children c = ChildrenOf(*v);
    if (c.document == nullptr && c.array == nullptr) continue;
    max = std::max(max, level);
    if (c.document != nullptr) {
      for (const auto& f : *c.document) stack.emplace_back(&f.second, level + 1);
    } else {
      for (const Value& e : *c.array) stack.emplace_back(&e, level + 1);
    }
  }
  return max;
}

std::size_t Depth(const Document& document) {
  std::size_t max = 0;
  for (const auto& f : document) max = std::max(max, Depth(f.second));
  return 1 + max;
}

std::size_t BsonSize(const Document& document) {
  std::size_t size = 4 + 1;  // length prefix, terminating NUL
  for (const auto& [name, value] : document) size += 1 + name.size() + 1 + ValueSize(value);
  return size;
}

std::size_t BsonSize(const Array& array) { return ArrayBsonSize(array); }

std::size_t BsonValueSize(const Value& value) { return ValueSize(value); }

base::Status DepthLimitError(const Limits& limits) {
  return base::Status(base::ErrorCode::kDepthLimitExceeded,
                      "document nesting exceeds the depth limit of " +
                          std::to_string(limits.max_depth) + " levels");
}

base::Status SizeLimitError(const Limits& limits) {
  return base::Status(base::ErrorCode::kSizeLimitExceeded,
                      "document exceeds the size limit of " +
                          std::to_string(limits.max_bson_bytes) + " bytes of BSON");
}

base::Status CheckLimits(const Document& document, const Limits& limits) {
  if (Depth(document) > limits.max_depth) return DepthLimitError(limits);
  if (BsonSize(document) > limits.max_bson_bytes) return SizeLimitError(limits);
  return base::Status::Ok();
}

}  // namespace plinth::doc
