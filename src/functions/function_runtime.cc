#include "functions/function_runtime.h"

#include <chrono>
#include <utility>

#include "base/error_code.h"
#include "doc/ejson.h"
#include "functions/function_host.h"

namespace plinth::functions {
namespace {

using base::ErrorCode;
using base::Status;

Status NotFound(std::string_view name) {
  return Status(ErrorCode::kFunctionNotFound, "function not found: '" + std::string(name) + "'");
}

base::LogLevel LevelFor(js::LogEntry::Level level) {
  switch (level) {
    case js::LogEntry::Level::kError:
      return base::LogLevel::kError;
    case js::LogEntry::Level::kWarn:
      return base::LogLevel::kWarn;
    case js::LogEntry::Level::kDebug:
      return base::LogLevel::kDebug;
    default:
      return base::LogLevel::kInfo;
  }
}

}  // namespace

base::Result<std::unique_ptr<FunctionRuntime>> FunctionRuntime::Create(const config::AppConfig& app,
                                                                       const RuntimeDeps& deps) {
  if (deps.engine == nullptr || deps.data == nullptr) {
    return Status(ErrorCode::kInternal, "function runtime needs an engine and a data service");
  }
  PLINTH_ASSIGN_OR_RETURN(FunctionCatalog catalog, FunctionCatalog::Build(app.functions));
  doc::Document app_doc{{"id", doc::Value(app.root.app_id)},
                        {"clientAppId", doc::Value(app.root.app_id)},
                        {"name", doc::Value(app.root.name)}};
  return std::unique_ptr<FunctionRuntime>(
      new FunctionRuntime(std::move(catalog), deps, std::move(app_doc)));
}

FunctionRuntime::FunctionRuntime(FunctionCatalog catalog, const RuntimeDeps& deps,
                                 doc::Document app)
    : catalog_(std::move(catalog)), deps_(deps), app_(std::move(app)) {}

js::CallRequest FunctionRuntime::MakeRequest(const FunctionEntry& entry,
                                             const services::DataCaller& caller,
                                             doc::Array arguments, std::string request_id) const {
  services::DataCaller effective = entry.run_as_system && !caller.is_system()
                                       ? services::DataCaller::SystemActingFor(caller)
                                       : caller;
  js::CallRequest request;
  request.script = entry.script;
  request.arguments = std::move(arguments);
  // No user object: the prelude shows the system user.
  if (!caller.user().empty()) request.info.user = doc::Value(caller.user());
  request.info.environment = doc::Value(deps_.data->environment());
  if (caller.request()) request.info.request = doc::Value(*caller.request());
  request.info.app = doc::Value(app_);
  request.info.running_as_system = effective.is_system();
  request.host =
      std::make_shared<FunctionHost>(this, deps_.data, std::move(effective), std::move(request_id));
  return request;
}

void FunctionRuntime::LogCall(const FunctionEntry& entry, const doc::Array& arguments,
                              const js::CallResult& result, std::string_view request_id) const {
  base::Logger* log = deps_.logger;
  if (log == nullptr) return;
  for (const js::LogEntry& line : result.log) {
    base::LogLevel level = LevelFor(line.level);
    if (!log->Enabled(level)) continue;
    log->Write(level, "function log",
               {{"function", entry.name}, {"request_id", request_id}, {"text", line.text}});
  }
  if (!result.status.ok()) {
    log->Info("function failed", {{"function", entry.name},
                                  {"request_id", request_id},
                                  {"error_code", base::ErrorCodeName(result.status.code())},
                                  {"error", result.status.message()}});
  }
  if (!entry.disable_arg_logs && log->Enabled(base::LogLevel::kDebug) && arguments.size() > 0) {
    log->Debug("function arguments", {{"function", entry.name},
                                      {"request_id", request_id},
                                      {"arguments", doc::ToRelaxedJson(doc::Value(arguments))}});
  }
}

doc::Array FunctionRuntime::LoggedArguments(const FunctionEntry& entry,
                                            const doc::Array& arguments) const {
  // Copied only when they will be written: the copy is a visible cost of
  // every call otherwise.
  const bool wanted = !entry.disable_arg_logs && deps_.logger != nullptr &&
                      deps_.logger->Enabled(base::LogLevel::kDebug);
  return wanted ? arguments : doc::Array{};
}

bool FunctionRuntime::CheckCallsFunctions(std::string_view name) const {
  const FunctionEntry* entry = catalog_.Find(name);
  return entry != nullptr && entry->can_evaluate && entry->can_evaluate->uses_function();
}

base::Status FunctionRuntime::CallFromClient(const services::DataCaller& caller,
                                             std::string_view name, doc::Array arguments,
                                             std::string request_id, js::Engine::Done done) const {
  const FunctionEntry* entry = catalog_.Find(name);
  if (entry == nullptr) return NotFound(name);
  if (entry->is_private) {
    return Status(ErrorCode::kNotCallable,
                  "function '" + entry->name + "' is private: clients cannot call it");
  }
  if (entry->can_evaluate) {
    rules::EvalContext ctx;
    ctx.user = &caller.user();
    ctx.values = &deps_.data->values();
    ctx.environment = &deps_.data->environment();
    if (caller.request()) ctx.request = &*caller.request();
    ctx.functions = this;
    if (!entry->can_evaluate->Evaluate(ctx)) {
      return Status(ErrorCode::kNotCallable,
                    "rule not matched for function '" + entry->name + "': can_evaluate is false");
    }
  }
  doc::Array logged_arguments = LoggedArguments(*entry, arguments);
  js::CallRequest request = MakeRequest(*entry, caller, std::move(arguments), request_id);
  return deps_.engine->Submit(
      std::move(request), [this, entry, logged = std::move(logged_arguments),
                           id = std::move(request_id), done = std::move(done)](js::CallResult r) {
        LogCall(*entry, logged, r, id);
        done(std::move(r));
      });
}

js::CallResult FunctionRuntime::Run(const services::DataCaller& caller, std::string_view name,
                                    doc::Array arguments, std::string_view request_id) const {
  const FunctionEntry* entry = catalog_.Find(name);
  if (entry == nullptr) {
    js::CallResult missing;
    missing.status = NotFound(name);
    return missing;
  }
  doc::Array logged = LoggedArguments(*entry, arguments);
  js::CallRequest request =
      MakeRequest(*entry, caller, std::move(arguments), std::string(request_id));
  js::CallResult result = deps_.engine->InCall() ? deps_.engine->CallNested(request)
                                                 : deps_.engine->Call(std::move(request)).get();
  LogCall(*entry, logged, result, request_id);
  return result;
}

base::Result<doc::Value> FunctionRuntime::Call(std::string_view name, const doc::Array& arguments,
                                               const rules::EvalContext& ctx) const {
  services::DataCaller caller =
      services::DataCaller::User(ctx.user != nullptr ? *ctx.user : doc::Document{});
  if (ctx.request != nullptr) caller.set_request(*ctx.request);
  js::CallResult result = Run(caller, name, arguments);
  if (!result.status.ok()) return result.status;
  return std::move(result.value);
}

base::Result<doc::Value> FunctionRuntime::RunAsSystem(std::string_view name, doc::Array arguments,
                                                      storage::Engine* store) const {
  services::DataCaller caller = services::DataCaller::System();
  caller.set_store(store);
  js::CallResult result = Run(caller, name, std::move(arguments));
  if (!result.status.ok()) return result.status;
  return std::move(result.value);
}

}  // namespace plinth::functions
