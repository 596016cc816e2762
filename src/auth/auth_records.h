#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "base/result.h"
#include "doc/value.h"
#include "storage/engine.h"

namespace plinth::auth {

// AuthRecords reads and writes one app's own records in the store's
// reserved database `__plinth` (ARCHITECTURE "Storage format"), one
// collection per kind, named "<app_id>.<kind>" so apps stay apart
// (DECISIONS 10):
//   users        {_id: ObjectId, type, identities, data, disabled, created, last_login}
//   identities   {_id: "<provider_type>|<identity id>", user_id}: at most one
//                user per identity, enforced by _id, written with the user
//   userpass     {_id: ObjectId (identity id), email (unique), password_hash,
//                confirmed, user_id?, created}: email/password accounts, pending
//                until confirmed and unlinked until the first login
//   sessions     {_id: sha256(session id), user_id, device_id, created, expires}
//   api_keys     {_id: ObjectId, user_id, name, key_hash (unique), disabled, created}
//   tokens       {_id: token id, kind: "confirm"|"reset", email, token_hash, expires}
//   trigger_events {_id: ObjectId, trigger, function, event, attempts, next}:
//                authentication trigger runs not yet delivered (auth_triggers.h)
// Secrets (session ids, API keys, mail tokens) are stored as SHA-256 hashes:
// they are high-entropy random values, so a plain hash is enough to make a
// copy of the store useless for logging in; passwords get Argon2id.
//
// Every method takes the Engine to work through, so callers can pass a
// transaction view (Engine::RunTransaction) and make several writes atomic.
// Stateless apart from names; thread-safe.
class AuthRecords {
 public:
  static constexpr std::string_view kDatabase = "__plinth";

  struct Session {
    std::string hash;  // sha256 hex of the session id
    std::string user_id;
    std::string device_id;
    std::int64_t created_ms = 0;
    std::int64_t expires_ms = 0;
  };

  struct Account {   // local-userpass
    std::string id;  // identity id (ObjectId hex)
    std::string email;
    std::string password_hash;
    bool confirmed = false;
    std::string user_id;  // "" until the first login
  };

  struct ApiKey {
    std::string id;  // ObjectId hex
    std::string user_id;
    std::string name;
    std::string key_hash;
    bool disabled = false;
  };

  struct MailToken {
    std::string id;
    std::string kind;  // "confirm" or "reset"
    std::string email;
    std::string token_hash;
    std::int64_t expires_ms = 0;
  };

  explicit AuthRecords(std::string app_id);

  const std::string& app_id() const { return app_id_; }

  // Creates the secondary indexes (idempotent). Called once at start.
  base::Status EnsureIndexes(storage::Engine& engine) const;

  // Users and their identities.
  base::Result<std::optional<User>> FindUser(storage::Engine& engine,
                                             std::string_view user_id) const;
  base::Result<std::vector<User>> ListUsers(storage::Engine& engine) const;
  base::Result<std::optional<std::string>> FindUserIdByIdentity(storage::Engine& engine,
                                                                std::string_view provider_type,
                                                                std::string_view identity_id) const;
  // Inserts the user and one identity-index row per identity. An identity
  // already owned by someone is kIdentityAlreadyLinked.
  base::Status InsertUser(storage::Engine& engine, const User& user) const;
  // Adds `identity` to the user (index row first, so a race cannot give
  // one identity two owners).
  base::Status AddIdentity(storage::Engine& engine, std::string_view user_id,
                           const Identity& identity) const;
  // Copies each field of `data` into the user's profile data unless the
  // profile already has that field. kUserNotFound for an unknown user.
  base::Status AddMissingUserData(storage::Engine& engine, std::string_view user_id,
                                  const doc::Document& data) const;
  base::Status SetDisabled(storage::Engine& engine, std::string_view user_id, bool disabled) const;
  base::Status SetLastLogin(storage::Engine& engine, std::string_view user_id,
                            std::int64_t millis) const;
  // Removes the user, its identity rows, sessions, API keys and
  // email/password accounts. False when there was no such user.
  base::Result<bool> DeleteUser(storage::Engine& engine, std::string_view user_id) const;

  // Sessions.
  base::Status InsertSession(storage::Engine& engine, const Session& session) const;
  base::Result<std::optional<Session>> FindSession(storage::Engine& engine,
                                                   std::string_view hash) const;
  // Number deleted.
  base::Result<std::int64_t> DeleteSession(storage::Engine& engine, std::string_view hash) const;
  base::Result<std::int64_t> DeleteUserSessions(storage::Engine& engine,
                                                std::string_view user_id) const;

  // Email/password accounts.
  base::Result<std::optional<Account>> FindAccountByEmail(storage::Engine& engine,
                                                          std::string_view email) const;
  // An existing email is kAccountNameInUse.
  base::Status InsertAccount(storage::Engine& engine, const Account& account) const;
  base::Status SetAccountConfirmed(storage::Engine& engine, std::string_view account_id) const;
  base::Status SetAccountUser(storage::Engine& engine, std::string_view account_id,
                              std::string_view user_id) const;
  base::Status SetAccountPassword(storage::Engine& engine, std::string_view account_id,
                                  std::string_view password_hash) const;
  // Removes a pending account (one a confirmation function refused). False
  // when there was no such account.
  base::Result<bool> DeleteAccount(storage::Engine& engine, std::string_view account_id) const;

  // API keys.
  base::Status InsertApiKey(storage::Engine& engine, const ApiKey& key) const;
  base::Result<std::vector<ApiKey>> ListApiKeys(storage::Engine& engine,
                                                std::string_view user_id) const;
  base::Result<std::optional<ApiKey>> FindApiKeyByHash(storage::Engine& engine,
                                                       std::string_view key_hash) const;
  // Only the user's own key: another user's key is "not found".
  base::Result<std::optional<ApiKey>> FindApiKey(storage::Engine& engine, std::string_view user_id,
                                                 std::string_view key_id) const;
  base::Result<bool> SetApiKeyDisabled(storage::Engine& engine, std::string_view user_id,
                                       std::string_view key_id, bool disabled) const;
  base::Result<bool> DeleteApiKey(storage::Engine& engine, std::string_view user_id,
                                  std::string_view key_id) const;

  // Confirmation and reset tokens.
  base::Status InsertMailToken(storage::Engine& engine, const MailToken& token) const;
  base::Result<std::optional<MailToken>> FindMailToken(storage::Engine& engine,
                                                       std::string_view id) const;
  // False when it was already gone (another request took it).
  base::Result<bool> DeleteMailToken(storage::Engine& engine, std::string_view id) const;

  // The pending authentication trigger events (auth_triggers.h owns their
  // format).
  base::Result<std::shared_ptr<storage::Collection>> TriggerEvents(storage::Engine& engine) const {
    return Get(engine, "trigger_events");
  }

 private:
  base::Result<std::shared_ptr<storage::Collection>> Get(storage::Engine& engine,
                                                         std::string_view kind) const;

  std::string app_id_;
};

}  // namespace plinth::auth
