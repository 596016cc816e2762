#include "auth/auth_service.h"

#include <algorithm>
#include <thread>

#include "base/error_code.h"
#include "crypto/constant_time.h"
#include "crypto/jwt.h"
#include "crypto/sha256.h"
#include "doc/limits.h"

namespace plinth::auth {

struct AuthService::Authenticated {
  Identity identity;             // empty provider_type: log in as existing_user_id
  doc::Document data;            // profile data of a new user
  std::string existing_user_id;  // the owner, when already known
  std::string account_id;        // email/password account to tie to the user
  std::string throttle_name;     // username whose failure count a success clears
};

namespace {

base::Status Unsupported(std::string_view provider) {
  return {base::ErrorCode::kAuthProviderNotFound,
          "authentication via '" + std::string(provider) + "' is unsupported"};
}

// options.device.deviceId when it is a real device id (client-api §3.2).
std::string DeviceIdOf(const doc::Document& body) {
  const doc::Value* options = body.Get("options");
  if (options == nullptr || !options->is_document()) return "";
  const doc::Value* device = options->as_document().Get("device");
  if (device == nullptr || !device->is_document()) return "";
  const doc::Value* id = device->as_document().Get("deviceId");
  if (id == nullptr) return "";
  std::string hex;
  if (id->type() == doc::Type::kObjectId) hex = id->as_object_id().ToHex();
  if (id->is_string() && doc::ObjectId::FromHex(id->as_string()).ok()) hex = id->as_string();
  if (hex.empty() || hex == std::string(24, '0')) return "";
  return hex;
}

// A value inside a custom JWT's payload by dotted path ("user_data.name").
const doc::Value* PathValue(const doc::Document& payload, std::string_view path) {
  const doc::Document* current = &payload;
  for (;;) {
    std::size_t dot = path.find('.');
    const doc::Value* v = current->Get(path.substr(0, dot));
    if (v == nullptr || dot == std::string_view::npos) return v;
    if (!v->is_document()) return nullptr;
    current = &v->as_document();
    path = path.substr(dot + 1);
  }
}

}  // namespace

std::string NormalizeEmail(std::string_view email) {
  while (!email.empty() && (email.front() == ' ' || email.front() == '\t')) email.remove_prefix(1);
  while (!email.empty() && (email.back() == ' ' || email.back() == '\t')) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

AuthService::AuthService(const config::AppConfig& app, KeyRing keys, const AuthDeps& deps)
    : app_(app),
      app_id_(app.root.app_id),
      deps_(deps),
      records_(app.root.app_id),
      tokens_(app.root.app_id, std::move(keys), app.settings.tokens, deps.clock),
      cache_(deps.clock, std::chrono::milliseconds(app.settings.tokens.state_cache_ms)),
      throttle_(app.settings.throttle, deps.clock),
      custom_data_(deps.store, app.root.app_id, app.custom_user_data, app.settings.custom_user_data,
                   deps.logger, deps.clock,
                   std::chrono::milliseconds(app.settings.tokens.state_cache_ms)),
      ids_(deps.clock, deps.random),
      triggers_(app, &records_, deps.clock, deps.logger) {
  argon2_.ops_limit = static_cast<std::uint64_t>(app.settings.passwords.argon2_ops_limit);
  argon2_.mem_limit_bytes =
      static_cast<std::size_t>(app.settings.passwords.argon2_memory_kib) * 1024;
}

base::Result<std::unique_ptr<AuthService>> AuthService::Create(const config::AppConfig& app,
                                                               KeyRing keys, const AuthDeps& deps) {
  std::unique_ptr<AuthService> service(new AuthService(app, std::move(keys), deps));
  PLINTH_RETURN_IF_ERROR(service->records_.EnsureIndexes(*deps.store));
  PLINTH_RETURN_IF_ERROR(service->custom_data_.EnsureIndex());
  for (const config::AuthProvider& p : app.auth_providers) {
    if (p.type != config::ProviderType::kCustomToken || p.disabled || !p.custom_token) continue;
    const config::CustomTokenConfig& ct = *p.custom_token;
    std::optional<crypto::JwtAlgorithm> alg = crypto::ParseJwtAlgorithm(ct.signing_algorithm);
    if (!alg || *alg == crypto::JwtAlgorithm::kEdDSA) {
      return base::Status(base::ErrorCode::kInvalidConfig,
                          "auth/providers.json custom-token: signingAlgorithm must be HS256 or "
                          "RS256");
    }
    if (ct.use_jwk_uri) {
      return base::Status(base::ErrorCode::kInvalidConfig,
                          "auth/providers.json custom-token: useJWKURI is not supported (Plinth "
                          "fetches nothing at run time); configure signingKeys instead");
    }
    for (const std::string& name : ct.signing_key_secret_names) {
      PLINTH_ASSIGN_OR_RETURN(std::string value, deps.secrets->Require(name));
      base::Result<crypto::SigningKey> key = *alg == crypto::JwtAlgorithm::kHS256
                                                 ? crypto::SigningKey::Hmac(value, "")
                                                 : crypto::SigningKey::FromPem(*alg, value, "");
      if (!key.ok()) {
        return base::Status(base::ErrorCode::kInvalidConfig,
                            "auth/providers.json custom-token: secret \"" + name +
                                "\" is not a usable " + ct.signing_algorithm + " key");
      }
      service->custom_token_keys_.push_back(std::move(*key));
    }
  }
  return service;
}

std::string AuthService::NewObjectIdHex() { return ids_.Next().ToHex(); }

std::string AuthService::ProviderId(std::string_view provider_name) const {
  // Stable across restarts and distinct per app and provider.
  return crypto::Sha256Hex(app_id_ + "/" + std::string(provider_name)).substr(0, 24);
}

const config::AuthProvider* AuthService::EnabledProvider(std::string_view name,
                                                         config::ProviderType type) const {
  const config::AuthProvider* p = app_.FindProvider(name);
  if (p == nullptr || p->disabled || p->type != type) return nullptr;
  return p;
}

bool AuthService::NeedsWorker(std::string_view provider) const {
  const config::AuthProvider* p = app_.FindProvider(provider);
  if (p == nullptr) return false;
  if (p->type == config::ProviderType::kLocalUserpass ||
      p->type == config::ProviderType::kCustomFunction) {
    return true;
  }
  // A first login may create the user, which runs JavaScript.
  return HasCreationFunction();
}

// --- Login -------------------------------------------------------------------

base::Result<AuthService::Authenticated> AuthService::AuthenticateUserpass(
    const LoginRequest& request, std::int64_t* retry_after) {
  std::string email = NormalizeEmail(doc::StringFieldOrEmpty(request.body, "username"));
  std::string password = doc::StringFieldOrEmpty(request.body, "password");
  std::string_view address = AddressWithoutPort(request.remote);
  if (std::optional<std::int64_t> wait = throttle_.Blocked(email, address)) {
    *retry_after = *wait;
    return base::Status(base::ErrorCode::kTooManyRequests,
                        "too many failed login attempts; try again later");
  }
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> account,
                          records_.FindAccountByEmail(*deps_.store, email));
  // The same Argon2id work whether or not the account exists, so timing
  // does not tell which emails are registered.
  bool password_ok = false;
  if (account) {
    password_ok = crypto::VerifyPassword(account->password_hash, password);
  } else {
    PLINTH_ASSIGN_OR_RETURN(std::string dummy, crypto::DummyPasswordHash(argon2_));
    crypto::VerifyPassword(dummy, password);
  }
  if (!password_ok || !account->confirmed) {
    if (!password_ok) throttle_.RecordFailure(email, address);
    return base::Status(base::ErrorCode::kInvalidPassword, "invalid username/password");
  }
  Authenticated a;
  a.identity.id = account->id;
  a.identity.provider_type = "local-userpass";
  a.identity.provider_data = doc::Document{{"email", email}};
  a.data = doc::Document{{"email", email}};
  a.existing_user_id = account->user_id;
  a.account_id = account->id;
  a.throttle_name = email;
  return a;
}

base::Result<AuthService::Authenticated> AuthService::AuthenticateApiKey(
    const LoginRequest& request, std::int64_t* retry_after) {
  std::string_view address = AddressWithoutPort(request.remote);
  if (std::optional<std::int64_t> wait = throttle_.Blocked("", address)) {
    *retry_after = *wait;
    return base::Status(base::ErrorCode::kTooManyRequests,
                        "too many failed login attempts; try again later");
  }
  std::string key = doc::StringFieldOrEmpty(request.body, "key");
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::ApiKey> found,
                          records_.FindApiKeyByHash(*deps_.store, crypto::Sha256Hex(key)));
  if (!found || found->disabled || key.empty()) {
    throttle_.RecordFailure("", address);
    return base::Status(base::ErrorCode::kAuthFailed, "invalid API key");
  }
  Authenticated a;
  a.existing_user_id = found->user_id;
  return a;
}

base::Result<AuthService::Authenticated> AuthService::AuthenticateCustomToken(
    const config::AuthProvider& provider, const LoginRequest& request) {
  const config::CustomTokenConfig& ct = *provider.custom_token;
  crypto::JwtVerifyOptions options;
  options.keys = &custom_token_keys_;
  options.algorithm = *crypto::ParseJwtAlgorithm(ct.signing_algorithm);
  options.now_seconds = deps_.clock->NowMillis() / 1000;
  options.audiences = ct.audience.empty() ? std::vector<std::string>{app_id_} : ct.audience;
  base::Result<crypto::VerifiedJwt> jwt =
      crypto::VerifyJwt(doc::StringFieldOrEmpty(request.body, "token"), options);
  if (!jwt.ok()) {
    return base::Status(base::ErrorCode::kAuthFailed,
                        "invalid custom auth token: " + jwt.status().message());
  }
  if (!ct.audience.empty() && !ct.require_any_audience) {
    // App Services: without requireAnyAudience the token must name every
    // configured audience (VerifyJwt checked that it names one).
    const doc::Value* aud = jwt->payload.Get("aud");
    for (const std::string& wanted : ct.audience) {
      bool found = aud != nullptr && aud->is_string() && aud->as_string() == wanted;
      if (aud != nullptr && aud->is_array()) {
        for (const doc::Value& v : aud->as_array()) {
          found = found || (v.is_string() && v.as_string() == wanted);
        }
      }
      if (!found) {
        return base::Status(base::ErrorCode::kAuthFailed,
                            "invalid custom auth token: audience '" + wanted + "' missing");
      }
    }
  }
  std::string subject = doc::StringFieldOrEmpty(jwt->payload, "sub");
  if (subject.empty()) {
    return base::Status(base::ErrorCode::kAuthFailed, "invalid custom auth token: no sub claim");
  }
  Authenticated a;
  a.identity.id = subject;
  a.identity.provider_type = "custom-token";
  for (const config::MetadataField& field : provider.metadata_fields) {
    const doc::Value* v = PathValue(jwt->payload, field.name);
    if (v == nullptr) {
      if (field.required) {
        return base::Status(
            base::ErrorCode::kAuthFailed,
            "invalid custom auth token: required metadata field '" + field.name + "' is missing");
      }
      continue;
    }
    std::string name = field.field_name;
    if (name.empty()) name = field.name.substr(field.name.rfind('.') + 1);
    a.data.Set(name, *v);
  }
  a.identity.provider_data = a.data;
  return a;
}

base::Result<AuthService::Authenticated> AuthService::AuthenticateCustomFunction(
    const config::AuthProvider& provider, const LoginRequest& request) {
  const std::string name =
      provider.custom_function ? provider.custom_function->auth_function_name : "";
  if (deps_.functions == nullptr) {
    return base::Status(base::ErrorCode::kFunctionNotFound, "function not found: '" + name + "'");
  }
  // The payload is the body without the keys the SDKs add (client-api §3.1).
  doc::Document payload = request.body;
  payload.Remove("options");
  payload.Remove("provider");
  base::Result<doc::Value> result =
      deps_.functions->RunAsSystem(name, doc::Array{doc::Value(std::move(payload))});
  if (!result.ok()) {
    // Throwing is how the function refuses a login (app-config §1.3): an
    // authentication failure carrying its message. Timeouts, overload and
    // a missing function keep their own codes.
    if (result.status().code() == base::ErrorCode::kFunctionExecutionError) {
      return base::Status(base::ErrorCode::kAuthFailed, result.status().message());
    }
    return result.status();
  }
  const doc::Value* id = &*result;
  const doc::Value* display_name = nullptr;
  if (result->is_document()) {
    id = result->as_document().Get("id");
    display_name = result->as_document().Get("name");
  }
  // Any other answer is a bug in the app's function, not a refusal.
  const base::Status bad_return(
      base::ErrorCode::kFunctionExecutionError,
      "authentication function '" + name + "' must return a non-empty string id of at most " +
          std::to_string(kMaxExternalIdBytes) + " bytes or {id, name}, with name a string");
  if (id == nullptr || !id->is_string() || id->as_string().empty() ||
      id->as_string().size() > kMaxExternalIdBytes) {
    return bad_return;
  }
  if (display_name != nullptr && !display_name->is_string() &&
      display_name->type() != doc::Type::kNull) {
    return bad_return;
  }
  Authenticated a;
  a.identity.id = id->as_string();
  a.identity.provider_type = "custom-function";
  if (display_name != nullptr && display_name->is_string()) {
    a.data.Set("name", *display_name);
  }
  a.identity.provider_data = a.data;
  return a;
}

base::Result<LoginResult> AuthService::Login(const LoginRequest& request,
                                             std::int64_t* retry_after_seconds) {
  std::int64_t retry_after = 0;
  const config::AuthProvider* provider = app_.FindProvider(request.provider);
  if (provider == nullptr || provider->disabled) return Unsupported(request.provider);
  LoginResult result;
  base::Result<Authenticated> who = base::Status(base::ErrorCode::kInternal, "unreachable");
  switch (provider->type) {
    case config::ProviderType::kAnonUser: {
      if (request.link_to) {
        return base::Status(base::ErrorCode::kBadRequest,
                            "cannot link an anonymous identity to a user");
      }
      Authenticated a;
      a.identity.id = NewObjectIdHex();
      a.identity.provider_type = "anon-user";
      who = std::move(a);
      break;
    }
    case config::ProviderType::kLocalUserpass:
      who = AuthenticateUserpass(request, &retry_after);
      break;
    case config::ProviderType::kApiKey:
      if (request.link_to) {
        return base::Status(base::ErrorCode::kBadRequest, "cannot link an API key to a user");
      }
      who = AuthenticateApiKey(request, &retry_after);
      break;
    case config::ProviderType::kCustomToken:
      who = AuthenticateCustomToken(*provider, request);
      break;
    case config::ProviderType::kCustomFunction:
      who = AuthenticateCustomFunction(*provider, request);
      break;
    default:
      // OAuth needs outbound HTTP.
      return Unsupported(request.provider);
  }
  if (!who.ok()) {
    if (retry_after_seconds != nullptr) *retry_after_seconds = retry_after;
    return who.status();
  }
  if (!who->throttle_name.empty()) throttle_.RecordSuccess(who->throttle_name);
  who->identity.provider_id = ProviderId(provider->name);
  if (request.link_to) return Link(*request.link_to, std::move(*who));

  storage::Engine& store = *deps_.store;
  std::string user_id = who->existing_user_id;
  if (user_id.empty() && !who->identity.provider_type.empty()) {
    PLINTH_ASSIGN_OR_RETURN(
        std::optional<std::string> owner,
        records_.FindUserIdByIdentity(store, who->identity.provider_type, who->identity.id));
    if (owner) user_id = *owner;
  }

  const std::int64_t now_ms = deps_.clock->NowMillis();
  result.device_id = DeviceIdOf(request.body);
  if (result.device_id.empty()) result.device_id = NewObjectIdHex();
  const std::string session_id = deps_.random->Hex(16);
  AuthRecords::Session session;
  session.hash = crypto::Sha256Hex(session_id);
  session.device_id = result.device_id;
  session.created_ms = now_ms;
  session.expires_ms = now_ms + tokens_.refresh_lifetime_seconds() * 1000;

  if (!user_id.empty()) {
    PLINTH_ASSIGN_OR_RETURN(std::optional<User> user, records_.FindUser(store, user_id));
    if (!user) return base::Status(base::ErrorCode::kInvalidPassword, "invalid username/password");
    if (user->disabled) return base::Status(base::ErrorCode::kUserDisabled, "user disabled");
    session.user_id = user_id;
    PLINTH_RETURN_IF_ERROR(store.RunTransaction([&](storage::Engine& txn) -> base::Status {
      PLINTH_RETURN_IF_ERROR(records_.InsertSession(txn, session));
      PLINTH_RETURN_IF_ERROR(triggers_.Record(txn, config::AuthOperationType::kLogin,
                                              {who->identity.provider_type}, UserObject(*user)));
      return records_.SetLastLogin(txn, user_id, now_ms);
    }));
    triggers_.Notify();
  } else {
    // A new user (DECISIONS 2): the creation function's writes, the user,
    // identity and session commit together.
    User user;
    user.id = NewObjectIdHex();
    user.identities.push_back(who->identity);
    user.data = who->data;
    user.created_ms = now_ms;
    user.last_login_ms = now_ms;
    user_id = user.id;
    session.user_id = user_id;
    base::Status created = CreateUserRecords(user, [&](storage::Engine& txn) -> base::Status {
      PLINTH_RETURN_IF_ERROR(records_.InsertUser(txn, user));
      if (!who->account_id.empty()) {
        PLINTH_RETURN_IF_ERROR(records_.SetAccountUser(txn, who->account_id, user.id));
      }
      const doc::Document object = UserObject(user);
      const std::vector<std::string> providers{who->identity.provider_type};
      PLINTH_RETURN_IF_ERROR(
          triggers_.Record(txn, config::AuthOperationType::kCreate, providers, object));
      PLINTH_RETURN_IF_ERROR(
          triggers_.Record(txn, config::AuthOperationType::kLogin, providers, object));
      return records_.InsertSession(txn, session);
    });
    if (created.ok()) triggers_.Notify();
    if (created.code() == base::ErrorCode::kIdentityAlreadyLinked) {
      // Two first logins of one identity raced and the other won: log in as
      // the user it created.
      PLINTH_ASSIGN_OR_RETURN(
          std::optional<std::string> owner,
          records_.FindUserIdByIdentity(store, who->identity.provider_type, who->identity.id));
      if (!owner) return created;
      user_id = *owner;
      session.user_id = user_id;
      PLINTH_RETURN_IF_ERROR(records_.InsertSession(store, session));
    } else {
      PLINTH_RETURN_IF_ERROR(created);
    }
  }
  result.user_id = user_id;
  PLINTH_ASSIGN_OR_RETURN(result.access_token, MintAccess(user_id, session_id, result.device_id));
  PLINTH_ASSIGN_OR_RETURN(result.refresh_token,
                          tokens_.MintRefresh(user_id, session_id, session.expires_ms / 1000));
  return result;
}

base::Result<LoginResult> AuthService::Link(const TokenClaims& link_to, Authenticated who) {
  storage::Engine& store = *deps_.store;
  PLINTH_ASSIGN_OR_RETURN(
      std::optional<std::string> owner,
      records_.FindUserIdByIdentity(store, who.identity.provider_type, who.identity.id));
  if (owner && *owner != link_to.user_id) {
    return base::Status(base::ErrorCode::kIdentityAlreadyLinked,
                        "identity already linked to another user");
  }
  if (!owner) {
    PLINTH_RETURN_IF_ERROR(store.RunTransaction([&](storage::Engine& txn) -> base::Status {
      PLINTH_RETURN_IF_ERROR(records_.AddIdentity(txn, link_to.user_id, who.identity));
      if (!who.account_id.empty()) {
        PLINTH_RETURN_IF_ERROR(records_.SetAccountUser(txn, who.account_id, link_to.user_id));
      }
      // The profile gains the new identity's data (email, name, ...)
      // where it has none of its own.
      return records_.AddMissingUserData(txn, link_to.user_id, who.data);
    }));
    cache_.ForgetUser(link_to.user_id);
  }
  LoginResult result;
  result.user_id = link_to.user_id;
  result.device_id = link_to.device_id;
  PLINTH_ASSIGN_OR_RETURN(result.access_token,
                          MintAccess(link_to.user_id, link_to.session_id, link_to.device_id));
  return result;
}

base::Result<std::string> AuthService::MintAccess(std::string_view user_id,
                                                  std::string_view session_id,
                                                  std::string_view device_id) {
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const CustomDataLookup::Found> found,
                          custom_data_.FindShared(user_id));
  // The size policy of docs/custom-user-data.md: over the budget, a warning
  // (log and metrics); over the hard limit, or too large for a JWT, no
  // claim but a note saying so, rather than a token proxies refuse. Size and
  // claim text come encoded from the lookup's cache.
  const std::int64_t size = found->bson_size;
  std::int64_t omitted = 0;
  std::string_view claim = found->claim_json;
  if (found->document) {
    const config::CustomUserDataSettings& limits = app_.settings.custom_user_data;
    if (size > limits.warn_size_bytes) {
      custom_data_over_budget_.fetch_add(1, std::memory_order_relaxed);
      deps_.logger->Warn("custom user data over its size budget",
                         {{"app", app_id_},
                          {"user_id", std::string(user_id)},
                          {"bytes", static_cast<std::uint64_t>(size)},
                          {"budget", static_cast<std::uint64_t>(limits.warn_size_bytes)}});
    }
    if (size > limits.max_size_bytes) {
      omitted = size;
      claim = {};
    }
  }
  base::Result<std::string> token =
      tokens_.MintAccessWithClaim(user_id, session_id, device_id, claim, omitted);
  if (!token.ok() && !claim.empty() &&
      token.status().code() == base::ErrorCode::kInvalidParameter) {
    // The document makes the token larger than a JWT may be (crypto/jwt.h
    // kMaxJwtBytes, sized for HTTP headers): log in without the claim
    // rather than not at all.
    omitted = size;
    token = tokens_.MintAccessWithClaim(user_id, session_id, device_id, {}, omitted);
  }
  if (omitted > 0) {
    custom_data_omitted_.fetch_add(1, std::memory_order_relaxed);
    deps_.logger->Error("custom user data too large for an access token; claim left out",
                        {{"app", app_id_},
                         {"user_id", std::string(user_id)},
                         {"bytes", static_cast<std::uint64_t>(omitted)}});
  }
  return token;
}

base::Result<std::vector<CustomDataLookup::LargeDocument>> AuthService::ListLargeCustomData()
    const {
  return custom_data_.LargerThan(app_.settings.custom_user_data.warn_size_bytes);
}

AuthService::CustomDataSizeStats AuthService::custom_data_size_stats() const {
  return {custom_data_over_budget_.load(std::memory_order_relaxed),
          custom_data_omitted_.load(std::memory_order_relaxed)};
}

// --- Sessions ------------------------------------------------------------------

base::Result<std::shared_ptr<const User>> AuthService::LoadUser(std::string_view user_id) {
  std::string id(user_id);
  if (std::shared_ptr<const User> cached = cache_.GetUser(id)) return cached;
  PLINTH_ASSIGN_OR_RETURN(std::optional<User> user, records_.FindUser(*deps_.store, user_id));
  if (!user) return std::shared_ptr<const User>();
  auto shared = std::make_shared<const User>(std::move(*user));
  cache_.PutUser(shared);
  return shared;
}

base::Result<Caller> AuthService::Authenticate(std::string_view token, TokenType type) {
  PLINTH_ASSIGN_OR_RETURN(TokenClaims claims, tokens_.Verify(token, type));
  const std::string hash = crypto::Sha256Hex(claims.session_id);
  std::optional<StateCache::SessionState> session = cache_.GetSession(hash);
  if (!session) {
    PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Session> stored,
                            records_.FindSession(*deps_.store, hash));
    if (stored) {
      session = StateCache::SessionState{stored->user_id, stored->device_id, stored->expires_ms};
      cache_.PutSession(hash, *session);
    }
  }
  // realm-web's logout treats this exact wording as "already logged out".
  const base::Status gone(base::ErrorCode::kInvalidSession,
                          "invalid session: failed to find refresh token");
  if (!session || session->user_id != claims.user_id) return gone;
  if (session->expires_ms <= deps_.clock->NowMillis()) return gone;
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const User> user, LoadUser(claims.user_id));
  if (user == nullptr) return gone;
  if (user->disabled) return base::Status(base::ErrorCode::kUserDisabled, "user disabled");
  return Caller{std::move(claims), std::move(user), session->device_id};
}

base::Result<std::string> AuthService::Refresh(const Caller& caller) {
  if (caller.claims.type != TokenType::kRefresh) {
    return base::Status(base::ErrorCode::kInvalidSession,
                        "invalid session: a refresh token is required");
  }
  return MintAccess(caller.claims.user_id, caller.claims.session_id, caller.device_id);
}

base::Result<std::string> AuthService::Refresh(std::string_view refresh_token) {
  PLINTH_ASSIGN_OR_RETURN(Caller caller, Authenticate(refresh_token, TokenType::kRefresh));
  return Refresh(caller);
}

base::Status AuthService::Logout(std::string_view refresh_token) {
  PLINTH_ASSIGN_OR_RETURN(TokenClaims claims, tokens_.Verify(refresh_token, TokenType::kRefresh));
  const std::string hash = crypto::Sha256Hex(claims.session_id);
  cache_.ForgetSession(hash);
  return records_.DeleteSession(*deps_.store, hash).status();
}

namespace {

// App Services fills a user's `name` metadata from a string `name` field of
// its custom data document when the user has no name of its own.
void AddNameFromCustomData(doc::Document* holder, const std::optional<doc::Document>& custom) {
  if (!custom) return;
  const doc::Value* name = custom->Get("name");
  if (name == nullptr || !name->is_string()) return;
  doc::Value* data = holder->GetMutable("data");
  if (data == nullptr || !data->is_document() || data->as_document().Has("name")) return;
  data->as_document().Append("name", *name);
}

}  // namespace

doc::Document AuthService::Profile(const Caller& caller) const {
  doc::Document profile = ProfileDocument(*caller.user, tokens_.domain_id());
  // The profile answers even when the lookup fails: the name is a nicety.
  base::Result<std::optional<doc::Document>> custom = custom_data_.Find(caller.user->id);
  if (custom.ok()) AddNameFromCustomData(&profile, *custom);
  return profile;
}

base::Result<doc::Document> AuthService::UserObjectFor(const Caller& caller) const {
  doc::Document user = UserObject(*caller.user);
  PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Document> custom, custom_data_.Find(caller.user->id));
  AddNameFromCustomData(&user, custom);
  user.Append("custom_data", doc::Value(custom ? std::move(*custom) : doc::Document{}));
  return user;
}

base::Status AuthService::DeleteUser(std::string_view user_id) {
  bool deleted = false;
  PLINTH_RETURN_IF_ERROR(deps_.store->RunTransaction([&](storage::Engine& txn) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(std::optional<User> user, records_.FindUser(txn, user_id));
    PLINTH_ASSIGN_OR_RETURN(deleted, records_.DeleteUser(txn, user_id));
    if (!deleted) return base::Status::Ok();
    if (user) {
      // A DELETE event lists every provider the user had.
      std::vector<std::string> providers;
      for (const Identity& identity : user->identities) {
        if (std::find(providers.begin(), providers.end(), identity.provider_type) ==
            providers.end()) {
          providers.push_back(identity.provider_type);
        }
      }
      PLINTH_RETURN_IF_ERROR(
          triggers_.Record(txn, config::AuthOperationType::kDelete, providers, UserObject(*user)));
    }
    // plinth.json custom_user_data.delete_with_user (off by default).
    return custom_data_.DeleteForUser(txn, user_id);
  }));
  triggers_.Notify();
  cache_.ForgetUser(std::string(user_id));
  if (!deleted) return base::Status(base::ErrorCode::kUserNotFound, "user not found");
  return base::Status::Ok();
}

// --- Operator commands -------------------------------------------------------

base::Result<std::vector<User>> AuthService::ListUsers() {
  return records_.ListUsers(*deps_.store);
}

base::Status AuthService::SetUserDisabled(std::string_view user_id, bool disabled) {
  PLINTH_RETURN_IF_ERROR(records_.SetDisabled(*deps_.store, user_id, disabled));
  cache_.ForgetUser(std::string(user_id));
  return base::Status::Ok();
}

base::Result<std::int64_t> AuthService::RevokeSessions(std::string_view user_id) {
  PLINTH_ASSIGN_OR_RETURN(std::optional<User> user, records_.FindUser(*deps_.store, user_id));
  if (!user) return base::Status(base::ErrorCode::kUserNotFound, "user not found");
  PLINTH_ASSIGN_OR_RETURN(std::int64_t n, records_.DeleteUserSessions(*deps_.store, user_id));
  cache_.ForgetUser(std::string(user_id));
  return n;
}

}  // namespace plinth::auth
