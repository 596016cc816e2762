#pragma once

#include <string_view>

namespace plinth::js::mozjs {

// The text of prelude.js, embedded at build time: the JS half of the
// runtime (BSON, EJSON, console, utils, require, context). Static storage;
// thread-safe.
std::string_view PreludeSource();

}  // namespace plinth::js::mozjs
