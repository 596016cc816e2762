#include "doc/bson_codec.h"

#include <bson/bson.h>

#include <cstring>

namespace plinth::doc {
namespace {

using base::ErrorCode;
using base::Status;

// Owns a heap bson_t. (bson_t carries alignment attributes that make it a
// poor template argument, hence no unique_ptr.)
class OwnedBson {
 public:
  OwnedBson() : b_(bson_new()) {}
  ~OwnedBson() { bson_destroy(b_); }
  OwnedBson(const OwnedBson&) = delete;
  OwnedBson& operator=(const OwnedBson&) = delete;
  bson_t* get() const { return b_; }

 private:
  bson_t* b_;
};

Status DepthError(const Limits& limits) {
  return Status(ErrorCode::kDepthLimitExceeded, "document nesting exceeds the limit of " +
                                                    std::to_string(limits.max_depth) + " levels");
}

Status ReadValue(const bson_iter_t* it, const Limits& limits, std::size_t depth, Value* out);

Status ReadDocument(bson_iter_t* it, const Limits& limits, std::size_t depth, Document* out) {
  while (bson_iter_next(it)) {
    Value v;
    PLINTH_RETURN_IF_ERROR(ReadValue(it, limits, depth, &v));
    out->Append(std::string(bson_iter_key(it), bson_iter_key_len(it)), std::move(v));
  }
  return Status::Ok();
}

Status ReadValue(const bson_iter_t* it, const Limits& limits, std::size_t depth, Value* out) {
  switch (bson_iter_type(it)) {
    case BSON_TYPE_DOUBLE:
      *out = bson_iter_double(it);
      break;
    case BSON_TYPE_UTF8: {
      uint32_t len = 0;
      const char* s = bson_iter_utf8(it, &len);
      *out = std::string(s, len);
      break;
    }
    case BSON_TYPE_DOCUMENT:
    case BSON_TYPE_ARRAY: {
      if (depth + 1 > limits.max_depth) return DepthError(limits);
      bson_iter_t child;
      if (!bson_iter_recurse(it, &child)) return base::BadValue("malformed BSON sub-document");
      Document d;
      PLINTH_RETURN_IF_ERROR(ReadDocument(&child, limits, depth + 1, &d));
      if (bson_iter_type(it) == BSON_TYPE_DOCUMENT) {
        *out = std::move(d);
      } else {
        Array a;
        for (auto& f : d.mutable_fields()) a.Append(std::move(f.second));
        *out = std::move(a);
      }
      break;
    }
    case BSON_TYPE_BINARY: {
      bson_subtype_t subtype;
      uint32_t len = 0;
      const uint8_t* data = nullptr;
      bson_iter_binary(it, &subtype, &len, &data);
      *out = Binary{static_cast<std::uint8_t>(subtype),
                    std::string(reinterpret_cast<const char*>(data), len)};
      break;
    }
    case BSON_TYPE_UNDEFINED:
      *out = Undefined{};
      break;
    case BSON_TYPE_OID: {
      std::array<std::uint8_t, 12> bytes;
      std::memcpy(bytes.data(), bson_iter_oid(it)->bytes, 12);
      *out = ObjectId(bytes);
      break;
    }
    case BSON_TYPE_BOOL:
      *out = bson_iter_bool(it);
      break;
    case BSON_TYPE_DATE_TIME:
      *out = DateTime{bson_iter_date_time(it)};
      break;
    case BSON_TYPE_NULL:
      *out = Null{};
      break;
    case BSON_TYPE_REGEX: {
      const char* options = nullptr;
      const char* pattern = bson_iter_regex(it, &options);
      *out = Regex{pattern ? pattern : "", options ? options : ""};
      break;
    }
    case BSON_TYPE_CODE: {
      uint32_t len = 0;
      const char* code = bson_iter_code(it, &len);
      *out = JavaScriptCode{std::string(code, len)};
      break;
    }
    case BSON_TYPE_INT32:
      *out = bson_iter_int32(it);
      break;
    case BSON_TYPE_TIMESTAMP: {
      uint32_t t = 0, i = 0;
      bson_iter_timestamp(it, &t, &i);
      *out = Timestamp{t, i};
      break;
    }
    case BSON_TYPE_INT64:
      *out = static_cast<std::int64_t>(bson_iter_int64(it));
      break;
    case BSON_TYPE_DECIMAL128: {
      bson_decimal128_t d;
      bson_iter_decimal128(it, &d);
      *out = Decimal128{d.high, d.low};
      break;
    }
    case BSON_TYPE_MINKEY:
      *out = MinKey{};
      break;
    case BSON_TYPE_MAXKEY:
      *out = MaxKey{};
      break;
    default:
      return base::BadValue(std::string("unsupported BSON type 0x") +
                            std::to_string(static_cast<int>(bson_iter_type(it))));
  }
  return Status::Ok();
}

bool AppendValue(bson_t* b, const char* key, int key_len, const Value& v);

bool AppendDocument(bson_t* b, const Document& d) {
  for (const auto& [name, value] : d) {
    if (!AppendValue(b, name.data(), static_cast<int>(name.size()), value)) return false;
  }
  return true;
}

bool AppendValue(bson_t* b, const char* key, int key_len, const Value& v) {
  switch (v.type()) {
    case Type::kDouble:
      return bson_append_double(b, key, key_len, v.as_double());
    case Type::kString:
      return bson_append_utf8(b, key, key_len, v.as_string().data(),
                              static_cast<int>(v.as_string().size()));
    case Type::kDocument: {
      bson_t child;
      if (!bson_append_document_begin(b, key, key_len, &child)) return false;
      bool ok = AppendDocument(&child, v.as_document());
      return bson_append_document_end(b, &child) && ok;
    }
    case Type::kArray: {
      bson_t child;
      if (!bson_append_array_begin(b, key, key_len, &child)) return false;
      bool ok = true;
      std::size_t i = 0;
      for (const Value& e : v.as_array()) {
        std::string k = std::to_string(i++);
        ok = ok && AppendValue(&child, k.c_str(), static_cast<int>(k.size()), e);
      }
      return bson_append_array_end(b, &child) && ok;
    }
    case Type::kBinary: {
      const Binary& bin = v.as_binary();
      return bson_append_binary(b, key, key_len, static_cast<bson_subtype_t>(bin.subtype),
                                reinterpret_cast<const uint8_t*>(bin.data.data()),
                                static_cast<uint32_t>(bin.data.size()));
    }
    case Type::kUndefined:
      return bson_append_undefined(b, key, key_len);
    case Type::kObjectId: {
      bson_oid_t oid;
      std::memcpy(oid.bytes, v.as_object_id().bytes().data(), 12);
      return bson_append_oid(b, key, key_len, &oid);
    }
    case Type::kBool:
      return bson_append_bool(b, key, key_len, v.as_bool());
    case Type::kDate:
      return bson_append_date_time(b, key, key_len, v.as_date().millis);
    case Type::kNull:
      return bson_append_null(b, key, key_len);
    case Type::kRegex:
      return bson_append_regex(b, key, key_len, v.as_regex().pattern.c_str(),
                               v.as_regex().options.c_str());
    case Type::kJavaScript:
      return bson_append_code(b, key, key_len, v.as_javascript().code.c_str());
    case Type::kInt32:
      return bson_append_int32(b, key, key_len, v.as_int32());
    case Type::kTimestamp:
      return bson_append_timestamp(b, key, key_len, v.as_timestamp().t, v.as_timestamp().i);
    case Type::kInt64:
      return bson_append_int64(b, key, key_len, v.as_int64());
    case Type::kDecimal128: {
      bson_decimal128_t d{v.as_decimal128().low, v.as_decimal128().high};
      return bson_append_decimal128(b, key, key_len, &d);
    }
    case Type::kMinKey:
      return bson_append_minkey(b, key, key_len);
    case Type::kMaxKey:
      return bson_append_maxkey(b, key, key_len);
  }
  return false;
}

}  // namespace

base::Result<Document> FromBson(const std::uint8_t* data, std::size_t size, const Limits& limits) {
  if (size > limits.max_bson_bytes) {
    return Status(
        ErrorCode::kSizeLimitExceeded,
        "document exceeds the size limit of " + std::to_string(limits.max_bson_bytes) + " bytes");
  }
  bson_t b;
  if (!bson_init_static(&b, data, size)) return base::BadValue("malformed BSON document");
  size_t offset = 0;
  if (!bson_validate(&b, BSON_VALIDATE_UTF8, &offset)) {
    return base::BadValue("invalid BSON at offset " + std::to_string(offset));
  }
  bson_iter_t it;
  if (!bson_iter_init(&it, &b)) return base::BadValue("malformed BSON document");
  Document out;
  PLINTH_RETURN_IF_ERROR(ReadDocument(&it, limits, 1, &out));
  return out;
}

base::Result<std::string> ToBson(const Document& document, const Limits& limits) {
  OwnedBson b;
  if (!AppendDocument(b.get(), document)) {
    return Status(ErrorCode::kSizeLimitExceeded, "document is too large to encode as BSON");
  }
  if (b.get()->len > limits.max_bson_bytes) {
    return Status(
        ErrorCode::kSizeLimitExceeded,
        "document exceeds the size limit of " + std::to_string(limits.max_bson_bytes) + " bytes");
  }
  return std::string(reinterpret_cast<const char*>(bson_get_data(b.get())), b.get()->len);
}

}  // namespace plinth::doc
