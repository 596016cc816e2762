#include "js/mozjs/convert.h"

#include <js/Array.h>
#include <js/CharacterEncoding.h>
#include <js/Date.h>
#include <js/PropertyAndElement.h>
#include <js/RegExp.h>
#include <js/RegExpFlags.h>
#include <js/String.h>
#include <js/experimental/TypedData.h>
#include <jsfriendapi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "doc/decimal128.h"
#include "doc/limits.h"

namespace plinth::js::mozjs {
namespace {

using base::ErrorCode;
using base::Status;

base::Status DepthError(const ConvertLimits& limits) {
  return Status(ErrorCode::kDepthLimitExceeded,
                "value nested deeper than " + std::to_string(limits.max_depth) + " levels");
}

base::Status SizeError(const ConvertLimits& limits) {
  return Status(ErrorCode::kSizeLimitExceeded,
                "value larger than " + std::to_string(limits.max_bytes) + " bytes");
}

bool GetString(JSContext* cx, JS::HandleObject obj, const char* name, std::string* out) {
  JS::RootedValue v(cx);
  if (!JS_GetProperty(cx, obj, name, &v)) return false;
  if (!v.isString()) {
    JS_ReportErrorASCII(cx, "malformed BSON value: '%s' is not a string", name);
    return false;
  }
  return StringToUtf8(cx, v.toString(), out);
}

bool GetNumber(JSContext* cx, JS::HandleObject obj, const char* name, double* out) {
  JS::RootedValue v(cx);
  if (!JS_GetProperty(cx, obj, name, &v)) return false;
  if (!v.isNumber()) {
    JS_ReportErrorASCII(cx, "malformed BSON value: '%s' is not a number", name);
    return false;
  }
  *out = v.toNumber();
  return true;
}

// JS -> doc, one instance per conversion: carries the byte count.
class ToDocConverter {
 public:
  ToDocConverter(JSContext* cx, const ConvertLimits& limits) : cx_(cx), limits_(limits) {}

  // `present` false: the value has no BSON form here (undefined inside an
  // object, a function, a symbol): the caller leaves the field out.
  Status Convert(JS::HandleValue v, std::size_t depth, doc::Value* out, bool* present) {
    *present = true;
    if (!Count(8)) return SizeError(limits_);
    if (v.isInt32()) {
      *out = doc::Value(v.toInt32());
    } else if (v.isDouble()) {
      *out = NumberToDoc(v.toDouble());
    } else if (v.isString()) {
      std::string s;
      if (!StringToUtf8(cx_, v.toString(), &s)) return JsFailed();
      if (!Count(s.size())) return SizeError(limits_);
      *out = doc::Value(std::move(s));
    } else if (v.isBoolean()) {
      *out = doc::Value(v.toBoolean());
    } else if (v.isNull()) {
      *out = doc::Value();
    } else if (v.isUndefined()) {
      *present = false;
      *out = doc::Value(doc::Undefined{});
    } else if (v.isObject()) {
      JS::RootedObject obj(cx_, &v.toObject());
      if (JS::IsCallable(obj)) {
        *present = false;
        *out = doc::Value(doc::Undefined{});
        return Status::Ok();
      }
      return ConvertObject(obj, depth, out);
    } else if (v.isBigInt()) {
      return Status(ErrorCode::kFunctionExecutionError,
                    "a BigInt cannot be converted to BSON; use BSON.Long");
    } else {  // symbol
      *present = false;
      *out = doc::Value(doc::Undefined{});
    }
    return Status::Ok();
  }

 private:
  static doc::Value NumberToDoc(double d) {
    if (std::isfinite(d) && d == std::trunc(d) && d >= std::numeric_limits<std::int32_t>::min() &&
        d <= std::numeric_limits<std::int32_t>::max() && !(d == 0 && std::signbit(d))) {
      return doc::Value(static_cast<std::int32_t>(d));
    }
    return doc::Value(d);
  }

  bool Count(std::size_t n) {
    bytes_ += n;
    return bytes_ <= limits_.max_bytes;
  }

  Status ConvertObject(JS::HandleObject obj, std::size_t depth, doc::Value* out) {
    bool is_array = false;
    if (!JS::IsArrayObject(cx_, obj, &is_array)) return JsFailed();
    if (is_array) return ConvertArray(obj, depth, out);

    bool is_date = false;
    if (!JS::ObjectIsDate(cx_, obj, &is_date)) return JsFailed();
    if (is_date) {
      double ms = 0;
      if (!::js::DateGetMsecSinceEpoch(cx_, obj, &ms)) return JsFailed();
      if (!std::isfinite(ms)) {
        return Status(ErrorCode::kFunctionExecutionError,
                      "an invalid Date cannot be converted to BSON");
      }
      *out = doc::Value(doc::DateTime{static_cast<std::int64_t>(ms)});
      return Status::Ok();
    }

    bool is_regexp = false;
    if (!JS::ObjectIsRegExp(cx_, obj, &is_regexp)) return JsFailed();
    if (is_regexp) {
      JS::RootedString source(cx_, JS::GetRegExpSource(cx_, obj));
      if (!source) return JsFailed();
      doc::Regex regex;
      if (!StringToUtf8(cx_, source, &regex.pattern)) return JsFailed();
      JS::RegExpFlags flags = JS::GetRegExpFlags(cx_, obj);
      // BSON keeps options sorted; JS's g and y have no BSON meaning.
      if (flags.ignoreCase()) regex.options += 'i';
      if (flags.multiline()) regex.options += 'm';
      if (flags.dotAll()) regex.options += 's';
      if (flags.unicode()) regex.options += 'u';
      if (!Count(regex.pattern.size())) return SizeError(limits_);
      *out = doc::Value(std::move(regex));
      return Status::Ok();
    }

    {
      std::size_t length = 0;
      bool shared = false;
      std::uint8_t* data = nullptr;
      if (JS_GetObjectAsUint8Array(obj, &length, &shared, &data)) {
        if (!Count(length)) return SizeError(limits_);
        *out = doc::Value(doc::Binary{0, std::string(reinterpret_cast<const char*>(data), length)});
        return Status::Ok();
      }
    }

    JS::RootedValue bsontype(cx_);
    if (!JS_GetProperty(cx_, obj, "_bsontype", &bsontype)) return JsFailed();
    if (bsontype.isString()) {
      std::string type;
      if (!StringToUtf8(cx_, bsontype.toString(), &type)) return JsFailed();
      return ConvertBson(obj, type, out);
    }
    return ConvertDocument(obj, depth, out);
  }

  Status ConvertBson(JS::HandleObject obj, const std::string& type, doc::Value* out) {
    if (type == "ObjectId" || type == "ObjectID") {
      std::string hex;
      if (!GetString(cx_, obj, "_hex", &hex)) return JsFailed();
      auto oid = doc::ObjectId::FromHex(hex);
      if (!oid.ok()) return Status(ErrorCode::kFunctionExecutionError, "malformed ObjectId");
      *out = doc::Value(*oid);
    } else if (type == "Long") {
      double low = 0, high = 0;
      if (!GetNumber(cx_, obj, "low", &low) || !GetNumber(cx_, obj, "high", &high))
        return JsFailed();
      auto bits =
          (static_cast<std::uint64_t>(static_cast<std::uint32_t>(static_cast<std::int32_t>(high)))
           << 32) |
          static_cast<std::uint32_t>(static_cast<std::int32_t>(low));
      *out = doc::Value(static_cast<std::int64_t>(bits));
    } else if (type == "Decimal128") {
      std::string text;
      if (!GetString(cx_, obj, "_str", &text)) return JsFailed();
      auto d = doc::Decimal128FromString(text);
      if (!d.ok()) return Status(ErrorCode::kFunctionExecutionError, "malformed Decimal128");
      *out = doc::Value(*d);
    } else if (type == "Int32") {
      double v = 0;
      if (!GetNumber(cx_, obj, "value", &v)) return JsFailed();
      *out = doc::Value(static_cast<std::int32_t>(v));
    } else if (type == "Double") {
      double v = 0;
      if (!GetNumber(cx_, obj, "value", &v)) return JsFailed();
      *out = doc::Value(v);
    } else if (type == "Binary") {
      JS::RootedValue buffer(cx_);
      double sub_type = 0;
      if (!JS_GetProperty(cx_, obj, "buffer", &buffer) ||
          !GetNumber(cx_, obj, "sub_type", &sub_type)) {
        return JsFailed();
      }
      std::size_t length = 0;
      bool shared = false;
      std::uint8_t* data = nullptr;
      if (!buffer.isObject() ||
          !JS_GetObjectAsUint8Array(&buffer.toObject(), &length, &shared, &data)) {
        return Status(ErrorCode::kFunctionExecutionError, "malformed Binary");
      }
      if (!Count(length)) return SizeError(limits_);
      *out = doc::Value(doc::Binary{static_cast<std::uint8_t>(sub_type),
                                    std::string(reinterpret_cast<const char*>(data), length)});
    } else if (type == "BSONRegExp") {
      doc::Regex regex;
      if (!GetString(cx_, obj, "pattern", &regex.pattern) ||
          !GetString(cx_, obj, "options", &regex.options)) {
        return JsFailed();
      }
      *out = doc::Value(std::move(regex));
    } else if (type == "Timestamp") {
      double t = 0, i = 0;
      if (!GetNumber(cx_, obj, "t", &t) || !GetNumber(cx_, obj, "i", &i)) return JsFailed();
      *out =
          doc::Value(doc::Timestamp{static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(i)});
    } else if (type == "MinKey") {
      *out = doc::Value(doc::MinKey{});
    } else if (type == "MaxKey") {
      *out = doc::Value(doc::MaxKey{});
    } else if (type == "Code") {
      std::string code;
      if (!GetString(cx_, obj, "code", &code)) return JsFailed();
      *out = doc::Value(doc::JavaScriptCode{std::move(code)});
    } else {
      return Status(ErrorCode::kFunctionExecutionError, "unsupported BSON type '" + type + "'");
    }
    return Status::Ok();
  }

  Status ConvertArray(JS::HandleObject obj, std::size_t depth, doc::Value* out) {
    if (depth + 1 > limits_.max_depth) return DepthError(limits_);
    std::uint32_t length = 0;
    if (!JS::GetArrayLength(cx_, obj, &length)) return JsFailed();
    // Every BSON array element takes at least a type byte, a key digit and
    // the key's NUL: refuse a long (perhaps sparse) array before walking it.
    if (static_cast<std::uint64_t>(length) * 3 >
        limits_.max_bytes - std::min(bytes_, limits_.max_bytes)) {
      return SizeError(limits_);
    }
    doc::Array array;
    JS::RootedValue element(cx_);
    for (std::uint32_t i = 0; i < length; ++i) {
      // Each element costs at least its key and type byte, so a sparse
      // array of length 2^32-1 stops at the size limit, not after 4 billion
      // iterations.
      if (!Count(4)) return SizeError(limits_);
      if (!JS_GetElement(cx_, obj, i, &element)) return JsFailed();
      doc::Value item;
      bool present = true;
      PLINTH_RETURN_IF_ERROR(Convert(element, depth + 1, &item, &present));
      array.Append(present ? std::move(item) : doc::Value());
    }
    *out = doc::Value(std::move(array));
    return Status::Ok();
  }

  Status ConvertDocument(JS::HandleObject obj, std::size_t depth, doc::Value* out) {
    if (depth + 1 > limits_.max_depth) return DepthError(limits_);
    JS::Rooted<JS::IdVector> ids(cx_, JS::IdVector(cx_));
    if (!JS_Enumerate(cx_, obj, &ids)) return JsFailed();
    doc::Document document;
    JS::RootedValue field(cx_);
    JS::RootedId id(cx_);
    for (std::size_t i = 0; i < ids.length(); ++i) {
      id = ids[i];
      std::string name;
      if (id.isInt()) {
        name = std::to_string(id.toInt());
      } else if (id.isString()) {
        if (!StringToUtf8(cx_, id.toString(), &name)) return JsFailed();
      } else {
        continue;  // symbols have no BSON form
      }
      if (!Count(name.size() + 1)) return SizeError(limits_);
      if (!JS_GetPropertyById(cx_, obj, id, &field)) return JsFailed();
      doc::Value item;
      bool present = true;
      PLINTH_RETURN_IF_ERROR(Convert(field, depth + 1, &item, &present));
      if (present) document.Append(std::move(name), std::move(item));
    }
    *out = doc::Value(std::move(document));
    return Status::Ok();
  }

  JSContext* cx_;
  const ConvertLimits& limits_;
  std::size_t bytes_ = 0;
};

bool CallFactory(JSContext* cx, JS::HandleObject factories, const char* name,
                 const JS::HandleValueArray& args, JS::MutableHandleValue out) {
  return JS_CallFunctionName(cx, factories, name, args, out);
}

bool ToJsAt(JSContext* cx, JS::HandleObject factories, const doc::Value& value,
            const ConvertLimits& limits, std::size_t depth, JS::MutableHandleValue out) {
  switch (value.type()) {
    case doc::Type::kNull:
      out.setNull();
      return true;
    case doc::Type::kUndefined:
      out.setUndefined();
      return true;
    case doc::Type::kBool:
      out.setBoolean(value.as_bool());
      return true;
    case doc::Type::kInt32:
      out.setInt32(value.as_int32());
      return true;
    case doc::Type::kDouble:
      // Stored BSON may hold any NaN bit pattern; a non-canonical NaN would
      // read as a tagged value (NaN-boxing), so canonicalise first.
      out.setDouble(JS::CanonicalizeNaN(value.as_double()));
      return true;
    case doc::Type::kString: {
      JSString* s = NewStringUtf8(cx, value.as_string());
      if (!s) return false;
      out.setString(s);
      return true;
    }
    case doc::Type::kDate: {
      JSObject* date =
          JS::NewDateObject(cx, JS::TimeClip(static_cast<double>(value.as_date().millis)));
      if (!date) return false;
      out.setObject(*date);
      return true;
    }
    case doc::Type::kObjectId: {
      JS::RootedValue hex(cx);
      JSString* s = NewStringUtf8(cx, value.as_object_id().ToHex());
      if (!s) return false;
      hex.setString(s);
      return CallFactory(cx, factories, "objectId", JS::HandleValueArray(hex), out);
    }
    case doc::Type::kInt64: {
      auto bits = static_cast<std::uint64_t>(value.as_int64());
      JS::RootedValueArray<2> args(cx);
      args[0].setInt32(static_cast<std::int32_t>(static_cast<std::uint32_t>(bits)));
      args[1].setInt32(static_cast<std::int32_t>(static_cast<std::uint32_t>(bits >> 32)));
      return CallFactory(cx, factories, "long", args, out);
    }
    case doc::Type::kDecimal128: {
      JS::RootedValue text(cx);
      JSString* s = NewStringUtf8(cx, doc::Decimal128ToString(value.as_decimal128()));
      if (!s) return false;
      text.setString(s);
      return CallFactory(cx, factories, "decimal", JS::HandleValueArray(text), out);
    }
    case doc::Type::kBinary: {
      const doc::Binary& binary = value.as_binary();
      JS::RootedObject bytes(cx, JS_NewUint8Array(cx, binary.data.size()));
      if (!bytes) return false;
      {
        std::size_t length = 0;
        bool shared = false;
        std::uint8_t* data = nullptr;
        JS_GetObjectAsUint8Array(bytes, &length, &shared, &data);
        if (length > 0) std::memcpy(data, binary.data.data(), length);
      }
      JS::RootedValueArray<2> args(cx);
      args[0].setObject(*bytes);
      args[1].setInt32(binary.subtype);
      return CallFactory(cx, factories, "binary", args, out);
    }
    case doc::Type::kRegex: {
      JS::RootedValueArray<2> args(cx);
      JSString* p = NewStringUtf8(cx, value.as_regex().pattern);
      if (!p) return false;
      args[0].setString(p);
      JSString* o = NewStringUtf8(cx, value.as_regex().options);
      if (!o) return false;
      args[1].setString(o);
      return CallFactory(cx, factories, "regex", args, out);
    }
    case doc::Type::kTimestamp: {
      JS::RootedValueArray<2> args(cx);
      args[0].setNumber(value.as_timestamp().t);
      args[1].setNumber(value.as_timestamp().i);
      return CallFactory(cx, factories, "timestamp", args, out);
    }
    case doc::Type::kMinKey:
      return CallFactory(cx, factories, "minKey", JS::HandleValueArray::empty(), out);
    case doc::Type::kMaxKey:
      return CallFactory(cx, factories, "maxKey", JS::HandleValueArray::empty(), out);
    case doc::Type::kJavaScript: {
      JS::RootedValue code(cx);
      JSString* s = NewStringUtf8(cx, value.as_javascript().code);
      if (!s) return false;
      code.setString(s);
      return CallFactory(cx, factories, "code", JS::HandleValueArray(code), out);
    }
    case doc::Type::kArray: {
      if (depth + 1 > limits.max_depth) {
        JS_ReportErrorASCII(cx, "value nested deeper than %zu levels", limits.max_depth);
        return false;
      }
      const doc::Array& array = value.as_array();
      JS::RootedObject result(cx, JS::NewArrayObject(cx, array.size()));
      if (!result) return false;
      JS::RootedValue item(cx);
      for (std::size_t i = 0; i < array.size(); ++i) {
        if (!ToJsAt(cx, factories, array[i], limits, depth + 1, &item)) return false;
        if (!JS_DefineElement(cx, result, static_cast<std::uint32_t>(i), item, JSPROP_ENUMERATE)) {
          return false;
        }
      }
      out.setObject(*result);
      return true;
    }
    case doc::Type::kDocument: {
      if (depth + 1 > limits.max_depth) {
        JS_ReportErrorASCII(cx, "value nested deeper than %zu levels", limits.max_depth);
        return false;
      }
      JS::RootedObject result(cx, JS_NewPlainObject(cx));
      if (!result) return false;
      JS::RootedValue item(cx);
      JS::RootedString name(cx);
      JS::RootedId id(cx);
      for (const auto& [key, field] : value.as_document()) {
        name = NewStringUtf8(cx, key);
        if (!name || !JS_StringToId(cx, name, &id)) return false;
        if (!ToJsAt(cx, factories, field, limits, depth + 1, &item)) return false;
        if (!JS_DefinePropertyById(cx, result, id, item, JSPROP_ENUMERATE)) return false;
      }
      out.setObject(*result);
      return true;
    }
  }
  JS_ReportErrorASCII(cx, "unsupported value type");
  return false;
}

}  // namespace

base::Status JsFailed() { return Status(ErrorCode::kInternal, ""); }

bool IsJsFailure(const base::Status& status) {
  return status.code() == ErrorCode::kInternal && status.message().empty();
}

base::Result<doc::Value> ToDoc(JSContext* cx, JS::HandleValue value, const ConvertLimits& limits) {
  ToDocConverter converter(cx, limits);
  doc::Value out;
  bool present = true;
  PLINTH_RETURN_IF_ERROR(converter.Convert(value, 0, &out, &present));
  return out;
}

bool ToJs(JSContext* cx, JS::HandleObject factories, const doc::Value& value,
          const ConvertLimits& limits, JS::MutableHandleValue out) {
  return ToJsAt(cx, factories, value, limits, 0, out);
}

bool StringToUtf8(JSContext* cx, JSString* str, std::string* out) {
  JS::RootedString rooted(cx, str);
  JSLinearString* linear = JS_EnsureLinearString(cx, rooted);
  if (!linear) return false;
  std::size_t length = JS::GetDeflatedUTF8StringLength(linear);
  out->resize(length);
  JS::DeflateStringToUTF8Buffer(linear, mozilla::Span<char>(out->data(), length));
  return true;
}

JSString* NewStringUtf8(JSContext* cx, std::string_view text) {
  return JS_NewStringCopyUTF8N(cx, JS::UTF8Chars(text.data(), text.size()));
}

}  // namespace plinth::js::mozjs
