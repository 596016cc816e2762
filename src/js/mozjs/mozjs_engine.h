#pragma once

#include <memory>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "js/engine.h"
#include "js/limits.h"

namespace plinth::js::mozjs {

// Creates the SpiderMonkey 102 js::Engine: `limits.threads` JS threads, each
// with its own stack of `limits.thread_stack_bytes` and ONE JSContext created
// on it for its whole life (contexts are bound to their thread), a bounded
// call queue, and a watchdog thread that interrupts running calls every
// `limits.watchdog_interval` to check their time and memory.
//
// The first engine in a process initialises SpiderMonkey (JS_Init) and fills
// the self-hosted code cache; it is never shut down, so several engines (one
// per test, say) may come and go.
//
// `clock` (deadlines, ObjectId timestamps) and `random` (ObjectId process bytes) must
// outlive the engine; null means the system ones. Fails (kInternal) when a
// JS thread cannot start its context.
base::Result<std::unique_ptr<Engine>> CreateEngine(const Limits& limits,
                                                   const base::Clock* clock = nullptr,
                                                   base::Random* random = nullptr);

}  // namespace plinth::js::mozjs
