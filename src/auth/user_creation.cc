// The user creation function and the commit of a new user (DECISIONS 2-3).

#include <utility>

#include "auth/auth_service.h"
#include "auth/user.h"
#include "base/error_code.h"

namespace plinth::auth {

bool AuthService::HasCreationFunction() const {
  const config::CustomUserDataConfig& custom = app_.custom_user_data;
  return custom.enabled && !custom.on_user_creation_function_name.empty();
}

base::Status AuthService::CreateUserRecords(
    const User& user, const std::function<base::Status(storage::Engine&)>& write_records) {
  if (!HasCreationFunction()) return deps_.store->RunTransaction(write_records);
  const std::string& name = app_.custom_user_data.on_user_creation_function_name;
  if (deps_.functions == nullptr) {
    return base::Status(base::ErrorCode::kFunctionNotFound, "function not found: '" + name + "'");
  }
  // The function's writes go to a stage: visible to its own reads, held
  // back from everyone else, and committed only with the user. The SQLite
  // writer is not held while JavaScript runs.
  std::unique_ptr<storage::Stage> stage = deps_.store->NewStage();
  doc::Document argument = UserObject(user);
  argument.Append("custom_data", doc::Document{});
  base::Result<doc::Value> ran = deps_.functions->RunAsSystem(
      name, doc::Array{doc::Value(std::move(argument))}, &stage->view());
  if (!ran.ok()) {
    stage->Discard();
    const base::Status& failed = ran.status();
    if (failed.code() == base::ErrorCode::kTooManyRequests) return failed;
    if (deps_.logger != nullptr) {
      deps_.logger->Info("user creation function failed; no user created",
                         {{"function", name}, {"error", failed.message()}});
    }
    // Time limit or JS error alike: the client sees the function's message.
    return base::Status(base::ErrorCode::kFunctionExecutionError, failed.message());
  }
  base::Status committed = stage->Commit(write_records);
  if (!committed.ok()) stage->Discard();
  return committed;
}

}  // namespace plinth::auth
