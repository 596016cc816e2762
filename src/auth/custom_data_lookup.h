#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
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
// The document is returned whatever its size: rules and functions see all
// of it; only tokens have a size budget (AuthService::MintAccess).
//
// Thread-safe; does not own the engine or the logger.
class CustomDataLookup {
 public:
  // `clock` and `cache_ttl`: see Find. Not owned.
  CustomDataLookup(storage::Engine* engine, std::string app_id, config::CustomUserDataConfig config,
                   config::CustomUserDataSettings settings, base::Logger* logger,
                   const base::Clock* clock, std::chrono::milliseconds cache_ttl);

  bool enabled() const { return config_.enabled; }
  // The current document. Served from memory while no write through the
  // engine has ended since it was read (Engine::WriteVersion) and for at
  // most `cache_ttl`: exact for every write made by this process (clients,
  // functions and triggers all write through it), and at most `cache_ttl`
  // late for another process's writes. Engines without a write version,
  // or a ttl of 0, read the store every time.
  base::Result<std::optional<doc::Document>> Find(std::string_view user_id) const;

  // What a token needs of the document, computed once per cached read
  // rather than at every refresh: the document, its BSON size and the
  // `user_data` claim's JSON (tokens.h UserDataClaimJson). Immutable.
  struct Found {
    std::optional<doc::Document> document;  // nullopt: none
    std::int64_t bson_size = 0;
    std::string claim_json;
  };
  // Find, without copying the document; same caching.
  base::Result<std::shared_ptr<const Found>> FindShared(std::string_view user_id) const;
  // Deletes the user's custom data documents through `engine` (a transaction
  // view of the same store) when settings.delete_with_user is on; otherwise,
  // or when disabled, does nothing (App Services keeps them).
  // Indexes the user id field (MongoDB's default name, "<field>_1") so the
  // lookup at every login and refresh is a point read, not a scan. An
  // existing index on the field under another name is left alone.
  // No-op when disabled.
  base::Status EnsureIndex() const;

  base::Status DeleteForUser(storage::Engine& engine, std::string_view user_id) const;

  // One custom data document larger than a size, for operators.
  struct LargeDocument {
    std::string user_id;     // the user id field as text (an ObjectId as hex)
    std::int64_t bytes = 0;  // BSON size
  };
  // Every document of the collection whose BSON size exceeds `bytes`, in
  // natural order. A full scan: an operator command, not a request path.
  // Disabled: none.
  base::Result<std::vector<LargeDocument>> LargerThan(std::int64_t bytes) const;

 private:
  base::Result<std::optional<doc::Document>> Read(std::string_view user_id) const;

  struct Cached {
    std::shared_ptr<const Found> found;
    std::uint64_t write_version = 0;
    std::chrono::steady_clock::time_point until;
  };
  static constexpr std::size_t kMaxCached = 100000;

  storage::Engine* engine_;
  std::string app_id_;
  config::CustomUserDataConfig config_;
  config::CustomUserDataSettings settings_;
  base::Logger* logger_;
  const base::Clock* clock_;
  const std::chrono::milliseconds cache_ttl_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Cached> cache_;  // guarded by mu_
};

}  // namespace plinth::auth
