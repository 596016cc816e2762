#pragma once

#include <jsapi.h>

#include <cstddef>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::js::mozjs {

// Value conversion between doc::Value and JavaScript, for arguments, results,
// host calls and EJSON. Exact types (docs/functions.md "Values"):
//   Int32, Double        <-> number (a number comes back as Int32 when it is
//                            integral, in int32 range and not -0; else Double)
//   Int64                <-> BSON.Long
//   Decimal128           <-> BSON.Decimal128
//   ObjectId             <-> BSON.ObjectId
//   Date                 <-> Date
//   Binary               <-> BSON.Binary (a Uint8Array also converts to Binary)
//   Regex                <-> BSON.BSONRegExp (a RegExp converts to Regex)
//   Timestamp, MinKey, MaxKey, JavaScript code <-> BSON.Timestamp/MinKey/MaxKey/Code
//   BSON.Int32 / BSON.Double -> Int32 / Double (to force a type)
//   null <-> null; Undefined <-> undefined; documents and arrays nested.
// Object fields holding undefined or functions are left out (as JSON does);
// array holes and undefined elements become null.
//
// Both directions stop at `max_depth` nesting (kDepthLimitExceeded) and
// ToDoc counts an estimate of the BSON size as it goes, stopping at
// `max_bytes` (kSizeLimitExceeded) before copying more.
//
// REQUIRES: on the context's thread, inside the realm of `factories` (the
// prelude's internal object, whose BSON factories ToJs calls). Not
// thread-safe (nothing here is: one JSContext, one thread).

struct ConvertLimits {
  std::size_t max_depth = 100;
  std::size_t max_bytes = 16u * 1024 * 1024;
};

// A Status whose code is kInternal and whose message is empty means "a JS
// operation failed; look at the context's pending exception or termination".
base::Status JsFailed();
bool IsJsFailure(const base::Status& status);

base::Result<doc::Value> ToDoc(JSContext* cx, JS::HandleValue value, const ConvertLimits& limits);

// false with a pending exception (or a termination) on failure; a depth
// beyond the limit throws a RangeError naming it.
bool ToJs(JSContext* cx, JS::HandleObject factories, const doc::Value& value,
          const ConvertLimits& limits, JS::MutableHandleValue out);

// A JS string as UTF-8 (lone surrogates become U+FFFD). false on failure.
bool StringToUtf8(JSContext* cx, JSString* str, std::string* out);
JSString* NewStringUtf8(JSContext* cx, std::string_view text);

}  // namespace plinth::js::mozjs
