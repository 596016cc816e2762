#pragma once

#include <optional>
#include <utility>

#include "doc/value.h"
#include "storage/engine.h"

namespace plinth::services {

// Who a data request runs as. A user caller carries the user object rules
// see as %%user ({id, type, data, custom_data, identities}); the system
// caller (system functions, triggers, the user creation function) bypasses
// rules entirely (app-config §4.1 step 10). The only way to get a system
// caller is DataCaller::System(), which HTTP handlers never call: a client
// request always runs as its authenticated user.
// Value type; thread-compatible.
class DataCaller {
 public:
  static DataCaller System() { return DataCaller(true, doc::Document{}); }
  static DataCaller User(doc::Document user_object) {
    return DataCaller(false, std::move(user_object));
  }
  // `user`'s call of a run_as_system function: no rules apply, but the
  // function still sees who called it (context.user, app-config §6.2).
  // Only functions/ creates it, for functions configured so.
  static DataCaller SystemActingFor(const DataCaller& user) {
    DataCaller out(true, user.user_);
    out.request_ = user.request_;
    out.store_ = user.store_;
    return out;
  }

  bool is_system() const { return system_; }
  // The %%user object; empty for the system caller (unless acting for a
  // user, see SystemActingFor).
  const doc::Document& user() const { return user_; }

  // %%request ({httpMethod, remoteIPAddress, ...}) when the call came from an
  // HTTP request; unset otherwise (the expansion is then missing).
  const std::optional<doc::Document>& request() const { return request_; }
  void set_request(doc::Document request) { request_ = std::move(request); }

  // Where this caller's requests read and write, when not the app's store:
  // a storage::Stage view for the user creation function, whose writes must
  // commit together with the new user (DECISIONS 3). Not owned.
  storage::Engine* store() const { return store_; }
  void set_store(storage::Engine* store) { store_ = store; }

 private:
  DataCaller(bool system, doc::Document user) : system_(system), user_(std::move(user)) {}

  bool system_;
  doc::Document user_;
  std::optional<doc::Document> request_;
  storage::Engine* store_ = nullptr;
};

}  // namespace plinth::services
