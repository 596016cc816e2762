#include "js/mozjs/natives.h"

#include <js/PropertyAndElement.h>
#include <js/experimental/TypedData.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <string>

#include "doc/base64.h"
#include "doc/decimal128.h"
#include "doc/ejson.h"
#include "js/mozjs/convert.h"
#include "js/mozjs/js_thread.h"

namespace plinth::js::mozjs {
namespace {

JsThread* Thread(JSContext* cx) { return static_cast<JsThread*>(JS_GetContextPrivate(cx)); }

ConvertLimits ValueLimits(JsThread* thread) {
  const Limits& limits = thread->shared()->limits;
  return {limits.max_value_depth, limits.max_result_bytes};
}

bool ArgString(JSContext* cx, const JS::CallArgs& args, unsigned i, std::string* out) {
  if (i >= args.length() || !args[i].isString()) {
    JS_ReportErrorASCII(cx, "expected a string argument");
    return false;
  }
  return StringToUtf8(cx, args[i].toString(), out);
}

bool ArgBytes(JSContext* cx, const JS::CallArgs& args, unsigned i, std::string* out) {
  std::size_t length = 0;
  bool shared = false;
  std::uint8_t* data = nullptr;
  if (i >= args.length() || !args[i].isObject() ||
      !JS_GetObjectAsUint8Array(&args[i].toObject(), &length, &shared, &data)) {
    JS_ReportErrorASCII(cx, "expected a Uint8Array argument");
    return false;
  }
  out->assign(reinterpret_cast<const char*>(data), length);
  return true;
}

bool ReturnString(JSContext* cx, const JS::CallArgs& args, std::string_view text) {
  JSString* s = NewStringUtf8(cx, text);
  if (!s) return false;
  args.rval().setString(s);
  return true;
}

bool ReturnBytes(JSContext* cx, const JS::CallArgs& args, const void* bytes, std::size_t n) {
  JSObject* array = JS_NewUint8Array(cx, n);
  if (!array) return false;
  std::size_t length = 0;
  bool shared = false;
  std::uint8_t* data = nullptr;
  JS_GetObjectAsUint8Array(array, &length, &shared, &data);
  if (n > 0) std::memcpy(data, bytes, n);
  args.rval().setObject(*array);
  return true;
}

// Throws an Error carrying the Status message, with `code` set to the App
// Services error code name, so functions can tell failures apart.
bool ThrowStatus(JSContext* cx, const base::Status& status) {
  JS_ReportErrorUTF8(cx, "%s", status.message().c_str());
  JS::RootedValue exception(cx);
  if (!JS_GetPendingException(cx, &exception)) return false;
  JS_ClearPendingException(cx);
  if (exception.isObject()) {
    JS::RootedObject error(cx, &exception.toObject());
    JS::RootedValue code(cx);
    if (JSString* s = NewStringUtf8(cx, base::ErrorCodeName(status.code()))) code.setString(s);
    JS_DefineProperty(cx, error, "code", code, JSPROP_ENUMERATE);
  }
  JS_SetPendingException(cx, exception);
  return false;
}

// host(method, args): one round trip to js::Host, synchronous.
bool NativeHost(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  JsThread* thread = Thread(cx);
  CallFrame* frame = thread->top_frame();
  if (frame == nullptr || thread->killed()) return false;
  std::string method;
  if (!ArgString(cx, args, 0, &method)) return false;
  base::Result<doc::Value> host_args = ToDoc(cx, args.get(1), ValueLimits(thread));
  if (!host_args.ok()) {
    if (IsJsFailure(host_args.status())) return false;
    return ThrowStatus(cx, host_args.status());
  }
  if (!host_args->is_array()) {
    JS_ReportErrorASCII(cx, "host: arguments must be an array");
    return false;
  }
  base::Result<doc::Value> result = frame->host->Invoke(method, host_args->as_array());
  // A nested call may have hit the time or memory limit: stop here too.
  if (thread->killed()) return false;
  if (!result.ok()) return ThrowStatus(cx, result.status());
  return ToJs(cx, frame->internals, *result, ValueLimits(thread), args.rval());
}

bool NativeLog(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string level, text;
  if (!ArgString(cx, args, 0, &level) || !ArgString(cx, args, 1, &text)) return false;
  LogEntry::Level l = LogEntry::Level::kLog;
  if (level == "info") l = LogEntry::Level::kInfo;
  if (level == "warn") l = LogEntry::Level::kWarn;
  if (level == "error") l = LogEntry::Level::kError;
  if (level == "debug") l = LogEntry::Level::kDebug;
  Thread(cx)->AppendLog(l, std::move(text));
  args.rval().setUndefined();
  return true;
}

bool NativeNewObjectId(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  SharedState* shared = Thread(cx)->shared();
  std::array<std::uint8_t, 12> bytes{};
  auto seconds = static_cast<std::uint32_t>(shared->clock->NowMillis() / 1000);
  std::uint32_t counter = shared->oid_counter.fetch_add(1) & 0xFFFFFF;
  bytes[0] = static_cast<std::uint8_t>(seconds >> 24);
  bytes[1] = static_cast<std::uint8_t>(seconds >> 16);
  bytes[2] = static_cast<std::uint8_t>(seconds >> 8);
  bytes[3] = static_cast<std::uint8_t>(seconds);
  std::memcpy(bytes.data() + 4, shared->oid_process.data(), 5);
  bytes[9] = static_cast<std::uint8_t>(counter >> 16);
  bytes[10] = static_cast<std::uint8_t>(counter >> 8);
  bytes[11] = static_cast<std::uint8_t>(counter);
  return ReturnString(cx, args, doc::ObjectId(bytes).ToHex());
}

bool NativeDecimal(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string text;
  if (!ArgString(cx, args, 0, &text)) return false;
  base::Result<doc::Decimal128> value = doc::Decimal128FromString(text);
  if (!value.ok()) {
    JS_ReportErrorUTF8(cx, "Decimal128: '%s' is not a valid decimal string", text.c_str());
    return false;
  }
  return ReturnString(cx, args, doc::Decimal128ToString(*value));
}

bool NativeEjsonParse(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  JsThread* thread = Thread(cx);
  std::string text;
  if (!ArgString(cx, args, 0, &text)) return false;
  doc::Limits limits;
  limits.max_depth = thread->shared()->limits.max_value_depth;
  base::Result<doc::Value> value = doc::ParseJson(text, limits);
  if (!value.ok()) {
    JS_ReportErrorUTF8(cx, "EJSON.parse: %s", value.status().message().c_str());
    return false;
  }
  return ToJs(cx, thread->top_frame()->internals, *value, ValueLimits(thread), args.rval());
}

bool NativeEjsonStringify(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  JsThread* thread = Thread(cx);
  base::Result<doc::Value> value = ToDoc(cx, args.get(0), ValueLimits(thread));
  if (!value.ok()) {
    if (IsJsFailure(value.status())) return false;
    JS_ReportErrorUTF8(cx, "EJSON.stringify: %s", value.status().message().c_str());
    return false;
  }
  std::string out;
  bool relaxed = args.get(1).isBoolean() ? args.get(1).toBoolean() : true;
  doc::AppendJson(&out, *value, relaxed ? doc::JsonFormat::kRelaxed : doc::JsonFormat::kCanonical);
  return ReturnString(cx, args, out);
}

bool NativeBase64Encode(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string bytes;
  if (!ArgBytes(cx, args, 0, &bytes)) return false;
  return ReturnString(cx, args, doc::Base64Encode(bytes));
}

bool NativeBase64Decode(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string text;
  if (!ArgString(cx, args, 0, &text)) return false;
  std::optional<std::string> bytes = doc::Base64Decode(text);
  if (!bytes) {
    JS_ReportErrorASCII(cx, "invalid base64 string");
    return false;
  }
  return ReturnBytes(cx, args, bytes->data(), bytes->size());
}

bool NativeUtf8Encode(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string text;
  if (!ArgString(cx, args, 0, &text)) return false;
  return ReturnBytes(cx, args, text.data(), text.size());
}

bool NativeUtf8Decode(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string bytes;
  if (!ArgBytes(cx, args, 0, &bytes)) return false;
  return ReturnString(cx, args, bytes);
}

const EVP_MD* Digest(JSContext* cx, const std::string& name) {
  const EVP_MD* md = nullptr;
  if (name == "sha256" || name == "sha1" || name == "md5" || name == "sha512" || name == "sha384" ||
      name == "sha224") {
    md = EVP_get_digestbyname(name.c_str());
  }
  if (md == nullptr) JS_ReportErrorUTF8(cx, "unsupported hash function '%s'", name.c_str());
  return md;
}

bool NativeDigest(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string name, input;
  if (!ArgString(cx, args, 0, &name) || !ArgBytes(cx, args, 1, &input)) return false;
  const EVP_MD* md = Digest(cx, name);
  if (md == nullptr) return false;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(input.data(), input.size(), out, &n, md, nullptr) != 1) {
    JS_ReportErrorASCII(cx, "hash failed");
    return false;
  }
  return ReturnBytes(cx, args, out, n);
}

bool NativeHmac(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string name, key, input;
  if (!ArgString(cx, args, 0, &name) || !ArgBytes(cx, args, 1, &key) ||
      !ArgBytes(cx, args, 2, &input)) {
    return false;
  }
  const EVP_MD* md = Digest(cx, name);
  if (md == nullptr) return false;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (HMAC(md, key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), out,
           &n) == nullptr) {
    JS_ReportErrorASCII(cx, "hmac failed");
    return false;
  }
  return ReturnBytes(cx, args, out, n);
}

const JSFunctionSpec kNatives[] = {
    JS_FN("host", NativeHost, 2, 0),
    JS_FN("log", NativeLog, 2, 0),
    JS_FN("newObjectId", NativeNewObjectId, 0, 0),
    JS_FN("decimal", NativeDecimal, 1, 0),
    JS_FN("ejsonParse", NativeEjsonParse, 2, 0),
    JS_FN("ejsonStringify", NativeEjsonStringify, 2, 0),
    JS_FN("base64Encode", NativeBase64Encode, 1, 0),
    JS_FN("base64Decode", NativeBase64Decode, 1, 0),
    JS_FN("utf8Encode", NativeUtf8Encode, 1, 0),
    JS_FN("utf8Decode", NativeUtf8Decode, 1, 0),
    JS_FN("digest", NativeDigest, 2, 0),
    JS_FN("hmac", NativeHmac, 3, 0),
    JS_FS_END,
};

}  // namespace

bool DefineNatives(JSContext* cx, JS::HandleObject global) {
  JS::RootedObject natives(cx, JS_NewPlainObject(cx));
  if (!natives || !JS_DefineFunctions(cx, natives, kNatives)) return false;
  return JS_DefineProperty(cx, global, "__plinthNative", natives, 0);
}

}  // namespace plinth::js::mozjs
