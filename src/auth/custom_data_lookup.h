#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/logger.h"
#include "base/result.h"
#include "config/custom_user_data.h"
#include "config/plinth_settings.h"
#include "doc/value.h"
#include "storage/engine.h"

namespace plinth::auth {

// CustomDataLookup finds a user's custom data document (app-config §2): the
// document of the configured collection whose user_id_field equals the
// user id, as a string or as an ObjectId; with several, a string-typed one
// wins, otherwise the first inserted. A system read: rules do not apply.
// Disabled or nothing found: nullopt (no `user_data` claim, DECISIONS 1).
// A document larger than settings.max_size_bytes is left out of tokens
// (with an error log line); one above warn_size_bytes is logged at warn.
//
// Thread-safe; does not own the engine or the logger.
class CustomDataLookup {
 public:
  CustomDataLookup(storage::Engine* engine, std::string app_id, config::CustomUserDataConfig config,
                   config::CustomUserDataSettings settings, base::Logger* logger);

  bool enabled() const { return config_.enabled; }
  base::Result<std::optional<doc::Document>> Find(std::string_view user_id) const;
  // Deletes the user's custom data documents through `engine` (a transaction
  // view of the same store) when settings.delete_with_user is on; otherwise,
  // or when disabled, does nothing (App Services keeps them).
  // Indexes the user id field (MongoDB's default name, "<field>_1") so the
  // lookup at every login and refresh is a point read, not a scan. An
  // existing index on the field under another name is left alone.
  // No-op when disabled.
  base::Status EnsureIndex() const;

  base::Status DeleteForUser(storage::Engine& engine, std::string_view user_id) const;

 private:
  storage::Engine* engine_;
  std::string app_id_;
  config::CustomUserDataConfig config_;
  config::CustomUserDataSettings settings_;
  base::Logger* logger_;
};

}  // namespace plinth::auth
