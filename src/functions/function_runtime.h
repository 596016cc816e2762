#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "auth/auth_functions.h"
#include "base/logger.h"
#include "base/result.h"
#include "config/app_config.h"
#include "doc/value.h"
#include "functions/function_catalog.h"
#include "js/engine.h"
#include "rules/function_caller.h"
#include "services/data_access.h"
#include "services/data_caller.h"

namespace plinth::functions {

// What a FunctionRuntime needs from the rest of the server. Nothing is
// owned; everything must outlive the runtime.
struct RuntimeDeps {
  js::Engine* engine = nullptr;
  // The app's MongoDB service (context.services, context.values,
  // context.environment).
  const services::DataAccess* data = nullptr;
  base::Logger* logger = nullptr;  // null: calls are not logged
};

// FunctionRuntime runs one app's functions (app-config §6) on the JS engine:
// it resolves a name in the FunctionCatalog, decides who the call runs as
// (the caller; the system for run_as_system functions, still showing the
// caller as context.user), builds `context` (CallInfo) and the per-call Host
// through which context.services/values/functions reach the server, and
// writes each call and its console output to the log with the request id.
//
// Every way into a function goes through here: client calls
// (CallFromClient), and the server's own calls (Run): %function in rules
// (this class is the rules::FunctionCaller), context.functions.execute,
// auth's functions (this class is the auth::AuthFunctions), triggers.
//
// Immutable after Create; thread-safe.
class FunctionRuntime final : public rules::FunctionCaller, public auth::AuthFunctions {
 public:
  // kInvalidConfig per FunctionCatalog::Build.
  static base::Result<std::unique_ptr<FunctionRuntime>> Create(const config::AppConfig& app,
                                                               const RuntimeDeps& deps);

  const FunctionCatalog& catalog() const { return catalog_; }

  // A client's `functions/call {name, arguments}`: kFunctionNotFound for an
  // unknown name; kNotCallable (403) for a private function or when
  // can_evaluate is false for `caller`; else the call is queued (errors of
  // js::Engine::Submit: kTooManyRequests, argument limits) and `done` runs
  // on the JS thread with the outcome. When an error is returned, `done` is
  // never called.
  base::Status CallFromClient(const services::DataCaller& caller, std::string_view name,
                              doc::Array arguments, std::string request_id,
                              js::Engine::Done done) const;

  // Whether CallFromClient's check of `name` calls a function itself (its
  // can_evaluate uses %function) and may therefore block until that
  // function ends: an I/O thread should then call from a pool.
  bool CheckCallsFunctions(std::string_view name) const;

  // The server's own call of `name` as `caller`: private functions allowed,
  // can_evaluate not consulted. On a JS thread inside a running call it runs
  // inline (nested, DECISIONS 12); elsewhere it blocks the calling thread
  // until the function ends, so never call it from an I/O thread.
  js::CallResult Run(const services::DataCaller& caller, std::string_view name,
                     doc::Array arguments, std::string_view request_id = {}) const;

  // rules::FunctionCaller: %function, run as ctx.user (with ctx.request).
  base::Result<doc::Value> Call(std::string_view name, const doc::Array& arguments,
                                const rules::EvalContext& ctx) const override;

  // auth::AuthFunctions: Run as the system caller, reading and writing
  // `store` when given.
  base::Result<doc::Value> RunAsSystem(std::string_view name, doc::Array arguments,
                                       storage::Engine* store = nullptr) const override;

 private:
  FunctionRuntime(FunctionCatalog catalog, const RuntimeDeps& deps, doc::Document app);

  js::CallRequest MakeRequest(const FunctionEntry& entry, const services::DataCaller& caller,
                              doc::Array arguments, std::string request_id) const;
  // The arguments as the log will show them: empty unless debug logging is
  // on and the function allows it.
  doc::Array LoggedArguments(const FunctionEntry& entry, const doc::Array& arguments) const;
  // Logs one finished call (status, console lines, arguments unless
  // disable_arg_logs).
  void LogCall(const FunctionEntry& entry, const doc::Array& arguments,
               const js::CallResult& result, std::string_view request_id) const;

  FunctionCatalog catalog_;
  RuntimeDeps deps_;
  doc::Document app_;  // context.app
};

}  // namespace plinth::functions
