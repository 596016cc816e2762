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

Status Corrupt(const char* what) { return base::BadValue(std::string("invalid BSON: ") + what); }

bool ValidUtf8(const char* s, std::size_t len, bool allow_nul) {
  return bson_utf8_validate(s, len, allow_nul);
}

Status ReadValue(const bson_iter_t* it, const Limits& limits, std::size_t depth, Value* out);

// Reads the fields of the document `it` was initialized on; `depth` is that
// document's nesting level (1 for the top).
Status ReadDocument(bson_iter_t* it, const Limits& limits, std::size_t depth, Document* out) {
  while (bson_iter_next(it)) {
    const uint32_t key_len = bson_iter_key_len(it);
    const char* key = bson_iter_key(it);
    if (!ValidUtf8(key, key_len, false)) return Corrupt("field name is not valid UTF-8");
    Value v;
    PLINTH_RETURN_IF_ERROR(ReadValue(it, limits, depth, &v));
    out->Append(std::string(key, key_len), std::move(v));
  }
  // bson_iter_next also stops on malformed input; it records where.
  if (it->err_off != 0) {
    return base::BadValue("invalid BSON: malformed element at offset " +
                          std::to_string(it->err_off) + " of a level-" + std::to_string(depth) +
                          " document");
  }
  return Status::Ok();
}

Status ReadValue(const bson_iter_t* it, const Limits& limits, std::size_t depth, Value* out) {
  switch (bson_iter_type(it)) {
    case BSON_TYPE_DOUBLE:
      *out = bson_iter_double(it);
      break;
    case BSON_TYPE_UTF8:
    case BSON_TYPE_SYMBOL: {  // Symbol is deprecated; MongoDB orders it as a string
      uint32_t len = 0;
      const char* s = bson_iter_type(it) == BSON_TYPE_UTF8 ? bson_iter_utf8(it, &len)
                                                           : bson_iter_symbol(it, &len);
      if (!ValidUtf8(s, len, true)) return Corrupt("string is not valid UTF-8");
      *out = std::string(s, len);
      break;
    }
    case BSON_TYPE_DOCUMENT:
    case BSON_TYPE_ARRAY: {
      if (depth + 1 > limits.max_depth) return DepthLimitError(limits);
      bson_iter_t child;
      if (!bson_iter_recurse(it, &child)) return Corrupt("malformed sub-document");
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
      if (data == nullptr && len != 0) return Corrupt("malformed binary");
      *out = Binary{
          static_cast<std::uint8_t>(subtype),
          data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), len)};
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
      if (pattern == nullptr) pattern = "";
      if (options == nullptr) options = "";
      if (!ValidUtf8(pattern, std::strlen(pattern), false) ||
          !ValidUtf8(options, std::strlen(options), false)) {
        return Corrupt("regex is not valid UTF-8");
      }
      *out = Regex{pattern, options};
      break;
    }
    case BSON_TYPE_CODE: {
      uint32_t len = 0;
      const char* code = bson_iter_code(it, &len);
      if (!ValidUtf8(code, len, false)) return Corrupt("code is not valid UTF-8 or contains NUL");
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
      return base::BadValue("unsupported BSON type 0x" +
                            std::to_string(static_cast<int>(bson_iter_type(it))) +
                            " (DBPointer and code with scope are not supported)");
  }
  return Status::Ok();
}

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

Status AppendValue(bson_t* b, std::string_view key, const Value& v);

Status AppendDocument(bson_t* b, const Document& d) {
  for (const auto& [name, value] : d) PLINTH_RETURN_IF_ERROR(AppendValue(b, name, value));
  return Status::Ok();
}

Status AppendFailed() { return base::Internal("libbson could not append a BSON element"); }

Status AppendValue(bson_t* b, std::string_view key_view, const Value& v) {
  if (HasNul(key_view)) return base::BadValue("a field name contains NUL, which BSON cannot hold");
  const char* key = key_view.data();
  const int key_len = static_cast<int>(key_view.size());
  bool ok = true;
  switch (v.type()) {
    case Type::kDouble:
      ok = bson_append_double(b, key, key_len, v.as_double());
      break;
    case Type::kString:
      ok = bson_append_utf8(b, key, key_len, v.as_string().data(),
                            static_cast<int>(v.as_string().size()));
      break;
    case Type::kDocument: {
      bson_t child;
      if (!bson_append_document_begin(b, key, key_len, &child)) return AppendFailed();
      Status s = AppendDocument(&child, v.as_document());
      ok = bson_append_document_end(b, &child);
      PLINTH_RETURN_IF_ERROR(s);
      break;
    }
    case Type::kArray: {
      bson_t child;
      if (!bson_append_array_begin(b, key, key_len, &child)) return AppendFailed();
      Status s;
      std::size_t i = 0;
      for (const Value& e : v.as_array()) {
        s = AppendValue(&child, std::to_string(i++), e);
        if (!s.ok()) break;
      }
      ok = bson_append_array_end(b, &child);
      PLINTH_RETURN_IF_ERROR(s);
      break;
    }
    case Type::kBinary: {
      const Binary& bin = v.as_binary();
      ok = bson_append_binary(b, key, key_len, static_cast<bson_subtype_t>(bin.subtype),
                              reinterpret_cast<const uint8_t*>(bin.data.data()),
                              static_cast<uint32_t>(bin.data.size()));
      break;
    }
    case Type::kUndefined:
      ok = bson_append_undefined(b, key, key_len);
      break;
    case Type::kObjectId: {
      bson_oid_t oid;
      std::memcpy(oid.bytes, v.as_object_id().bytes().data(), 12);
      ok = bson_append_oid(b, key, key_len, &oid);
      break;
    }
    case Type::kBool:
      ok = bson_append_bool(b, key, key_len, v.as_bool());
      break;
    case Type::kDate:
      ok = bson_append_date_time(b, key, key_len, v.as_date().millis);
      break;
    case Type::kNull:
      ok = bson_append_null(b, key, key_len);
      break;
    case Type::kRegex:
      if (HasNul(v.as_regex().pattern) || HasNul(v.as_regex().options)) {
        return base::BadValue("a regex contains NUL, which BSON cannot hold");
      }
      ok = bson_append_regex(b, key, key_len, v.as_regex().pattern.c_str(),
                             v.as_regex().options.c_str());
      break;
    case Type::kJavaScript:
      if (HasNul(v.as_javascript().code)) {
        return base::BadValue("JavaScript code contains NUL, which BSON cannot hold");
      }
      ok = bson_append_code(b, key, key_len, v.as_javascript().code.c_str());
      break;
    case Type::kInt32:
      ok = bson_append_int32(b, key, key_len, v.as_int32());
      break;
    case Type::kTimestamp:
      ok = bson_append_timestamp(b, key, key_len, v.as_timestamp().t, v.as_timestamp().i);
      break;
    case Type::kInt64:
      ok = bson_append_int64(b, key, key_len, v.as_int64());
      break;
    case Type::kDecimal128: {
      bson_decimal128_t d{v.as_decimal128().low, v.as_decimal128().high};
      ok = bson_append_decimal128(b, key, key_len, &d);
      break;
    }
    case Type::kMinKey:
      ok = bson_append_minkey(b, key, key_len);
      break;
    case Type::kMaxKey:
      ok = bson_append_maxkey(b, key, key_len);
      break;
  }
  return ok ? Status::Ok() : AppendFailed();
}

}  // namespace

base::Result<Document> FromBson(const std::uint8_t* data, std::size_t size, const Limits& limits) {
  if (size > limits.max_bson_bytes) return SizeLimitError(limits);
  // No bson_validate: it recurses without a depth bound. The iterator checks
  // lengths and bounds as it goes, ReadValue checks UTF-8 and depth.
  bson_iter_t it;
  if (data == nullptr || !bson_iter_init_from_data(&it, data, size)) {
    return Corrupt("the length prefix or terminator does not match the data");
  }
  Document out;
  PLINTH_RETURN_IF_ERROR(ReadDocument(&it, limits, 1, &out));
  return out;
}

base::Result<std::string> ToBson(const Document& document, const Limits& limits) {
  PLINTH_RETURN_IF_ERROR(CheckLimits(document, limits));
  OwnedBson b;
  PLINTH_RETURN_IF_ERROR(AppendDocument(b.get(), document));
  return std::string(reinterpret_cast<const char*>(bson_get_data(b.get())), b.get()->len);
}

}  // namespace plinth::doc
