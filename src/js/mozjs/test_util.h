#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "doc/ejson.h"
#include "js/engine.h"
#include "js/mozjs/mozjs_engine.h"

namespace plinth::js::mozjs::testing {

// Limits small enough for tests under ASan to finish quickly.
inline Limits TestLimits() {
  Limits limits;
  limits.time_limit = std::chrono::milliseconds(2000);
  limits.memory_limit_bytes = 128u * 1024 * 1024;
  limits.process_memory_limit_bytes = 0;
  limits.threads = 2;
  return limits;
}

inline std::unique_ptr<Engine> MakeEngine(const Limits& limits = TestLimits()) {
  auto engine = CreateEngine(limits);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return std::move(engine).value();
}

// Runs `source` as a function named `name` with `args` and waits.
inline CallResult RunJs(Engine& engine, const std::string& source, doc::Array args = {},
                        std::shared_ptr<Host> host = nullptr, const std::string& name = "test") {
  CallRequest request;
  request.script = Script::Make(name, source);
  request.arguments = std::move(args);
  request.host = std::move(host);
  return engine.Call(std::move(request)).get();
}

inline std::string Canonical(const doc::Value& value) { return doc::ToCanonicalJson(value); }

}  // namespace plinth::js::mozjs::testing
