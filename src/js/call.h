#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "doc/value.h"
#include "js/host.h"
#include "js/script.h"

namespace plinth::js {

// What `context` shows a call that is not a host round trip: plain values the
// caller computed before the call (app-config §6.2). Each becomes the JS
// property of the same name; a Null leaves the member out (context.request
// exists only where there is a request).
struct CallInfo {
  doc::Value user;                 // context.user {id, type, data, custom_data, identities}
  doc::Value environment;          // context.environment {tag, values}
  doc::Value request;              // context.request, or null
  doc::Value app;                  // context.app, or null
  bool running_as_system = false;  // context.runningAsSystem()
};

// One call of one function: what to run, with what, for whom.
// Value type. `host` must stay valid until the call completes; the engine
// keeps the shared_ptr alive that long.
struct CallRequest {
  std::shared_ptr<const Script> script;
  doc::Array arguments;
  CallInfo info;
  std::shared_ptr<Host> host;  // null: a NullHost
};

// One console.* line of a call.
struct LogEntry {
  enum class Level { kLog, kInfo, kWarn, kError, kDebug };
  Level level = Level::kLog;
  std::string text;
};

std::string_view LevelName(LogEntry::Level level);

// The outcome of a call: the returned value (a returned promise awaited) or an
// error, and the console output either way.
// status codes: kFunctionExecutionError (the JS threw or rejected: its
// message; a non-Error thrown value stringified; the memory limit; an
// unsupported value), kExecutionTimeLimitExceeded, kTooManyRequests (queue
// full), kSizeLimitExceeded / kDepthLimitExceeded (arguments or result
// beyond Limits), kInternal (engine failure).
struct CallResult {
  base::Status status;
  doc::Value value;  // meaningful only when status.ok()
  std::vector<LogEntry> log;
};

}  // namespace plinth::js
