#pragma once

#include <jsapi.h>

namespace plinth::js::mozjs {

// Defines the prelude's native helpers (host, log, ObjectId generation,
// Decimal128 text, EJSON over doc/, base64, UTF-8, hash and HMAC) as
// `__plinthNative` on the current global; the prelude takes and deletes it.
// REQUIRES: on a JS thread, inside the new call's realm. false on failure.
bool DefineNatives(JSContext* cx, JS::HandleObject global);

}  // namespace plinth::js::mozjs
