#include "js/engine.h"

#include <memory>

namespace plinth::js {

std::string_view LevelName(LogEntry::Level level) {
  switch (level) {
    case LogEntry::Level::kLog:
      return "log";
    case LogEntry::Level::kInfo:
      return "info";
    case LogEntry::Level::kWarn:
      return "warn";
    case LogEntry::Level::kError:
      return "error";
    case LogEntry::Level::kDebug:
      return "debug";
  }
  return "log";
}

std::future<CallResult> Engine::Call(CallRequest request) {
  // shared_ptr: std::function needs a copyable callable.
  auto promise = std::make_shared<std::promise<CallResult>>();
  std::future<CallResult> future = promise->get_future();
  base::Status queued = Submit(
      std::move(request), [promise](CallResult result) { promise->set_value(std::move(result)); });
  if (!queued.ok()) {
    CallResult refused;
    refused.status = std::move(queued);
    promise->set_value(std::move(refused));
  }
  return future;
}

}  // namespace plinth::js
