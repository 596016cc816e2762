#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_functions.h"
#include "auth/auth_records.h"
#include "auth/auth_triggers.h"
#include "auth/custom_data_lookup.h"
#include "auth/key_ring.h"
#include "auth/login_throttle.h"
#include "auth/state_cache.h"
#include "auth/tokens.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/random.h"
#include "base/result.h"
#include "config/app_config.h"
#include "config/secrets.h"
#include "crypto/password_hash.h"
#include "crypto/signing_key.h"
#include "mail/mailer.h"
#include "storage/engine.h"
#include "storage/object_id_generator.h"

namespace plinth::auth {

// What an AuthService is built with. None is owned; each must outlive it.
struct AuthDeps {
  storage::Engine* store = nullptr;
  const base::Clock* clock = nullptr;
  base::Random* random = nullptr;
  base::Logger* logger = nullptr;
  mail::Mailer* mailer = nullptr;
  const config::Secrets* secrets = nullptr;
  // The app's functions (user creation, confirmation/reset, custom-function
  // login). Null: every function is FunctionNotFound.
  const AuthFunctions* functions = nullptr;
};

// A login or link attempt (client-api §3).
struct LoginRequest {
  std::string provider;  // the path segment: the provider's name
  doc::Document body;    // credentials (top level) and `options`
  std::string remote;    // "ip:port" of the client, for throttling
  // Set for `?link=true`: the verified access token of the user to link to.
  std::optional<TokenClaims> link_to;
};

struct LoginResult {
  std::string access_token;
  std::string refresh_token;  // empty for a link
  std::string user_id;
  std::string device_id;
};

// The caller of an authenticated request, after every check of DECISIONS 4.
struct Caller {
  TokenClaims claims;
  std::shared_ptr<const User> user;
  std::string device_id;  // the session's
};

struct ApiKeyInfo {
  std::string id;
  std::string name;
  bool disabled = false;
  std::string key;  // only in the answer to Create
};

// AuthService is the whole of authentication for one app: providers from
// auth/providers.json, users and their identities, sessions and tokens,
// email/password accounts with confirmation and reset mail, user API keys,
// and the operator's user commands. HTTP routes (http/auth_routes.cc) and
// the `plinth users` command both go through it.
//
// Blocking: Login with local-userpass, Register, ResetPassword and
// CreateEmailPasswordUser hash a password (about 13 ms of CPU at the
// defaults), the mail methods wait for SMTP, and the confirmation, reset
// and custom-function hooks wait for the app's JavaScript; callers run them
// on a worker pool, never on an I/O thread (NeedsWorker()).
//
// Thread-safe: every method may run on any thread at once.
class AuthService {
 public:
  // Reads the providers and settings of `app` (which must outlive the
  // service) and prepares the store's indexes.
  static base::Result<std::unique_ptr<AuthService>> Create(const config::AppConfig& app,
                                                           KeyRing keys, const AuthDeps& deps);

  const std::string& app_id() const { return app_id_; }
  const TokenService& tokens() const { return tokens_; }

  // Whether a login through `provider` must run on a worker pool.
  bool NeedsWorker(std::string_view provider) const;

  // --- Client routes -----------------------------------------------------
  // A throttled attempt fails with kTooManyRequests and sets
  // *retry_after_seconds (when given).
  base::Result<LoginResult> Login(const LoginRequest& request,
                                  std::int64_t* retry_after_seconds = nullptr);
  // DECISIONS 4: verifies the token (type, app, expiry) and that its
  // session is live and its user neither disabled nor deleted.
  base::Result<Caller> Authenticate(std::string_view token, TokenType type);
  // A new access token for an authenticated refresh token's session (with
  // current custom user data); never writes to the store.
  base::Result<std::string> Refresh(const Caller& caller);
  // Authenticate(token, kRefresh), then Refresh.
  base::Result<std::string> Refresh(std::string_view refresh_token);
  // Ends the refresh token's session. An unknown or already ended session
  // is fine (idempotent), so realm-web's logout after deleteUser succeeds.
  base::Status Logout(std::string_view refresh_token);
  doc::Document Profile(const Caller& caller) const;
  // The user object rules (%%user) and functions (context.user) see:
  // id, type, data, identities and custom_data, the current custom user
  // data document ({} when there is none or the feature is off; served from
  // the lookup's cache, which every write through this process refreshes).
  base::Result<doc::Document> UserObjectFor(const Caller& caller) const;
  base::Status DeleteUser(std::string_view user_id);

  // local-userpass. With runConfirmationFunction, Register runs the
  // confirmation function (docs/auth.md "Auth functions"): "success"
  // confirms at once, "pending" leaves the account pending, "fail" (400
  // BadRequest) or a throw (400 FunctionExecutionError) removes it.
  base::Status Register(std::string_view email, std::string_view password);
  base::Status Confirm(std::string_view token, std::string_view token_id);
  base::Status ResendConfirmation(std::string_view email);
  base::Status SendPasswordReset(std::string_view email);
  base::Status ResetPassword(std::string_view token, std::string_view token_id,
                             std::string_view password);
  // confirm/call: runs the confirmation function again for a pending
  // account with a new token; the account stays pending on anything but
  // "success".
  base::Status CallConfirmationFunction(std::string_view email);
  // reset/call: runs the reset function with ({token, tokenId, username,
  // password}, ...arguments). "success" sets `password` at once; "pending"
  // keeps the reset token for the `reset` route.
  base::Status CallResetFunction(std::string_view email, std::string_view password,
                                 const doc::Array& arguments);

  // User API keys of `user_id`.
  base::Result<ApiKeyInfo> CreateApiKey(std::string_view user_id, std::string_view name);
  base::Result<std::vector<ApiKeyInfo>> ListApiKeys(std::string_view user_id);
  base::Result<ApiKeyInfo> GetApiKey(std::string_view user_id, std::string_view key_id);
  base::Status SetApiKeyDisabled(std::string_view user_id, std::string_view key_id, bool disabled);
  base::Status DeleteApiKey(std::string_view user_id, std::string_view key_id);

  // Authentication triggers (auth_triggers.h): every process records
  // events; only `plinth serve` delivers them. Stop before the JS engine
  // goes away.
  void StartTriggers() { triggers_.Start(deps_.store, deps_.functions); }
  void StopTriggers() { triggers_.Stop(); }

  // Custom data documents over the size budget (plinth.json
  // custom_user_data.warn_size_bytes), for `plinth users large-custom-data`.
  base::Result<std::vector<CustomDataLookup::LargeDocument>> ListLargeCustomData() const;
  // Access tokens minted since start whose custom data was over the budget,
  // and those that left it out for its size (GET /metrics).
  struct CustomDataSizeStats {
    std::uint64_t over_budget = 0;
    std::uint64_t omitted = 0;
  };
  CustomDataSizeStats custom_data_size_stats() const;

  // --- Operator commands (`plinth users ...`) ------------------------------
  base::Result<std::vector<User>> ListUsers();
  // A confirmed email/password account and its user, created at once.
  base::Result<User> CreateEmailPasswordUser(std::string_view email, std::string_view password);
  base::Status SetUserDisabled(std::string_view user_id, bool disabled);
  // Number of sessions ended.
  base::Result<std::int64_t> RevokeSessions(std::string_view user_id);

  // Limits, documented in docs/auth.md.
  static constexpr std::size_t kMinPasswordChars = 6;
  static constexpr std::size_t kMaxPasswordChars = 128;
  static constexpr std::int64_t kConfirmTokenSeconds = 7 * 24 * 60 * 60;
  static constexpr std::int64_t kResetTokenSeconds = 30 * 60;
  // An external id a custom-function auth function returns.
  static constexpr std::size_t kMaxExternalIdBytes = 512;

 private:
  struct Authenticated;  // an identity a provider vouched for
  AuthService(const config::AppConfig& app, KeyRing keys, const AuthDeps& deps);

  const config::AuthProvider* EnabledProvider(std::string_view name,
                                              config::ProviderType type) const;
  base::Result<Authenticated> AuthenticateUserpass(const LoginRequest& request,
                                                   std::int64_t* retry_after);
  base::Result<Authenticated> AuthenticateApiKey(const LoginRequest& request,
                                                 std::int64_t* retry_after);
  base::Result<Authenticated> AuthenticateCustomToken(const config::AuthProvider& provider,
                                                      const LoginRequest& request);
  base::Result<Authenticated> AuthenticateCustomFunction(const config::AuthProvider& provider,
                                                         const LoginRequest& request);
  base::Result<LoginResult> Link(const TokenClaims& link_to, Authenticated identity);
  base::Result<std::string> MintAccess(std::string_view user_id, std::string_view session_id,
                                       std::string_view device_id);
  base::Result<std::shared_ptr<const User>> LoadUser(std::string_view user_id);
  // A new confirmation or reset token for `account`, stored (hashed); the
  // token itself is returned, with the record's id in *token_id.
  base::Result<std::string> IssueMailToken(const AuthRecords::Account& account,
                                           std::string_view kind, std::string* token_id);
  base::Status SendMailToken(const AuthRecords::Account& account, std::string_view kind);
  // Runs the confirmation function for a pending account with a new
  // confirm token and applies its answer; `registering` removes the
  // account on "fail" or an error.
  base::Status RunConfirmationFunction(const config::LocalUserpassConfig& cfg,
                                       const AuthRecords::Account& account, bool registering);
  base::Result<AuthRecords::MailToken> TakeMailToken(std::string_view token,
                                                     std::string_view token_id,
                                                     std::string_view kind);
  base::Status CheckPassword(std::string_view password) const;
  // The enabled local-userpass provider's settings (its defaults when it has
  // no `config`), or AuthProviderNotFound.
  base::Result<const config::LocalUserpassConfig*> UserpassConfig() const;
  // Persists a new user (DECISIONS 2-3): runs the user creation function,
  // when custom user data names one, as the system with the user object,
  // its writes staged; then commits them together with `write_records` (the
  // user, identity, account link, session) in one transaction. A failing
  // function: 400 FunctionExecutionError with its message, nothing written.
  base::Status CreateUserRecords(
      const User& user, const std::function<base::Status(storage::Engine&)>& write_records);
  // Whether a user creation function is configured (and will run).
  bool HasCreationFunction() const;
  std::string NewObjectIdHex();
  std::string ProviderId(std::string_view provider_name) const;

  const config::AppConfig& app_;
  const std::string app_id_;
  AuthDeps deps_;
  AuthRecords records_;
  TokenService tokens_;
  StateCache cache_;
  LoginThrottle throttle_;
  CustomDataLookup custom_data_;
  crypto::Argon2Params argon2_;
  storage::ObjectIdGenerator ids_;
  std::vector<crypto::SigningKey> custom_token_keys_;
  std::atomic<std::uint64_t> custom_data_over_budget_{0};
  std::atomic<std::uint64_t> custom_data_omitted_{0};
  AuthTriggers triggers_;  // declared last: its thread stops first
};

// Email addresses are compared after trimming spaces and lower-casing
// ASCII letters (docs/auth.md).
std::string NormalizeEmail(std::string_view email);

}  // namespace plinth::auth
