// Unit tests of the auth layer: tokens and their rejection cases, the
// provider flows, API keys, custom JWTs, throttling, the state cache, the
// user_data claim, record atomicity and the key ring.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "auth/auth_records.h"
#include "auth/auth_registry.h"
#include "auth/auth_service.h"
#include "auth/key_ring.h"
#include "auth/login_throttle.h"
#include "auth/state_cache.h"
#include "auth/tokens.h"
#include "base/clock.h"
#include "base/error_code.h"
#include "base/logger.h"
#include "base/random.h"
#include "base/temp_dir_for_test.h"
#include "config/app_config.h"
#include "config/secrets.h"
#include "crypto/base64url.h"
#include "crypto/jwt.h"
#include "crypto/sha256.h"
#include "crypto/signing_key.h"
#include "doc/ejson.h"
#include "mail/mailer.h"
#include "storage/app_namespace.h"
#include "storage/cursor.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::auth {
namespace {

using base::ErrorCode;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kApp[] = "app-a";
constexpr char kJwtSecret[] = "custom-jwt-secret-0123456789-abcdefghijkl";
constexpr char kSharedKey[] = "shared-token-key-0123456789-abcdefghijklmn";
constexpr char kKey2025[] = "rotation-key-2025-0123456789-abcdefghijklm";
constexpr char kKey2026[] = "rotation-key-2026-0123456789-abcdefghijklm";
constexpr char kRemote[] = "10.0.0.1:5555";

// --- Small helpers -------------------------------------------------------------

const base::Status& StatusOf(const base::Status& s) { return s; }
template <typename T>
const base::Status& StatusOf(const base::Result<T>& r) {
  return r.status();
}

#define EXPECT_CODE(expr, want)                                                                 \
  do {                                                                                          \
    const auto& plinth_r_ = (expr);                                                             \
    EXPECT_EQ(StatusOf(plinth_r_).code(), (want)) << "got: " << StatusOf(plinth_r_).ToString(); \
  } while (0)

#define ASSERT_OK(expr)                                                      \
  do {                                                                       \
    const auto& plinth_r_ = (expr);                                          \
    ASSERT_TRUE(StatusOf(plinth_r_).ok()) << StatusOf(plinth_r_).ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                                      \
  do {                                                                       \
    const auto& plinth_r_ = (expr);                                          \
    EXPECT_TRUE(StatusOf(plinth_r_).ok()) << StatusOf(plinth_r_).ToString(); \
  } while (0)

class RecordingMailer final : public mail::Mailer {
 public:
  base::Status Send(const mail::MailMessage& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(message);
    return base::Status::Ok();
  }
  std::vector<mail::MailMessage> sent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<mail::MailMessage> sent_;
};

// The value of `key` in the (first) link of a mail body.
std::string LinkParam(const std::string& body, const std::string& key) {
  std::size_t p = body.find(key + "=");
  if (p == std::string::npos) return "";
  p += key.size() + 1;
  std::size_t end = body.find_first_of("&\n \r", p);
  return body.substr(p, end == std::string::npos ? std::string::npos : end - p);
}

std::string Segment(std::string_view token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  std::size_t end = token.find('.', start);
  base::Result<std::string> decoded = crypto::Base64UrlDecode(
      token.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  return decoded.ok() ? *decoded : std::string();
}
std::string HeaderJson(std::string_view token) { return Segment(token, 0); }
std::string PayloadJson(std::string_view token) { return Segment(token, 1); }
doc::Document Payload(std::string_view token) {
  base::Result<doc::Document> d = doc::ParseJsonDocument(PayloadJson(token));
  return d.ok() ? *d : doc::Document();
}
std::string StringClaim(std::string_view token, std::string_view name) {
  doc::Document p = Payload(token);
  const doc::Value* v = p.Get(name);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

// header.payload.signature from raw JSON and a raw signature segment.
std::string Forge(std::string_view header_json, std::string_view payload_json,
                  std::string_view signature_segment) {
  return crypto::Base64UrlEncode(header_json) + "." + crypto::Base64UrlEncode(payload_json) + "." +
         std::string(signature_segment);
}

std::string SignJwt(std::string_view payload_json, const crypto::SigningKey& key) {
  base::Result<std::string> token = crypto::EncodeJwt(payload_json, key);
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : std::string();
}

crypto::SigningKey HmacKey(std::string secret, std::string kid) {
  base::Result<crypto::SigningKey> key =
      crypto::SigningKey::Hmac(std::move(secret), std::move(kid));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return *key;
}

doc::Document UserPass(std::string_view email, std::string_view password) {
  return doc::Document{{"username", std::string(email)}, {"password", std::string(password)}};
}

std::vector<doc::Document> AllDocs(storage::Engine& engine, const std::string& db,
                                   const std::string& coll) {
  base::Result<std::shared_ptr<storage::Collection>> c = engine.GetCollection(db, coll);
  EXPECT_TRUE(c.ok());
  if (!c.ok()) return {};
  base::Result<std::unique_ptr<storage::Cursor>> cursor = (*c)->Find(doc::Document{});
  EXPECT_TRUE(cursor.ok());
  if (!cursor.ok()) return {};
  base::Result<std::vector<doc::Document>> docs = storage::ReadAll(cursor->get());
  EXPECT_TRUE(docs.ok());
  return docs.ok() ? *docs : std::vector<doc::Document>();
}

// Every record of every app in the reserved database, as text.
std::string DumpRecords(storage::Engine& engine) {
  std::string out;
  base::Result<std::vector<std::string>> names =
      engine.ListCollections(std::string(AuthRecords::kDatabase));
  EXPECT_TRUE(names.ok());
  if (!names.ok()) return out;
  for (const std::string& name : *names) {
    out += name + ":\n";
    for (const doc::Document& d : AllDocs(engine, std::string(AuthRecords::kDatabase), name)) {
      out += doc::ToCanonicalJson(d) + "\n";
    }
  }
  return out;
}

// --- Fixture -------------------------------------------------------------------

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::Secrets::Environment env{{"PLINTH_SECRET_JWTSECRET", kJwtSecret},
                                     {"PLINTH_SECRET_SHAREDKEY", kSharedKey},
                                     {"PLINTH_SECRET_K2025", kKey2025},
                                     {"PLINTH_SECRET_K2026", kKey2026}};
    base::Result<config::Secrets> secrets = config::Secrets::Load(dir_.path() / "nosecrets", env);
    ASSERT_OK(secrets);
    secrets_ = std::move(*secrets);
    storage::SqliteOptions options;
    options.clock = &clock_;
    options.random = &random_;
    base::Result<std::unique_ptr<storage::Engine>> engine = storage::OpenSqliteEngine(options);
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  std::filesystem::path data_dir() const { return dir_.path() / "data"; }

  // An app with every provider Plinth implements and cheap Argon2id.
  static config::AppConfig MakeApp(std::string app_id, bool auto_confirm = true) {
    config::AppConfig app;
    app.root.app_id = app_id;
    app.root.name = app_id;
    app.settings.passwords.argon2_ops_limit = 1;
    app.settings.passwords.argon2_memory_kib = 8;

    config::AuthProvider anon;
    anon.name = "anon-user";
    anon.type = config::ProviderType::kAnonUser;
    app.auth_providers.push_back(anon);

    config::AuthProvider userpass;
    userpass.name = "local-userpass";
    userpass.type = config::ProviderType::kLocalUserpass;
    config::LocalUserpassConfig up;
    up.auto_confirm = auto_confirm;
    up.email_confirmation_url = "https://example.com/confirm";
    up.reset_password_url = "https://example.com/reset?lang=en";
    userpass.local_userpass = up;
    app.auth_providers.push_back(userpass);

    config::AuthProvider api_key;
    api_key.name = "api-key";
    api_key.type = config::ProviderType::kApiKey;
    app.auth_providers.push_back(api_key);

    config::AuthProvider custom;
    custom.name = "custom-token";
    custom.type = config::ProviderType::kCustomToken;
    config::CustomTokenConfig ct;
    ct.signing_algorithm = "HS256";
    ct.signing_key_secret_names = {"jwtSecret"};
    custom.custom_token = ct;
    custom.metadata_fields.push_back(config::MetadataField{true, "user_data.name", "name"});
    custom.metadata_fields.push_back(config::MetadataField{false, "email", ""});
    app.auth_providers.push_back(custom);
    return app;
  }

  base::Result<KeyRing> LoadKeys(const config::AppConfig& app) {
    return KeyRing::Load(data_dir(), app.root.app_id, app.settings.tokens, secrets_, random_);
  }

  // Starts an AuthService over the shared engine; nullptr (and a failure) on error.
  AuthService* Start(const config::AppConfig& app) {
    apps_.push_back(std::make_unique<config::AppConfig>(app));
    base::Result<KeyRing> keys = LoadKeys(*apps_.back());
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    if (!keys.ok()) return nullptr;
    AuthDeps deps{engine_.get(), &clock_, &random_, &logger_, &mailer_, &secrets_};
    deps.functions = functions_;
    base::Result<std::unique_ptr<AuthService>> service =
        AuthService::Create(*apps_.back(), std::move(*keys), deps);
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    if (!service.ok()) return nullptr;
    services_.push_back(std::move(*service));
    return services_.back().get();
  }

  static LoginRequest Req(std::string provider, doc::Document body, std::string remote = kRemote) {
    LoginRequest r;
    r.provider = std::move(provider);
    r.body = std::move(body);
    r.remote = std::move(remote);
    return r;
  }

  // A login that must succeed.
  static LoginResult MustLogin(AuthService& auth, std::string provider, doc::Document body) {
    base::Result<LoginResult> r = auth.Login(Req(std::move(provider), std::move(body)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : LoginResult();
  }

  // A registered, confirmed email/password user that has logged in once.
  static LoginResult EmailUser(AuthService& auth, std::string_view email,
                               std::string_view password = "secret-pw") {
    EXPECT_OK(auth.Register(email, password));
    return MustLogin(auth, "local-userpass", UserPass(email, password));
  }

  std::string CustomJwt(const std::string& payload, const std::string& secret = kJwtSecret) {
    return SignJwt(payload, HmacKey(secret, ""));
  }

  std::int64_t NowSeconds() const { return clock_.NowMillis() / 1000; }

  base::TempDirForTest dir_;
  base::FakeClock clock_;
  base::SeededRandom random_{20260101};
  base::CapturingLogger logger_;
  RecordingMailer mailer_;
  config::Secrets secrets_;
  std::unique_ptr<storage::Engine> engine_;
  const AuthFunctions* functions_ = nullptr;  // given to services Start makes
  std::deque<std::unique_ptr<config::AppConfig>> apps_;
  std::vector<std::unique_ptr<AuthService>> services_;  // destroyed first
};

// --- 1. Token rejection --------------------------------------------------------

TEST_F(AuthTest, ValidTokensAuthenticate) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  base::Result<Caller> caller = auth->Authenticate(login.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  EXPECT_EQ(caller->claims.user_id, login.user_id);
  EXPECT_EQ(caller->claims.device_id, login.device_id);
  EXPECT_EQ(caller->claims.app_id, kApp);
  EXPECT_EQ(caller->user->id, login.user_id);
  EXPECT_OK(auth->Authenticate(login.refresh_token, TokenType::kRefresh));
  // The header names the configured algorithm and the signing key.
  EXPECT_THAT(HeaderJson(login.access_token), HasSubstr("\"alg\":\"HS256\""));
  doc::Document p = Payload(login.access_token);
  EXPECT_EQ(StringClaim(login.access_token, "typ"), "access");
  EXPECT_EQ(StringClaim(login.access_token, "iss"), kApp);
  EXPECT_EQ(StringClaim(login.access_token, "sub"), login.user_id);
  EXPECT_EQ(StringClaim(login.access_token, "baas_domain_id"), auth->tokens().domain_id());
  EXPECT_EQ(StringClaim(login.refresh_token, "typ"), "refresh");
  ASSERT_NE(p.Get("exp"), nullptr);
  ASSERT_NE(p.Get("iat"), nullptr);
}

TEST_F(AuthTest, RejectsAlgNone) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  const std::string payload = PayloadJson(login.access_token);
  for (std::string_view sig : {"", "AAAA"}) {
    std::string forged = Forge(R"({"alg":"none","typ":"JWT"})", payload, sig);
    EXPECT_CODE(auth->Authenticate(forged, TokenType::kAccess), ErrorCode::kInvalidSession);
    EXPECT_CODE(auth->tokens().Verify(forged, TokenType::kAccess), ErrorCode::kInvalidSession);
  }
  // The original signature under a header claiming "none" fails as well.
  std::string sig = login.access_token.substr(login.access_token.rfind('.') + 1);
  EXPECT_CODE(auth->Authenticate(Forge(R"({"alg":"none"})", payload, sig), TokenType::kAccess),
              ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, RejectsRs256TokenOnHs256App) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  base::Result<crypto::SigningKey> rsa =
      crypto::SigningKey::Generate(crypto::JwtAlgorithm::kRS256, "", random_);
  ASSERT_OK(rsa);
  std::string forged = SignJwt(PayloadJson(login.access_token), *rsa);
  EXPECT_THAT(HeaderJson(forged), HasSubstr("RS256"));
  EXPECT_CODE(auth->Authenticate(forged, TokenType::kAccess), ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, RejectsHs256TokenKeyedWithThePublicKeyOnRs256App) {
  config::AppConfig app = MakeApp(kApp);
  app.settings.tokens.signing_algorithm = "RS256";
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  EXPECT_THAT(HeaderJson(login.access_token), HasSubstr("RS256"));
  ASSERT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  // The classic confusion attack: HMAC keyed with the server's public key,
  // under the server key's kid.
  base::Result<KeyRing> ring = LoadKeys(app);
  ASSERT_OK(ring);
  base::Result<std::string> pem = ring->signer().ExportPublicPem();
  ASSERT_OK(pem);
  std::string forged =
      SignJwt(PayloadJson(login.access_token), HmacKey(*pem, ring->signer().kid()));
  EXPECT_THAT(HeaderJson(forged), HasSubstr("HS256"));
  EXPECT_CODE(auth->Authenticate(forged, TokenType::kAccess), ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, RejectsTokenSignedWithAnotherKey) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  base::Result<KeyRing> ring = LoadKeys(*apps_.back());
  ASSERT_OK(ring);
  const std::string payload = PayloadJson(login.access_token);
  // Same kid, wrong secret.
  std::string forged = SignJwt(payload, HmacKey(std::string(64, 'x'), ring->signer().kid()));
  EXPECT_CODE(auth->Authenticate(forged, TokenType::kAccess), ErrorCode::kInvalidSession);
  // No kid, wrong secret.
  EXPECT_CODE(
      auth->Authenticate(SignJwt(payload, HmacKey(std::string(64, 'y'), "")), TokenType::kAccess),
      ErrorCode::kInvalidSession);
  // The right key signs it: accepted (so the rejections above were the key's).
  EXPECT_OK(auth->Authenticate(SignJwt(payload, ring->signer()), TokenType::kAccess));
  // A tampered payload under the original signature.
  std::string other = payload;
  other.replace(other.find(login.user_id), login.user_id.size(), std::string(24, 'a'));
  std::string tampered = Forge(HeaderJson(login.access_token), other,
                               login.access_token.substr(login.access_token.rfind('.') + 1));
  EXPECT_CODE(auth->Authenticate(tampered, TokenType::kAccess), ErrorCode::kInvalidSession);
}

// Verified tokens are remembered; the memory must not let anything through
// that a full verification would refuse.
TEST_F(AuthTest, RememberedTokensAreCheckedAsStrictly) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  ASSERT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  // Same header and payload, another signature: a different token.
  std::string resigned = login.access_token;
  char& last = resigned.back();
  last = last == 'A' ? 'B' : 'A';
  EXPECT_CODE(auth->Authenticate(resigned, TokenType::kAccess), ErrorCode::kInvalidSession);
  // The remembered access token is still not a refresh token.
  EXPECT_CODE(auth->Authenticate(login.access_token, TokenType::kRefresh),
              ErrorCode::kInvalidSession);
  // Nor does it outlive its session.
  ASSERT_OK(auth->Logout(login.refresh_token));
  EXPECT_CODE(auth->Authenticate(login.access_token, TokenType::kAccess),
              ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, RejectsAnotherAppsToken) {
  // Both apps sign with the same configured key, so only the issuer differs.
  config::AppConfig a = MakeApp("app-a");
  config::AppConfig b = MakeApp("app-b");
  a.settings.tokens.signing_key_secrets = {"sharedKey"};
  b.settings.tokens.signing_key_secrets = {"sharedKey"};
  AuthService* auth_a = Start(a);
  AuthService* auth_b = Start(b);
  ASSERT_NE(auth_a, nullptr);
  ASSERT_NE(auth_b, nullptr);
  LoginResult login = MustLogin(*auth_a, "anon-user", {});
  EXPECT_EQ(TokenService::PeekIssuer(login.access_token), "app-a");
  EXPECT_CODE(auth_b->tokens().Verify(login.access_token, TokenType::kAccess),
              ErrorCode::kUserAppDomainMismatch);
  EXPECT_CODE(auth_b->Authenticate(login.access_token, TokenType::kAccess),
              ErrorCode::kUserAppDomainMismatch);
  EXPECT_CODE(auth_b->Refresh(login.refresh_token), ErrorCode::kUserAppDomainMismatch);
  EXPECT_OK(auth_a->Authenticate(login.access_token, TokenType::kAccess));
  // The other app's users are not visible either.
  base::Result<std::vector<User>> users_b = auth_b->ListUsers();
  ASSERT_OK(users_b);
  EXPECT_TRUE(users_b->empty());
}

TEST_F(AuthTest, RejectsExpiredAccessToken) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  clock_.Advance(seconds(auth->tokens().access_lifetime_seconds() - 1));
  EXPECT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  clock_.Advance(seconds(2));
  base::Result<Caller> expired = auth->Authenticate(login.access_token, TokenType::kAccess);
  EXPECT_CODE(expired, ErrorCode::kInvalidSession);
  EXPECT_THAT(expired.status().message(), HasSubstr("expired"));
  // The refresh token outlives it and gives a working access token.
  base::Result<std::string> fresh = auth->Refresh(login.refresh_token);
  ASSERT_OK(fresh);
  EXPECT_OK(auth->Authenticate(*fresh, TokenType::kAccess));
}

TEST_F(AuthTest, RejectsExpiredRefreshToken) {
  config::AppConfig app = MakeApp(kApp);
  app.settings.tokens.refresh_token_lifetime_seconds = 3600;
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  clock_.Advance(seconds(3601));
  EXPECT_CODE(auth->Refresh(login.refresh_token), ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, RejectsNotYetValidToken) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  base::Result<KeyRing> ring = LoadKeys(*apps_.back());
  ASSERT_OK(ring);
  std::string payload = PayloadJson(login.access_token);
  payload.pop_back();
  std::string later = payload + ",\"nbf\":" + std::to_string(NowSeconds() + 300) + "}";
  std::string early = SignJwt(later, ring->signer());
  EXPECT_CODE(auth->Authenticate(early, TokenType::kAccess), ErrorCode::kInvalidSession);
  std::string now = payload + ",\"nbf\":" + std::to_string(NowSeconds()) + "}";
  EXPECT_OK(auth->Authenticate(SignJwt(now, ring->signer()), TokenType::kAccess));
}

TEST_F(AuthTest, RejectsTokenOfTheWrongType) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  EXPECT_CODE(auth->Authenticate(login.refresh_token, TokenType::kAccess),
              ErrorCode::kInvalidSession);
  EXPECT_CODE(auth->Authenticate(login.access_token, TokenType::kRefresh),
              ErrorCode::kInvalidSession);
  EXPECT_CODE(auth->Refresh(login.access_token), ErrorCode::kInvalidSession);
  EXPECT_CODE(auth->Logout(login.access_token), ErrorCode::kInvalidSession);
  // Logout with the wrong type did not end the session.
  EXPECT_OK(auth->Refresh(login.refresh_token));
}

TEST_F(AuthTest, RejectsGarbageTokens) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  for (std::string_view t : {"", "a", "a.b", "a.b.c", "..", "a.b.c.d"}) {
    SCOPED_TRACE(t);
    EXPECT_CODE(auth->Authenticate(t, TokenType::kAccess), ErrorCode::kInvalidSession);
  }
  std::string huge(TokenService::kMaxTokenBytes + 1, 'a');
  EXPECT_CODE(auth->Authenticate(huge, TokenType::kAccess), ErrorCode::kInvalidSession);
  EXPECT_FALSE(TokenService::PeekIssuer(huge).has_value());
  EXPECT_FALSE(TokenService::PeekIssuer("a.b").has_value());
}

TEST_F(AuthTest, RejectsRevokedSession) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  LoginResult other = MustLogin(*auth, "anon-user", {});
  // Warm the cache: logout must still take effect at once.
  ASSERT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  ASSERT_OK(auth->Refresh(login.refresh_token));
  ASSERT_OK(auth->Logout(login.refresh_token));
  base::Result<Caller> access = auth->Authenticate(login.access_token, TokenType::kAccess);
  EXPECT_CODE(access, ErrorCode::kInvalidSession);
  EXPECT_THAT(access.status().message(), HasSubstr("failed to find refresh token"));
  base::Result<std::string> refreshed = auth->Refresh(login.refresh_token);
  EXPECT_CODE(refreshed, ErrorCode::kInvalidSession);
  EXPECT_THAT(refreshed.status().message(), HasSubstr("failed to find refresh token"));
  // Logout is idempotent; other sessions live on.
  EXPECT_OK(auth->Logout(login.refresh_token));
  EXPECT_OK(auth->Authenticate(other.access_token, TokenType::kAccess));
}

TEST_F(AuthTest, RevokeSessionsEndsEveryOneOfTheUser) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult first = EmailUser(*auth, "rev@x.io");
  LoginResult second = MustLogin(*auth, "local-userpass", UserPass("rev@x.io", "secret-pw"));
  ASSERT_EQ(first.user_id, second.user_id);
  ASSERT_OK(auth->Authenticate(first.access_token, TokenType::kAccess));
  base::Result<std::int64_t> n = auth->RevokeSessions(first.user_id);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  EXPECT_CODE(auth->Authenticate(first.access_token, TokenType::kAccess),
              ErrorCode::kInvalidSession);
  EXPECT_CODE(auth->Refresh(second.refresh_token), ErrorCode::kInvalidSession);
  EXPECT_CODE(auth->RevokeSessions(std::string(24, 'f')), ErrorCode::kUserNotFound);
  // The user can log in again.
  EXPECT_OK(auth->Login(Req("local-userpass", UserPass("rev@x.io", "secret-pw"))));
}

TEST_F(AuthTest, RejectsDeletedUser) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = EmailUser(*auth, "gone@x.io");
  ASSERT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  base::Result<ApiKeyInfo> key = auth->CreateApiKey(login.user_id, "k");
  ASSERT_OK(key);
  ASSERT_OK(auth->DeleteUser(login.user_id));
  EXPECT_CODE(auth->Authenticate(login.access_token, TokenType::kAccess),
              ErrorCode::kInvalidSession);
  EXPECT_CODE(auth->Refresh(login.refresh_token), ErrorCode::kInvalidSession);
  // realm-web logs out after deleting: fine.
  EXPECT_OK(auth->Logout(login.refresh_token));
  EXPECT_CODE(auth->DeleteUser(login.user_id), ErrorCode::kUserNotFound);
  // The email/password account went with it (client-api §4.3) and so did the key.
  EXPECT_CODE(auth->Login(Req("local-userpass", UserPass("gone@x.io", "secret-pw"))),
              ErrorCode::kInvalidPassword);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", key->key}})),
              ErrorCode::kAuthFailed);
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  EXPECT_TRUE(users->empty());
  // The email can be registered again, as a new user.
  LoginResult again = EmailUser(*auth, "gone@x.io");
  EXPECT_NE(again.user_id, login.user_id);
}

TEST_F(AuthTest, RejectsDisabledUser) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = EmailUser(*auth, "off@x.io");
  base::Result<ApiKeyInfo> key = auth->CreateApiKey(login.user_id, "k");
  ASSERT_OK(key);
  ASSERT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));  // cached
  ASSERT_OK(auth->SetUserDisabled(login.user_id, true));
  EXPECT_CODE(auth->Authenticate(login.access_token, TokenType::kAccess), ErrorCode::kUserDisabled);
  EXPECT_CODE(auth->Refresh(login.refresh_token), ErrorCode::kUserDisabled);
  EXPECT_CODE(auth->Login(Req("local-userpass", UserPass("off@x.io", "secret-pw"))),
              ErrorCode::kUserDisabled);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", key->key}})),
              ErrorCode::kUserDisabled);
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  ASSERT_EQ(users->size(), 1u);
  EXPECT_TRUE(users->front().disabled);
  // Enabled again: everything works, the old session included.
  ASSERT_OK(auth->SetUserDisabled(login.user_id, false));
  EXPECT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  EXPECT_OK(auth->Refresh(login.refresh_token));
  EXPECT_OK(auth->Login(Req("local-userpass", UserPass("off@x.io", "secret-pw"))));
  EXPECT_CODE(auth->SetUserDisabled(std::string(24, 'e'), true), ErrorCode::kUserNotFound);
}

TEST_F(AuthTest, RegistryFindsTheIssuingApp) {
  AuthService* a = Start(MakeApp("app-a"));
  AuthService* b = Start(MakeApp("app-b"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  LoginResult login_b = MustLogin(*b, "anon-user", {});
  AuthRegistry registry;
  for (std::unique_ptr<AuthService>& service : services_) registry.Add(std::move(service));
  services_.clear();
  EXPECT_EQ(registry.Find("app-a"), a);
  EXPECT_EQ(registry.Find("app-b"), b);
  EXPECT_EQ(registry.Find("app-c"), nullptr);
  EXPECT_EQ(registry.ForToken(login_b.access_token), b);
  EXPECT_EQ(registry.ForToken(login_b.refresh_token), b);
  EXPECT_EQ(registry.ForToken("garbage"), nullptr);
  // An unknown issuer names no app, even with a payload that parses.
  EXPECT_EQ(registry.ForToken(Forge(R"({"alg":"HS256"})", R"({"iss":"app-c"})", "sig")), nullptr);
  // Once b verified its token, b is found by the token's text; another
  // app's remembered tokens do not claim it.
  ASSERT_OK(b->Authenticate(login_b.access_token, TokenType::kAccess));
  EXPECT_TRUE(b->tokens().Remembers(login_b.access_token));
  EXPECT_FALSE(a->tokens().Remembers(login_b.access_token));
  EXPECT_EQ(registry.ForToken(login_b.access_token), b);
}

// --- 2. Email/password ----------------------------------------------------------

TEST_F(AuthTest, RegisterLoginSameUser) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  EXPECT_TRUE(auth->NeedsWorker("local-userpass"));
  EXPECT_FALSE(auth->NeedsWorker("anon-user"));
  ASSERT_OK(auth->Register("alice@example.com", "password1"));
  // Register makes an account, not yet a user (DECISIONS 2).
  base::Result<std::vector<User>> before = auth->ListUsers();
  ASSERT_OK(before);
  EXPECT_TRUE(before->empty());
  LoginResult first =
      MustLogin(*auth, "local-userpass", UserPass("alice@example.com", "password1"));
  LoginResult second =
      MustLogin(*auth, "local-userpass", UserPass("alice@example.com", "password1"));
  EXPECT_FALSE(first.user_id.empty());
  EXPECT_EQ(first.user_id, second.user_id);
  EXPECT_EQ(first.user_id.size(), 24u);
  EXPECT_EQ(first.device_id.size(), 24u);
  EXPECT_NE(StringClaim(first.access_token, "baas_id"),
            StringClaim(second.access_token, "baas_id"));
  base::Result<Caller> caller = auth->Authenticate(first.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  doc::Document profile = auth->Profile(*caller);
  EXPECT_EQ(doc::ToRelaxedJson(*profile.Get("data")), R"({"email":"alice@example.com"})");
  const doc::Array& ids = profile.Get("identities")->as_array();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].as_document().Get("provider_type")->as_string(), "local-userpass");
  EXPECT_EQ(profile.Get("user_id")->as_string(), first.user_id);
  EXPECT_EQ(profile.Get("type")->as_string(), "normal");
  // Wrong password, unknown user.
  EXPECT_CODE(auth->Login(Req("local-userpass", UserPass("alice@example.com", "password2"))),
              ErrorCode::kInvalidPassword);
  EXPECT_CODE(auth->Login(Req("local-userpass", UserPass("bob@example.com", "password1"))),
              ErrorCode::kInvalidPassword);
}

TEST_F(AuthTest, DeviceIdFromOptionsIsKept) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  const std::string device = "65a1f0c2e4b0a1b2c3d4e5f7";
  doc::Document body{
      {"options",
       doc::Document{{"device", doc::Document{{"deviceId", *doc::ObjectId::FromHex(device)}}}}}};
  LoginResult login = MustLogin(*auth, "anon-user", body);
  EXPECT_EQ(login.device_id, device);
  EXPECT_EQ(StringClaim(login.access_token, "baas_device_id"), device);
  // Refresh keeps it.
  base::Result<std::string> fresh = auth->Refresh(login.refresh_token);
  ASSERT_OK(fresh);
  EXPECT_EQ(StringClaim(*fresh, "baas_device_id"), device);
  // The all-zero id means "none": a new one is made.
  doc::Document zero{
      {"options", doc::Document{{"device", doc::Document{{"deviceId", std::string(24, '0')}}}}}};
  LoginResult other = MustLogin(*auth, "anon-user", zero);
  EXPECT_EQ(other.device_id.size(), 24u);
  EXPECT_NE(other.device_id, std::string(24, '0'));
}

TEST_F(AuthTest, DuplicateRegisterIsAccountNameInUse) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  ASSERT_OK(auth->Register("dup@x.io", "password1"));
  EXPECT_CODE(auth->Register("dup@x.io", "password2"), ErrorCode::kAccountNameInUse);
  EXPECT_CODE(auth->Register("  DUP@X.io", "password2"), ErrorCode::kAccountNameInUse);
  // The first password still works.
  EXPECT_OK(auth->Login(Req("local-userpass", UserPass("dup@x.io", "password1"))));
}

TEST_F(AuthTest, RegisterChecksEmail) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  EXPECT_CODE(auth->Register("", "password1"), ErrorCode::kBadRequest);
  EXPECT_CODE(auth->Register("no-at-sign", "password1"), ErrorCode::kBadRequest);
  EXPECT_CODE(auth->Register(std::string(250, 'a') + "@x.io", "password1"), ErrorCode::kBadRequest);
}

TEST_F(AuthTest, PasswordLengthCountsCharacters) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  auto repeat = [](std::string_view unit, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += unit;
    return s;
  };
  EXPECT_CODE(auth->Register("p5@x.io", repeat("a", 5)), ErrorCode::kBadRequest);
  EXPECT_CODE(auth->Register("p129@x.io", repeat("a", 129)), ErrorCode::kBadRequest);
  EXPECT_OK(auth->Register("p6@x.io", repeat("a", 6)));
  EXPECT_OK(auth->Register("p128@x.io", repeat("a", 128)));
  // Multi-byte: characters count, not bytes.
  EXPECT_CODE(auth->Register("e5@x.io", repeat("é", 5)), ErrorCode::kBadRequest);  // 10 bytes
  EXPECT_OK(auth->Register("e6@x.io", repeat("é", 6)));
  EXPECT_OK(auth->Register("e128@x.io", repeat("€", 128)));  // 384 bytes
  EXPECT_CODE(auth->Register("e129@x.io", repeat("é", 129)), ErrorCode::kBadRequest);
  EXPECT_OK(auth->Register("emoji@x.io", repeat("\xF0\x9F\x98\x80", 6)));  // 4-byte chars
  // Invalid UTF-8 is refused.
  EXPECT_CODE(auth->Register("bad@x.io",
                             "abc\xff\xfe"
                             "def"),
              ErrorCode::kBadRequest);
  // The accepted ones log in.
  EXPECT_OK(auth->Login(Req("local-userpass", UserPass("e6@x.io", repeat("é", 6)))));
  EXPECT_OK(auth->Login(Req("local-userpass", UserPass("p128@x.io", repeat("a", 128)))));
  // The reset path applies the same limits.
  EXPECT_CODE(auth->ResetPassword("t", "id", repeat("a", 5)), ErrorCode::kBadRequest);
  EXPECT_CODE(auth->CreateEmailPasswordUser("op@x.io", repeat("a", 129)), ErrorCode::kBadRequest);
}

TEST_F(AuthTest, EmailIsNormalized) {
  EXPECT_EQ(NormalizeEmail(" A@X.io "), "a@x.io");
  EXPECT_EQ(NormalizeEmail("\tMiXeD@Example.COM\t"), "mixed@example.com");
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  ASSERT_OK(auth->Register(" A@X.io ", "password1"));
  LoginResult a = MustLogin(*auth, "local-userpass", UserPass("a@x.io", "password1"));
  LoginResult b = MustLogin(*auth, "local-userpass", UserPass(" A@X.IO", "password1"));
  EXPECT_EQ(a.user_id, b.user_id);
  base::Result<Caller> caller = auth->Authenticate(a.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  EXPECT_EQ(caller->user->data.Get("email")->as_string(), "a@x.io");
}

class ConfirmFlowTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    auth_ = Start(MakeApp(kApp, /*auto_confirm=*/false));
    ASSERT_NE(auth_, nullptr);
  }

  // token and tokenId of the last mail.
  std::pair<std::string, std::string> LastLink() {
    std::vector<mail::MailMessage> sent = mailer_.sent();
    EXPECT_FALSE(sent.empty());
    if (sent.empty()) return {};
    return {LinkParam(sent.back().text_body, "token"), LinkParam(sent.back().text_body, "tokenId")};
  }

  AuthService* auth_ = nullptr;
};

TEST_F(ConfirmFlowTest, UnconfirmedCannotLogInUntilConfirmed) {
  ASSERT_OK(auth_->Register("c@x.io", "password1"));
  std::vector<mail::MailMessage> sent = mailer_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "c@x.io");
  EXPECT_THAT(sent[0].text_body, HasSubstr("https://example.com/confirm?token="));
  auto [token, token_id] = LastLink();
  ASSERT_EQ(token.size(), 64u);
  ASSERT_FALSE(token_id.empty());
  // The store keeps only the token's hash.
  EXPECT_THAT(DumpRecords(*engine_), Not(HasSubstr(token)));

  EXPECT_CODE(auth_->Login(Req("local-userpass", UserPass("c@x.io", "password1"))),
              ErrorCode::kInvalidPassword);
  // A wrong token or id is refused and does not use up the real one.
  EXPECT_CODE(auth_->Confirm(std::string(64, '0'), token_id), ErrorCode::kUserpassTokenInvalid);
  EXPECT_CODE(auth_->Confirm(token, "nope"), ErrorCode::kUserpassTokenInvalid);
  EXPECT_CODE(auth_->Confirm("", token_id), ErrorCode::kUserpassTokenInvalid);
  // Not usable as a reset token.
  EXPECT_CODE(auth_->ResetPassword(token, token_id, "password9"), ErrorCode::kUserpassTokenInvalid);
  ASSERT_OK(auth_->Confirm(token, token_id));
  EXPECT_OK(auth_->Login(Req("local-userpass", UserPass("c@x.io", "password1"))));
  // Single use.
  EXPECT_CODE(auth_->Confirm(token, token_id), ErrorCode::kUserpassTokenInvalid);
}

TEST_F(ConfirmFlowTest, ConfirmTokenExpires) {
  ASSERT_OK(auth_->Register("late@x.io", "password1"));
  auto [token, token_id] = LastLink();
  clock_.Advance(seconds(AuthService::kConfirmTokenSeconds + 1));
  EXPECT_CODE(auth_->Confirm(token, token_id), ErrorCode::kUserpassTokenInvalid);
  EXPECT_CODE(auth_->Login(Req("local-userpass", UserPass("late@x.io", "password1"))),
              ErrorCode::kInvalidPassword);
  // A new mail gives a new, working token.
  ASSERT_OK(auth_->ResendConfirmation("late@x.io"));
  EXPECT_EQ(mailer_.sent().size(), 2u);
  auto [token2, token_id2] = LastLink();
  EXPECT_NE(token2, token);
  clock_.Advance(seconds(AuthService::kConfirmTokenSeconds - 10));
  ASSERT_OK(auth_->Confirm(token2, token_id2));
  EXPECT_OK(auth_->Login(Req("local-userpass", UserPass("late@x.io", "password1"))));
}

TEST_F(ConfirmFlowTest, ResendConfirmation) {
  EXPECT_CODE(auth_->ResendConfirmation("nobody@x.io"), ErrorCode::kUserNotFound);
  ASSERT_OK(auth_->Register("r@x.io", "password1"));
  ASSERT_OK(auth_->ResendConfirmation(" R@x.io"));
  ASSERT_EQ(mailer_.sent().size(), 2u);
  auto [token, token_id] = LastLink();
  ASSERT_OK(auth_->Confirm(token, token_id));
  EXPECT_CODE(auth_->ResendConfirmation("r@x.io"), ErrorCode::kUserAlreadyConfirmed);
  EXPECT_EQ(mailer_.sent().size(), 2u);
}

TEST_F(ConfirmFlowTest, PasswordReset) {
  ASSERT_OK(auth_->Register("reset@x.io", "password1"));
  {
    auto [token, token_id] = LastLink();
    ASSERT_OK(auth_->Confirm(token, token_id));
  }
  LoginResult before = MustLogin(*auth_, "local-userpass", UserPass("reset@x.io", "password1"));
  EXPECT_CODE(auth_->SendPasswordReset("unknown@x.io"), ErrorCode::kUserNotFound);
  ASSERT_OK(auth_->SendPasswordReset("Reset@X.io"));
  std::vector<mail::MailMessage> sent = mailer_.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent.back().to, "reset@x.io");
  // The configured URL already has a query: the token joins it with '&'.
  EXPECT_THAT(sent.back().text_body, HasSubstr("https://example.com/reset?lang=en&token="));
  auto [token, token_id] = LastLink();
  // Not usable as a confirmation token.
  EXPECT_CODE(auth_->Confirm(token, token_id), ErrorCode::kUserpassTokenInvalid);
  ASSERT_OK(auth_->ResetPassword(token, token_id, "password2"));
  EXPECT_CODE(auth_->Login(Req("local-userpass", UserPass("reset@x.io", "password1"))),
              ErrorCode::kInvalidPassword);
  LoginResult after = MustLogin(*auth_, "local-userpass", UserPass("reset@x.io", "password2"));
  EXPECT_EQ(after.user_id, before.user_id);
  // Single use.
  EXPECT_CODE(auth_->ResetPassword(token, token_id, "password3"), ErrorCode::kUserpassTokenInvalid);
}

TEST_F(ConfirmFlowTest, ResetTokenExpiresAfterThirtyMinutes) {
  ASSERT_OK(auth_->Register("rx@x.io", "password1"));
  ASSERT_OK(auth_->SendPasswordReset("rx@x.io"));
  auto [token, token_id] = LastLink();
  clock_.Advance(seconds(AuthService::kResetTokenSeconds));
  EXPECT_CODE(auth_->ResetPassword(token, token_id, "password2"), ErrorCode::kUserpassTokenInvalid);
}

TEST_F(AuthTest, MailsPerAddressAreLimited) {
  config::AppConfig app = MakeApp(kApp, /*auto_confirm=*/false);
  app.settings.throttle.emails_per_address_per_hour = 2;
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  ASSERT_OK(auth->Register("mail@x.io", "password1"));  // mail 1
  ASSERT_OK(auth->ResendConfirmation("mail@x.io"));     // mail 2
  EXPECT_CODE(auth->ResendConfirmation("mail@x.io"), ErrorCode::kTooManyRequests);
  EXPECT_CODE(auth->SendPasswordReset("MAIL@x.io"), ErrorCode::kTooManyRequests);
  EXPECT_EQ(mailer_.sent().size(), 2u);
  // Another address is not affected.
  ASSERT_OK(auth->Register("other@x.io", "password1"));
  EXPECT_EQ(mailer_.sent().size(), 3u);
  clock_.Advance(hours(1));
  EXPECT_OK(auth->SendPasswordReset("mail@x.io"));
  EXPECT_EQ(mailer_.sent().size(), 4u);
}

TEST_F(AuthTest, CreateEmailPasswordUserIsConfirmedAndExists) {
  AuthService* auth = Start(MakeApp(kApp, /*auto_confirm=*/false));
  ASSERT_NE(auth, nullptr);
  base::Result<User> user = auth->CreateEmailPasswordUser(" Op@X.io", "password1");
  ASSERT_OK(user);
  EXPECT_TRUE(mailer_.sent().empty());
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(users->front().id, user->id);
  LoginResult login = MustLogin(*auth, "local-userpass", UserPass("op@x.io", "password1"));
  EXPECT_EQ(login.user_id, user->id);
  EXPECT_CODE(auth->CreateEmailPasswordUser("op@x.io", "password1"), ErrorCode::kAccountNameInUse);
  EXPECT_CODE(auth->Register("op@x.io", "password1"), ErrorCode::kAccountNameInUse);
}

TEST_F(AuthTest, UnknownOrDisabledProviderIsRefused) {
  config::AppConfig app = MakeApp(kApp);
  for (config::AuthProvider& p : app.auth_providers) {
    if (p.name == "anon-user") p.disabled = true;
  }
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  EXPECT_CODE(auth->Login(Req("anon-user", {})), ErrorCode::kAuthProviderNotFound);
  EXPECT_CODE(auth->Login(Req("oauth2-google", {})), ErrorCode::kAuthProviderNotFound);
}

// --- 3. Anonymous and linking ----------------------------------------------------

TEST_F(AuthTest, AnonymousLoginMakesANewUserEachTime) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult a = MustLogin(*auth, "anon-user", {});
  LoginResult b = MustLogin(*auth, "anon-user", {});
  EXPECT_NE(a.user_id, b.user_id);
  base::Result<Caller> caller = auth->Authenticate(a.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  doc::Document profile = auth->Profile(*caller);
  EXPECT_EQ(profile.Get("user_id")->as_string(), a.user_id);
  EXPECT_EQ(profile.Get("domain_id")->as_string(), auth->tokens().domain_id());
  EXPECT_EQ(profile.Get("type")->as_string(), "normal");
  EXPECT_TRUE(profile.Get("data")->as_document().empty());
  const doc::Array& ids = profile.Get("identities")->as_array();
  ASSERT_EQ(ids.size(), 1u);
  const doc::Document& id = ids[0].as_document();
  EXPECT_EQ(id.Get("provider_type")->as_string(), "anon-user");
  EXPECT_EQ(id.Get("id")->as_string().size(), 24u);
  EXPECT_EQ(id.Get("provider_id")->as_string().size(), 24u);
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  EXPECT_EQ(users->size(), 2u);
}

TEST_F(AuthTest, LinkEmailPasswordIntoAnonymousUser) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult anon = MustLogin(*auth, "anon-user", {});
  base::Result<Caller> caller = auth->Authenticate(anon.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  ASSERT_OK(auth->Register("link@x.io", "password1"));
  LoginRequest link = Req("local-userpass", UserPass("link@x.io", "password1"));
  link.link_to = caller->claims;
  base::Result<LoginResult> linked = auth->Login(link);
  ASSERT_OK(linked);
  EXPECT_EQ(linked->user_id, anon.user_id);
  EXPECT_EQ(linked->device_id, anon.device_id);
  EXPECT_TRUE(linked->refresh_token.empty());
  // The new access token works and is for the same session.
  base::Result<Caller> after = auth->Authenticate(linked->access_token, TokenType::kAccess);
  ASSERT_OK(after);
  EXPECT_EQ(after->claims.session_id, caller->claims.session_id);
  doc::Document profile = auth->Profile(*after);
  std::vector<std::string> types;
  for (const doc::Value& v : profile.Get("identities")->as_array()) {
    types.push_back(v.as_document().Get("provider_type")->as_string());
  }
  EXPECT_THAT(types, ElementsAre("anon-user", "local-userpass"));
  EXPECT_EQ(doc::ToRelaxedJson(*profile.Get("data")), R"({"email":"link@x.io"})");
  // Email/password now logs in as the linked user.
  LoginResult again = MustLogin(*auth, "local-userpass", UserPass("link@x.io", "password1"));
  EXPECT_EQ(again.user_id, anon.user_id);
  // Linking the same identity again to the same user is harmless.
  base::Result<LoginResult> twice = auth->Login(link);
  ASSERT_OK(twice);
  EXPECT_EQ(twice->user_id, anon.user_id);
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(users->front().identities.size(), 2u);
}

TEST_F(AuthTest, LinkingAnIdentityOfAnotherUserFails) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult owner = EmailUser(*auth, "taken@x.io", "password1");
  LoginResult anon = MustLogin(*auth, "anon-user", {});
  base::Result<Caller> caller = auth->Authenticate(anon.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  LoginRequest link = Req("local-userpass", UserPass("taken@x.io", "password1"));
  link.link_to = caller->claims;
  EXPECT_CODE(auth->Login(link), ErrorCode::kIdentityAlreadyLinked);
  // Wrong password while linking: the password error, not a link.
  LoginRequest wrong = Req("local-userpass", UserPass("taken@x.io", "password2"));
  wrong.link_to = caller->claims;
  EXPECT_CODE(auth->Login(wrong), ErrorCode::kInvalidPassword);
  // Nothing changed.
  base::Result<Caller> again = auth->Authenticate(anon.access_token, TokenType::kAccess);
  ASSERT_OK(again);
  EXPECT_EQ(again->user->identities.size(), 1u);
  EXPECT_EQ(MustLogin(*auth, "local-userpass", UserPass("taken@x.io", "password1")).user_id,
            owner.user_id);
}

TEST_F(AuthTest, LinkingACustomJwtIdentity) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult anon = MustLogin(*auth, "anon-user", {});
  base::Result<Caller> caller = auth->Authenticate(anon.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  std::string jwt =
      CustomJwt(R"({"aud":"app-a","sub":"ext-link","exp":)" + std::to_string(NowSeconds() + 600) +
                R"(,"user_data":{"name":"Linked"}})");
  LoginRequest link = Req("custom-token", doc::Document{{"token", jwt}});
  link.link_to = caller->claims;
  base::Result<LoginResult> linked = auth->Login(link);
  ASSERT_OK(linked);
  EXPECT_EQ(linked->user_id, anon.user_id);
  // A later custom JWT login with that subject is the same user.
  EXPECT_EQ(MustLogin(*auth, "custom-token", doc::Document{{"token", jwt}}).user_id, anon.user_id);
}

TEST_F(AuthTest, LinkingAnonymousOrApiKeyIsRefused) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult user = EmailUser(*auth, "l@x.io");
  base::Result<Caller> caller = auth->Authenticate(user.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  LoginRequest anon = Req("anon-user", {});
  anon.link_to = caller->claims;
  base::Result<LoginResult> r = auth->Login(anon);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kBadRequest);
  base::Result<ApiKeyInfo> key = auth->CreateApiKey(user.user_id, "k");
  ASSERT_OK(key);
  LoginRequest api = Req("api-key", doc::Document{{"key", key->key}});
  api.link_to = caller->claims;
  EXPECT_CODE(auth->Login(api), ErrorCode::kBadRequest);
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(users->front().identities.size(), 1u);
}

// --- 4. API keys -----------------------------------------------------------------

TEST_F(AuthTest, ApiKeyLifecycle) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult owner = EmailUser(*auth, "keys@x.io");
  LoginResult other = MustLogin(*auth, "anon-user", {});

  base::Result<std::vector<ApiKeyInfo>> none = auth->ListApiKeys(owner.user_id);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());

  base::Result<ApiKeyInfo> created = auth->CreateApiKey(owner.user_id, "my key");
  ASSERT_OK(created);
  EXPECT_EQ(created->name, "my key");
  EXPECT_FALSE(created->disabled);
  EXPECT_EQ(created->id.size(), 24u);
  ASSERT_EQ(created->key.size(), 64u);
  EXPECT_EQ(created->key.find_first_not_of("0123456789abcdef"), std::string::npos);
  const std::string key = created->key;

  EXPECT_CODE(auth->CreateApiKey(owner.user_id, "my key"), ErrorCode::kApiKeyAlreadyExists);
  EXPECT_CODE(auth->CreateApiKey(owner.user_id, ""), ErrorCode::kInvalidParameter);
  EXPECT_CODE(auth->CreateApiKey(owner.user_id, "bad/name"), ErrorCode::kInvalidParameter);
  EXPECT_CODE(auth->CreateApiKey(owner.user_id, std::string(65, 'n')),
              ErrorCode::kInvalidParameter);
  // Another user may use the same name.
  ASSERT_OK(auth->CreateApiKey(other.user_id, "my key"));

  base::Result<std::vector<ApiKeyInfo>> list = auth->ListApiKeys(owner.user_id);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, created->id);
  EXPECT_TRUE((*list)[0].key.empty());
  base::Result<ApiKeyInfo> got = auth->GetApiKey(owner.user_id, created->id);
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "my key");
  EXPECT_TRUE(got->key.empty());

  // Another user's key is not found, for every operation.
  EXPECT_CODE(auth->GetApiKey(other.user_id, created->id), ErrorCode::kApiKeyNotFound);
  EXPECT_CODE(auth->SetApiKeyDisabled(other.user_id, created->id, true),
              ErrorCode::kApiKeyNotFound);
  EXPECT_CODE(auth->DeleteApiKey(other.user_id, created->id), ErrorCode::kApiKeyNotFound);
  EXPECT_CODE(auth->GetApiKey(owner.user_id, std::string(24, '0')), ErrorCode::kApiKeyNotFound);
  EXPECT_CODE(auth->GetApiKey(owner.user_id, "not-an-id"), ErrorCode::kApiKeyNotFound);

  // The key logs in as its owner.
  LoginResult by_key = MustLogin(*auth, "api-key", doc::Document{{"key", key}});
  EXPECT_EQ(by_key.user_id, owner.user_id);

  ASSERT_OK(auth->SetApiKeyDisabled(owner.user_id, created->id, true));
  got = auth->GetApiKey(owner.user_id, created->id);
  ASSERT_OK(got);
  EXPECT_TRUE(got->disabled);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", key}})), ErrorCode::kAuthFailed);

  ASSERT_OK(auth->SetApiKeyDisabled(owner.user_id, created->id, false));
  by_key = MustLogin(*auth, "api-key", doc::Document{{"key", key}});
  EXPECT_EQ(by_key.user_id, owner.user_id);

  ASSERT_OK(auth->DeleteApiKey(owner.user_id, created->id));
  EXPECT_CODE(auth->GetApiKey(owner.user_id, created->id), ErrorCode::kApiKeyNotFound);
  EXPECT_CODE(auth->DeleteApiKey(owner.user_id, created->id), ErrorCode::kApiKeyNotFound);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", key}})), ErrorCode::kAuthFailed);
  // The name is free again.
  EXPECT_OK(auth->CreateApiKey(owner.user_id, "my key"));
}

TEST_F(AuthTest, ApiKeyLoginRejectsWrongOrMissingKeys) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", std::string(64, 'a')}})),
              ErrorCode::kAuthFailed);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", ""}})), ErrorCode::kAuthFailed);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{})), ErrorCode::kAuthFailed);
  EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", 42}})), ErrorCode::kAuthFailed);
}

TEST_F(AuthTest, ApiKeyStoreHoldsOnlyTheHash) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult owner = MustLogin(*auth, "anon-user", {});
  base::Result<ApiKeyInfo> created = auth->CreateApiKey(owner.user_id, "stored");
  ASSERT_OK(created);
  std::vector<doc::Document> docs =
      AllDocs(*engine_, std::string(AuthRecords::kDatabase), std::string(kApp) + ".api_keys");
  ASSERT_EQ(docs.size(), 1u);
  std::string text = doc::ToCanonicalJson(docs[0]);
  EXPECT_THAT(text, Not(HasSubstr(created->key)));
  EXPECT_THAT(text, HasSubstr(crypto::Sha256Hex(created->key)));
  // Nowhere else either.
  EXPECT_THAT(DumpRecords(*engine_), Not(HasSubstr(created->key)));
}

TEST_F(AuthTest, ApiKeysNeedTheProvider) {
  config::AppConfig app = MakeApp(kApp);
  std::erase_if(app.auth_providers,
                [](const config::AuthProvider& p) { return p.name == "api-key"; });
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  LoginResult owner = MustLogin(*auth, "anon-user", {});
  EXPECT_CODE(auth->CreateApiKey(owner.user_id, "k"), ErrorCode::kAuthProviderNotFound);
}

// --- 5. Custom JWT ----------------------------------------------------------------

class CustomJwtTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    auth_ = Start(MakeApp(kApp));
    ASSERT_NE(auth_, nullptr);
  }

  std::string Claims(std::string_view sub, std::string_view extra = "",
                     std::string_view aud = "\"app-a\"") {
    std::string json = "{\"aud\":" + std::string(aud) + ",\"sub\":\"" + std::string(sub) +
                       "\",\"exp\":" + std::to_string(NowSeconds() + 600) +
                       ",\"user_data\":{\"name\":\"Foo Bar\"}";
    json += extra;
    json += "}";
    return json;
  }

  base::Result<LoginResult> LoginJwt(const std::string& jwt) {
    return auth_->Login(Req("custom-token", doc::Document{{"token", jwt}}));
  }

  AuthService* auth_ = nullptr;
};

TEST_F(CustomJwtTest, ValidTokenMakesAUserWithMetadata) {
  base::Result<LoginResult> first =
      LoginJwt(CustomJwt(Claims("someUserId", R"(,"email":"foo@bar.io")")));
  ASSERT_OK(first);
  base::Result<Caller> caller = auth_->Authenticate(first->access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  EXPECT_EQ(doc::ToRelaxedJson(caller->user->data), R"({"name":"Foo Bar","email":"foo@bar.io"})");
  ASSERT_EQ(caller->user->identities.size(), 1u);
  EXPECT_EQ(caller->user->identities[0].provider_type, "custom-token");
  EXPECT_EQ(caller->user->identities[0].id, "someUserId");
  // The same subject is the same user; another is another.
  base::Result<LoginResult> second = LoginJwt(CustomJwt(Claims("someUserId")));
  ASSERT_OK(second);
  EXPECT_EQ(second->user_id, first->user_id);
  base::Result<LoginResult> third = LoginJwt(CustomJwt(Claims("otherUser")));
  ASSERT_OK(third);
  EXPECT_NE(third->user_id, first->user_id);
}

TEST_F(CustomJwtTest, AudienceAsArray) {
  EXPECT_OK(LoginJwt(CustomJwt(Claims("u1", "", R"(["other","app-a"])"))));
  EXPECT_CODE(LoginJwt(CustomJwt(Claims("u1", "", R"(["other","app-b"])"))),
              ErrorCode::kAuthFailed);
}

// App Services: with configured audiences and requireAnyAudience false, a
// token must name every one; with it true, any one is enough.
TEST_F(AuthTest, CustomJwtConfiguredAudiences) {
  auto with_audiences = [](std::string app_id, bool any) {
    config::AppConfig app = MakeApp(std::move(app_id));
    for (config::AuthProvider& p : app.auth_providers) {
      if (p.custom_token) {
        p.custom_token->audience = {"aud-1", "aud-2"};
        p.custom_token->require_any_audience = any;
      }
    }
    return app;
  };
  auto token = [&](std::string_view aud) {
    return doc::Document{
        {"token", CustomJwt(R"({"aud":)" + std::string(aud) + R"(,"sub":"s1","exp":)" +
                            std::to_string(NowSeconds() + 600) + R"(,"user_data":{"name":"N"}})")}};
  };
  AuthService* all = Start(with_audiences("app-all", false));
  ASSERT_NE(all, nullptr);
  EXPECT_CODE(all->Login(Req("custom-token", token(R"(["aud-1"])"))), ErrorCode::kAuthFailed);
  EXPECT_OK(all->Login(Req("custom-token", token(R"(["aud-2","aud-1"])"))));
  AuthService* any = Start(with_audiences("app-any", true));
  ASSERT_NE(any, nullptr);
  EXPECT_OK(any->Login(Req("custom-token", token(R"("aud-2")"))));
  EXPECT_CODE(any->Login(Req("custom-token", token(R"("app-any")"))), ErrorCode::kAuthFailed);
}

TEST_F(CustomJwtTest, RejectsBadTokens) {
  EXPECT_CODE(LoginJwt(CustomJwt(Claims("u1", "", "\"app-b\""))), ErrorCode::kAuthFailed);
  EXPECT_CODE(LoginJwt(CustomJwt(Claims("u1"), std::string(40, 'w'))), ErrorCode::kAuthFailed);
  const std::string expired = R"({"aud":"app-a","sub":"u1","exp":)" +
                              std::to_string(NowSeconds() - 1) +
                              R"(,"user_data":{"name":"Foo Bar"}})";
  EXPECT_CODE(LoginJwt(CustomJwt(expired)), ErrorCode::kAuthFailed);
  // A valid token expires as the clock moves.
  std::string jwt = CustomJwt(Claims("u1"));
  clock_.Advance(seconds(601));
  EXPECT_CODE(LoginJwt(jwt), ErrorCode::kAuthFailed);
  // Missing required metadata field (user_data.name).
  const std::string no_name = R"({"aud":"app-a","sub":"u2","exp":)" +
                              std::to_string(NowSeconds() + 600) + R"(,"user_data":{}})";
  base::Result<LoginResult> r = LoginJwt(CustomJwt(no_name));
  EXPECT_CODE(r, ErrorCode::kAuthFailed);
  EXPECT_THAT(r.status().message(), HasSubstr("user_data.name"));
  // No subject.
  const std::string no_sub = R"({"aud":"app-a","exp":)" + std::to_string(NowSeconds() + 600) +
                             R"(,"user_data":{"name":"x"}})";
  EXPECT_CODE(LoginJwt(CustomJwt(no_sub)), ErrorCode::kAuthFailed);
  // Garbage and alg none.
  EXPECT_CODE(LoginJwt("not.a.jwt"), ErrorCode::kAuthFailed);
  EXPECT_CODE(LoginJwt(Forge(R"({"alg":"none"})", Claims("u3"), "")), ErrorCode::kAuthFailed);
  // None of these made a user.
  base::Result<std::vector<User>> users = auth_->ListUsers();
  ASSERT_OK(users);
  EXPECT_TRUE(users->empty());
}

TEST_F(AuthTest, CustomTokenProviderNeedsItsSecret) {
  config::AppConfig app = MakeApp(kApp);
  for (config::AuthProvider& p : app.auth_providers) {
    if (p.custom_token) p.custom_token->signing_key_secret_names = {"missingSecret"};
  }
  apps_.push_back(std::make_unique<config::AppConfig>(app));
  base::Result<KeyRing> keys = LoadKeys(*apps_.back());
  ASSERT_OK(keys);
  AuthDeps deps{engine_.get(), &clock_, &random_, &logger_, &mailer_, &secrets_};
  base::Result<std::unique_ptr<AuthService>> service =
      AuthService::Create(*apps_.back(), std::move(*keys), deps);
  EXPECT_FALSE(service.ok());
}

// --- 6. Throttling -----------------------------------------------------------------

TEST_F(AuthTest, FailedLoginsThrottleTheUsername) {
  config::AppConfig app = MakeApp(kApp);
  app.settings.throttle.failed_logins_per_username = 3;
  app.settings.throttle.failed_login_window_seconds = 60;
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  ASSERT_OK(auth->Register("t@x.io", "password1"));
  for (int i = 0; i < 3; ++i) {
    std::int64_t retry = -1;
    EXPECT_CODE(auth->Login(Req("local-userpass", UserPass("t@x.io", "wrong-pw")), &retry),
                ErrorCode::kInvalidPassword);
  }
  std::int64_t retry = 0;
  base::Result<LoginResult> blocked =
      auth->Login(Req("local-userpass", UserPass("t@x.io", "password1")), &retry);
  EXPECT_CODE(blocked, ErrorCode::kTooManyRequests);
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 60);
  // Case and spaces do not make another username.
  EXPECT_CODE(auth->Login(Req("local-userpass", UserPass(" T@X.io", "password1"))),
              ErrorCode::kTooManyRequests);
  // Another username is not affected.
  ASSERT_OK(auth->Register("u@x.io", "password1"));
  EXPECT_OK(auth->Login(Req("local-userpass", UserPass("u@x.io", "password1"))));
  clock_.Advance(seconds(30));
  std::int64_t later = 0;
  EXPECT_CODE(auth->Login(Req("local-userpass", UserPass("t@x.io", "password1")), &later),
              ErrorCode::kTooManyRequests);
  EXPECT_LT(later, retry);
  clock_.Advance(seconds(31));
  EXPECT_OK(auth->Login(Req("local-userpass", UserPass("t@x.io", "password1"))));
}

TEST_F(AuthTest, SuccessfulLoginClearsTheUsernameCount) {
  config::AppConfig app = MakeApp(kApp);
  app.settings.throttle.failed_logins_per_username = 3;
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  ASSERT_OK(auth->Register("s@x.io", "password1"));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 2; ++i) {
      EXPECT_CODE(auth->Login(Req("local-userpass", UserPass("s@x.io", "wrong-pw"))),
                  ErrorCode::kInvalidPassword);
    }
    EXPECT_OK(auth->Login(Req("local-userpass", UserPass("s@x.io", "password1"))));
  }
}

TEST_F(AuthTest, FailedApiKeyLoginsDoNotLockOutEveryone) {
  config::AppConfig app = MakeApp(kApp);
  app.settings.throttle.failed_logins_per_username = 3;
  app.settings.throttle.failed_logins_per_address = 5;
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  LoginResult owner = MustLogin(*auth, "anon-user", {});
  base::Result<ApiKeyInfo> key = auth->CreateApiKey(owner.user_id, "k");
  ASSERT_OK(key);
  // An attacker guesses keys from one address...
  for (int i = 0; i < 5; ++i) {
    EXPECT_CODE(auth->Login(Req("api-key", doc::Document{{"key", std::string(64, 'b')}},
                                "203.0.113.9:4000")),
                ErrorCode::kAuthFailed);
  }
  std::int64_t retry = 0;
  EXPECT_CODE(
      auth->Login(Req("api-key", doc::Document{{"key", key->key}}, "203.0.113.9:4001"), &retry),
      ErrorCode::kTooManyRequests);
  EXPECT_GT(retry, 0);
  // ...which must not lock out the key's owner elsewhere.
  base::Result<LoginResult> ok =
      auth->Login(Req("api-key", doc::Document{{"key", key->key}}, "198.51.100.7:1234"));
  EXPECT_OK(ok);
}

TEST(LoginThrottleTest, AddressWithoutPort) {
  EXPECT_EQ(AddressWithoutPort("1.2.3.4:5"), "1.2.3.4");
  EXPECT_EQ(AddressWithoutPort("1.2.3.4:5678"), "1.2.3.4");
  EXPECT_EQ(AddressWithoutPort("[::1]:80"), "[::1]");
  EXPECT_EQ(AddressWithoutPort("::1"), "::1");
  EXPECT_EQ(AddressWithoutPort("fe80::1:2"), "fe80::1:2");
  EXPECT_EQ(AddressWithoutPort("1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(AddressWithoutPort(""), "");
}

TEST(LoginThrottleTest, PerUsernameWindow) {
  base::FakeClock clock;
  config::ThrottleSettings s;
  s.failed_logins_per_username = 2;
  s.failed_logins_per_address = 100;
  s.failed_login_window_seconds = 10;
  LoginThrottle t(s, &clock);
  EXPECT_FALSE(t.Blocked("u", "a1").has_value());
  t.RecordFailure("u", "a1");
  EXPECT_FALSE(t.Blocked("u", "a1").has_value());
  clock.Advance(seconds(4));
  t.RecordFailure("u", "a2");
  std::optional<std::int64_t> wait = t.Blocked("u", "a3");
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 6);  // the window started at the first failure
  EXPECT_FALSE(t.Blocked("v", "a1").has_value());
  clock.Advance(milliseconds(5500));
  wait = t.Blocked("u", "a3");
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 1);  // rounded up
  clock.Advance(milliseconds(500));
  EXPECT_FALSE(t.Blocked("u", "a3").has_value());
}

TEST(LoginThrottleTest, PerAddressLimit) {
  base::FakeClock clock;
  config::ThrottleSettings s;
  s.failed_logins_per_username = 100;
  s.failed_logins_per_address = 3;
  s.failed_login_window_seconds = 60;
  LoginThrottle t(s, &clock);
  t.RecordFailure("a", "1.2.3.4");
  t.RecordFailure("b", "1.2.3.4");
  EXPECT_FALSE(t.Blocked("c", "1.2.3.4").has_value());
  t.RecordFailure("c", "1.2.3.4");
  std::optional<std::int64_t> wait = t.Blocked("fresh-user", "1.2.3.4");
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 60);
  EXPECT_FALSE(t.Blocked("fresh-user", "5.6.7.8").has_value());
  // A success clears the username's count, not the address's.
  t.RecordSuccess("c");
  EXPECT_TRUE(t.Blocked("c", "1.2.3.4").has_value());
  EXPECT_FALSE(t.Blocked("c", "5.6.7.8").has_value());
  clock.Advance(seconds(60));
  EXPECT_FALSE(t.Blocked("fresh-user", "1.2.3.4").has_value());
}

TEST(LoginThrottleTest, SuccessClearsUsernameAndDisabledNeverBlocks) {
  base::FakeClock clock;
  config::ThrottleSettings s;
  s.failed_logins_per_username = 2;
  LoginThrottle t(s, &clock);
  t.RecordFailure("u", "a");
  t.RecordFailure("u", "a");
  EXPECT_TRUE(t.Blocked("u", "b").has_value());
  t.RecordSuccess("u");
  EXPECT_FALSE(t.Blocked("u", "b").has_value());

  s.enabled = false;
  LoginThrottle off(s, &clock);
  for (int i = 0; i < 10; ++i) off.RecordFailure("u", "a");
  EXPECT_FALSE(off.Blocked("u", "a").has_value());
}

TEST(LoginThrottleTest, BoundedMaps) {
  base::FakeClock clock;
  config::ThrottleSettings s;
  s.failed_logins_per_username = 1;
  s.failed_logins_per_address = 1000;
  LoginThrottle t(s, &clock, /*max_entries=*/4);
  t.RecordFailure("victim", "a");
  EXPECT_TRUE(t.Blocked("victim", "a").has_value());
  for (int i = 0; i < 10; ++i) t.RecordFailure("user" + std::to_string(i), "a");
  // The username map was cleared along the way (bounded memory).
  EXPECT_FALSE(t.Blocked("victim", "z").has_value());
}

// --- 7. Sessions and the state cache ---------------------------------------------------

TEST_F(AuthTest, RefreshKeepsSubjectAndSession) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = EmailUser(*auth, "refresh@x.io");
  clock_.Advance(seconds(10));
  base::Result<std::string> fresh = auth->Refresh(login.refresh_token);
  ASSERT_OK(fresh);
  EXPECT_NE(*fresh, login.access_token);
  EXPECT_EQ(StringClaim(*fresh, "sub"), login.user_id);
  EXPECT_EQ(StringClaim(*fresh, "baas_id"), StringClaim(login.refresh_token, "baas_id"));
  EXPECT_EQ(StringClaim(*fresh, "baas_id"), StringClaim(login.access_token, "baas_id"));
  EXPECT_EQ(StringClaim(*fresh, "typ"), "access");
  EXPECT_EQ(StringClaim(*fresh, "baas_device_id"), login.device_id);
  base::Result<Caller> caller = auth->Authenticate(*fresh, TokenType::kAccess);
  ASSERT_OK(caller);
  EXPECT_EQ(caller->claims.issued_at, NowSeconds());
  EXPECT_EQ(caller->claims.expires_at, NowSeconds() + auth->tokens().access_lifetime_seconds());
}

TEST_F(AuthTest, RefreshDoesNotWriteToTheStore) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  LoginResult login = EmailUser(*auth, "nowrite@x.io");
  const std::string before = DumpRecords(*engine_);
  ASSERT_THAT(before, HasSubstr(kApp + std::string(".sessions")));
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(seconds(5));  // past the state cache too
    ASSERT_OK(auth->Refresh(login.refresh_token));
    ASSERT_OK(auth->Authenticate(login.access_token, TokenType::kAccess));
  }
  EXPECT_EQ(DumpRecords(*engine_), before);
}

TEST_F(AuthTest, AnotherProcessesChangesAreSeenAfterTheCacheTtl) {
  config::AppConfig app = MakeApp(kApp);
  app.settings.tokens.state_cache_ms = 1000;
  AuthService* server = Start(app);
  AuthService* cli = Start(app);  // `plinth users disable` in another process
  ASSERT_NE(server, nullptr);
  ASSERT_NE(cli, nullptr);
  LoginResult login = EmailUser(*server, "cache@x.io");
  LoginResult other = MustLogin(*server, "anon-user", {});
  ASSERT_OK(server->Authenticate(login.access_token, TokenType::kAccess));
  ASSERT_OK(server->Authenticate(other.access_token, TokenType::kAccess));

  ASSERT_OK(cli->SetUserDisabled(login.user_id, true));
  EXPECT_CODE(cli->Authenticate(login.access_token, TokenType::kAccess), ErrorCode::kUserDisabled);
  ASSERT_OK(cli->RevokeSessions(other.user_id));
  // The server still serves both from its cache...
  clock_.Advance(milliseconds(999));
  EXPECT_OK(server->Authenticate(login.access_token, TokenType::kAccess));
  EXPECT_OK(server->Refresh(login.refresh_token));
  EXPECT_OK(server->Authenticate(other.access_token, TokenType::kAccess));
  // ...until the entries expire.
  clock_.Advance(milliseconds(1));
  EXPECT_CODE(server->Authenticate(login.access_token, TokenType::kAccess),
              ErrorCode::kUserDisabled);
  EXPECT_CODE(server->Refresh(login.refresh_token), ErrorCode::kUserDisabled);
  EXPECT_CODE(server->Authenticate(other.access_token, TokenType::kAccess),
              ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, ZeroCacheTtlSeesChangesAtOnce) {
  config::AppConfig app = MakeApp(kApp);
  app.settings.tokens.state_cache_ms = 0;
  AuthService* server = Start(app);
  AuthService* cli = Start(app);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(cli, nullptr);
  LoginResult login = MustLogin(*server, "anon-user", {});
  ASSERT_OK(server->Authenticate(login.access_token, TokenType::kAccess));
  ASSERT_OK(cli->SetUserDisabled(login.user_id, true));
  EXPECT_CODE(server->Authenticate(login.access_token, TokenType::kAccess),
              ErrorCode::kUserDisabled);
}

TEST(StateCacheTest, EntriesExpireAndForgetUserDropsItsSessions) {
  base::FakeClock clock;
  StateCache cache(&clock, milliseconds(100));
  cache.PutSession("h1", {"u1", "d1", 5});
  cache.PutSession("h2", {"u2", "d2", 5});
  auto user = std::make_shared<User>();
  user->id = "u1";
  cache.PutUser(user);
  ASSERT_TRUE(cache.GetSession("h1").has_value());
  EXPECT_EQ(cache.GetSession("h1")->device_id, "d1");
  EXPECT_EQ(cache.GetUser("u1"), user);
  cache.ForgetUser("u1");
  EXPECT_EQ(cache.GetUser("u1"), nullptr);
  EXPECT_FALSE(cache.GetSession("h1").has_value());
  EXPECT_TRUE(cache.GetSession("h2").has_value());
  cache.ForgetSession("h2");
  EXPECT_FALSE(cache.GetSession("h2").has_value());

  cache.PutSession("h3", {"u3", "d3", 5});
  clock.Advance(milliseconds(99));
  EXPECT_TRUE(cache.GetSession("h3").has_value());
  clock.Advance(milliseconds(1));
  EXPECT_FALSE(cache.GetSession("h3").has_value());

  StateCache bounded(&clock, milliseconds(100), /*max_entries=*/2);
  bounded.PutSession("a", {"u", "d", 5});
  bounded.PutSession("b", {"u", "d", 5});
  bounded.PutSession("c", {"u", "d", 5});
  EXPECT_FALSE(bounded.GetSession("a").has_value());
  EXPECT_TRUE(bounded.GetSession("c").has_value());

  StateCache off(&clock, milliseconds(0));
  off.PutSession("x", {"u", "d", 5});
  off.PutUser(user);
  EXPECT_FALSE(off.GetSession("x").has_value());
  EXPECT_EQ(off.GetUser("u1"), nullptr);
}

// --- 8. The user_data claim ----------------------------------------------------------

class UserDataTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    app_ = MakeApp(kApp);
    app_.custom_user_data.enabled = true;
    app_.custom_user_data.mongo_service_name = "mongodb-atlas";
    app_.custom_user_data.database_name = "appdb";
    app_.custom_user_data.collection_name = "custom";
    app_.custom_user_data.user_id_field = "userId";
  }

  std::shared_ptr<storage::Collection> Custom() {
    storage::StoreNamespace ns = storage::AppNamespace(kApp, "appdb", "custom");
    base::Result<std::shared_ptr<storage::Collection>> c =
        engine_->GetCollection(ns.database, ns.collection);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : nullptr;
  }

  config::AppConfig app_;
};

// The lookup runs at every login and refresh: it must be an indexed read.
TEST_F(UserDataTest, UserIdFieldIsIndexedAtStart) {
  ASSERT_NE(Start(app_), nullptr);
  base::Result<std::vector<doc::Document>> indexes = Custom()->ListIndexes();
  ASSERT_OK(indexes);
  bool found = false;
  for (const doc::Document& index : *indexes) {
    const doc::Value* key = index.Get("key");
    found = found || (key != nullptr && key->is_document() &&
                      doc::ToRelaxedJson(key->as_document()) == R"({"userId":1})");
  }
  EXPECT_TRUE(found);
  // A second start (another process, a restart) leaves it as it is.
  ASSERT_NE(Start(app_), nullptr);
  base::Result<std::vector<doc::Document>> again = Custom()->ListIndexes();
  ASSERT_OK(again);
  EXPECT_EQ(again->size(), indexes->size());
}

// Writes through this process's engine reach the next token at once; a
// write by another process (another engine object on the same file) within
// tokens.state_cache_ms. The second half shows the cache is really used.
TEST_F(UserDataTest, CachedDocumentFollowsWritesExactlyAndOtherProcessesWithinTheTtl) {
  const std::filesystem::path file = dir_.path() / "shared.sqlite";
  storage::SqliteOptions options;
  options.file = file;
  options.clock = &clock_;
  options.random = &random_;
  base::Result<std::unique_ptr<storage::Engine>> mine = storage::OpenSqliteEngine(options);
  ASSERT_OK(mine);
  engine_ = std::move(*mine);
  base::Result<std::unique_ptr<storage::Engine>> other = storage::OpenSqliteEngine(options);
  ASSERT_OK(other);
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  auto color = [&]() -> std::string {
    base::Result<std::string> token = auth->Refresh(login.refresh_token);
    EXPECT_TRUE(token.ok());
    if (!token.ok()) return "error";
    const doc::Document payload = Payload(*token);
    const doc::Value* data = payload.Get("user_data");
    if (data == nullptr || !data->is_document()) return "none";
    const doc::Value* c = data->as_document().Get("color");
    return c != nullptr && c->is_string() ? c->as_string() : "none";
  };
  ASSERT_OK(Custom()->InsertOne(doc::Document{{"userId", login.user_id}, {"color", "red"}}));
  EXPECT_EQ(color(), "red");
  ASSERT_OK(Custom()->UpdateOne(doc::Document{{"userId", login.user_id}},
                                doc::Document{{"$set", doc::Document{{"color", "blue"}}}}));
  EXPECT_EQ(color(), "blue");  // this process's write: at once

  storage::StoreNamespace ns = storage::AppNamespace(kApp, "appdb", "custom");
  base::Result<std::shared_ptr<storage::Collection>> theirs =
      (*other)->GetCollection(ns.database, ns.collection);
  ASSERT_OK(theirs);
  ASSERT_OK((*theirs)->UpdateOne(doc::Document{{"userId", login.user_id}},
                                 doc::Document{{"$set", doc::Document{{"color", "green"}}}}));
  EXPECT_EQ(color(), "blue");  // served from memory
  clock_.Advance(std::chrono::milliseconds(app_.settings.tokens.state_cache_ms));
  EXPECT_EQ(color(), "green");  // within the ttl
}

TEST_F(UserDataTest, ClaimCarriesTheDocument) {
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  // No document: no claim.
  EXPECT_EQ(Payload(login.access_token).Get("user_data"), nullptr);

  const doc::ObjectId doc_id = *doc::ObjectId::FromHex("65a1f0c2e4b0a1b2c3d4e5f8");
  const doc::ObjectId ref = *doc::ObjectId::FromHex("65a1f0c2e4b0a1b2c3d4e5f9");
  ASSERT_OK(Custom()->InsertOne(doc::Document{{"_id", doc_id},
                                              {"userId", login.user_id},
                                              {"favoriteColor", "green"},
                                              {"born", doc::DateTime{1600000000123}},
                                              {"ref", ref},
                                              {"n", 42}}));
  base::Result<std::string> fresh = auth->Refresh(login.refresh_token);
  ASSERT_OK(fresh);
  const std::string json = PayloadJson(*fresh);
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("user_data":{"_id":{"$oid":"65a1f0c2e4b0a1b2c3d4e5f8"},"userId":")" + login.user_id +
          R"(","favoriteColor":"green","born":{"$date":{"$numberLong":"1600000000123"}},"ref":{"$oid":"65a1f0c2e4b0a1b2c3d4e5f9"},"n":42})"));
  EXPECT_THAT(json, Not(HasSubstr(R"("$date":")")));  // no ISO dates
  // The token still verifies and the claim parses as a document.
  ASSERT_OK(auth->Authenticate(*fresh, TokenType::kAccess));
  const doc::Document payload = Payload(*fresh);
  const doc::Value* data = payload.Get("user_data");
  ASSERT_NE(data, nullptr);
  ASSERT_TRUE(data->is_document());
  EXPECT_EQ(data->as_document().Get("favoriteColor")->as_string(), "green");
  EXPECT_EQ(data->as_document().Get("born")->as_date().millis, 1600000000123);

  // After an update, the next refresh carries the new data.
  ASSERT_OK(Custom()->UpdateOne(doc::Document{{"userId", login.user_id}},
                                doc::Document{{"$set", doc::Document{{"favoriteColor", "blue"}}}}));
  base::Result<std::string> newer = auth->Refresh(login.refresh_token);
  ASSERT_OK(newer);
  EXPECT_THAT(PayloadJson(*newer), HasSubstr(R"("favoriteColor":"blue")"));
  // Another user has no document: no claim.
  LoginResult other = MustLogin(*auth, "anon-user", {});
  EXPECT_EQ(Payload(other.access_token).Get("user_data"), nullptr);
}

TEST_F(UserDataTest, NestedDatesAreCanonical) {
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(Custom()->InsertOne(doc::Document{
      {"userId", login.user_id},
      {"events", doc::Array{doc::Document{{"at", doc::DateTime{5}}}, doc::DateTime{-1000}}}}));
  base::Result<std::string> fresh = auth->Refresh(login.refresh_token);
  ASSERT_OK(fresh);
  EXPECT_THAT(
      PayloadJson(*fresh),
      HasSubstr(
          R"("events":[{"at":{"$date":{"$numberLong":"5"}}},{"$date":{"$numberLong":"-1000"}}])"));
}

TEST_F(UserDataTest, StringTypedIdWinsOverObjectId) {
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(Custom()->InsertOne(
      doc::Document{{"userId", *doc::ObjectId::FromHex(login.user_id)}, {"kind", "oid"}}));
  base::Result<std::string> first = auth->Refresh(login.refresh_token);
  ASSERT_OK(first);
  EXPECT_THAT(PayloadJson(*first), HasSubstr(R"("kind":"oid")"));
  ASSERT_OK(Custom()->InsertOne(doc::Document{{"userId", login.user_id}, {"kind", "str"}}));
  base::Result<std::string> second = auth->Refresh(login.refresh_token);
  ASSERT_OK(second);
  EXPECT_THAT(PayloadJson(*second), HasSubstr(R"("kind":"str")"));
  EXPECT_THAT(PayloadJson(*second), Not(HasSubstr(R"("kind":"oid")")));
}

TEST_F(UserDataTest, DisabledMeansNoClaim) {
  app_.custom_user_data.enabled = false;
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(Custom()->InsertOne(doc::Document{{"userId", login.user_id}, {"x", 1}}));
  base::Result<std::string> fresh = auth->Refresh(login.refresh_token);
  ASSERT_OK(fresh);
  EXPECT_THAT(PayloadJson(*fresh), Not(HasSubstr("user_data")));
}

TEST_F(UserDataTest, OtherAppsDocumentsAreNotUsed) {
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  storage::StoreNamespace ns = storage::AppNamespace("app-b", "appdb", "custom");
  base::Result<std::shared_ptr<storage::Collection>> c =
      engine_->GetCollection(ns.database, ns.collection);
  ASSERT_OK(c);
  ASSERT_OK((*c)->InsertOne(doc::Document{{"userId", login.user_id}, {"x", 1}}));
  base::Result<std::string> fresh = auth->Refresh(login.refresh_token);
  ASSERT_OK(fresh);
  EXPECT_THAT(PayloadJson(*fresh), Not(HasSubstr("user_data")));
}

TEST_F(UserDataTest, OversizedDocumentIsLeftOut) {
  app_.settings.custom_user_data.warn_size_bytes = 100;
  app_.settings.custom_user_data.max_size_bytes = 1000;
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(Custom()->InsertOne(
      doc::Document{{"userId", login.user_id}, {"pad", std::string(500, 'p')}}));
  base::Result<std::string> medium = auth->Refresh(login.refresh_token);
  ASSERT_OK(medium);
  EXPECT_THAT(PayloadJson(*medium), HasSubstr("user_data"));
  EXPECT_THAT(PayloadJson(*medium), Not(HasSubstr("plinth_user_data_omitted")));
  EXPECT_TRUE(logger_.Contains("custom user data over its size budget"));
  EXPECT_EQ(auth->custom_data_size_stats().over_budget, 1u);
  ASSERT_OK(
      Custom()->UpdateOne(doc::Document{{"userId", login.user_id}},
                          doc::Document{{"$set", doc::Document{{"pad", std::string(2000, 'p')}}}}));
  base::Result<std::string> big = auth->Refresh(login.refresh_token);
  ASSERT_OK(big);
  EXPECT_THAT(PayloadJson(*big), Not(HasSubstr("\"user_data\"")));
  // The token says the document exists and why it is not there.
  EXPECT_THAT(PayloadJson(*big), HasSubstr("\"plinth_user_data_omitted\":2"));
  EXPECT_TRUE(logger_.Contains("too large"));
  EXPECT_EQ(auth->custom_data_size_stats().omitted, 1u);
  // Operators can list who is over the budget.
  base::Result<std::vector<CustomDataLookup::LargeDocument>> large = auth->ListLargeCustomData();
  ASSERT_OK(large);
  ASSERT_EQ(large->size(), 1u);
  EXPECT_EQ((*large)[0].user_id, login.user_id);
  EXPECT_GT((*large)[0].bytes, 2000);
  // Rules and functions still see the whole document: only tokens have a budget.
  base::Result<Caller> caller = auth->Authenticate(*big, TokenType::kAccess);
  ASSERT_OK(caller);
  base::Result<doc::Document> user = auth->UserObjectFor(*caller);
  ASSERT_OK(user);
  const doc::Value* custom = user->Get("custom_data");
  ASSERT_NE(custom, nullptr);
  ASSERT_TRUE(custom->is_document());
  const doc::Value* pad = custom->as_document().Get("pad");
  ASSERT_NE(pad, nullptr);
  EXPECT_EQ(pad->as_string().size(), 2000u);
}

// A stand-in for the JS runtime (functions/ is above auth/): the creation
// "function" inserts the user's document through the store it is given, then
// fails when the user's email says so.
class InsertingFunctions final : public AuthFunctions {
 public:
  base::Result<doc::Value> RunAsSystem(std::string_view name, doc::Array arguments,
                                       storage::Engine* store) const override {
    ++calls;
    if (name != "onCreate" || store == nullptr) {
      return base::Status(base::ErrorCode::kFunctionNotFound, "unexpected call");
    }
    const doc::Document& user = arguments[0].as_document();
    storage::StoreNamespace ns = storage::AppNamespace(kApp, "appdb", "custom");
    PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> custom,
                            store->GetCollection(ns.database, ns.collection));
    PLINTH_RETURN_IF_ERROR(
        custom->InsertOne(doc::Document{{"userId", *user.Get("id")}, {"plan", doc::Value("free")}})
            .status());
    const doc::Value* email = user.Get("data")->as_document().Get("email");
    if (email != nullptr && email->as_string().starts_with("no")) {
      return base::Status(base::ErrorCode::kFunctionExecutionError, "not this one");
    }
    return doc::Value();
  }
  mutable int calls = 0;
};

TEST_F(UserDataTest, CreationFunctionWritesCommitWithTheUserOrNotAtAll) {
  InsertingFunctions fns;
  functions_ = &fns;
  app_.custom_user_data.on_user_creation_function_name = "onCreate";
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  // A first login runs it; the document is in the very first token.
  LoginResult anon = MustLogin(*auth, "anon-user", {});
  EXPECT_EQ(fns.calls, 1);
  base::Result<Caller> caller = auth->Authenticate(anon.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  ASSERT_OK(auth->UserObjectFor(*caller));
  EXPECT_EQ(
      auth->UserObjectFor(*caller)->Get("custom_data")->as_document().Get("plan")->as_string(),
      "free");
  // An operator-created user runs it too; a failing one leaves no user and no document.
  ASSERT_OK(auth->CreateEmailPasswordUser("yes@example.com", "p4ssw0rd!"));
  base::Result<User> refused = auth->CreateEmailPasswordUser("no@example.com", "p4ssw0rd!");
  EXPECT_EQ(refused.status().code(), base::ErrorCode::kFunctionExecutionError);
  EXPECT_EQ(refused.status().message(), "not this one");
  EXPECT_EQ(fns.calls, 3);
  EXPECT_EQ(*Custom()->CountDocuments(doc::Document{}), 2);
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  EXPECT_EQ(users->size(), 2u);
  // Later logins of an existing user do not run it again.
  MustLogin(*auth, "local-userpass",
            doc::Document{{"username", doc::Value("yes@example.com")},
                          {"password", doc::Value("p4ssw0rd!")}});
  EXPECT_EQ(fns.calls, 3);
}

// Counts trigger runs; fails the first `failures` of them.
class CountingFunctions final : public AuthFunctions {
 public:
  base::Result<doc::Value> RunAsSystem(std::string_view name, doc::Array arguments,
                                       storage::Engine*) const override {
    std::lock_guard<std::mutex> lock(mu);
    const doc::Document& event = arguments[0].as_document();
    runs.push_back(std::string(name) + ":" + event.Get("operationType")->as_string() + ":" +
                   event.Get("providers")->as_array()[0].as_string());
    if (failures > 0) {
      --failures;
      return base::Status(base::ErrorCode::kFunctionExecutionError, "flaky");
    }
    return doc::Value();
  }
  std::vector<std::string> Runs() const {
    std::lock_guard<std::mutex> lock(mu);
    return runs;
  }
  mutable std::mutex mu;
  mutable std::vector<std::string> runs;
  mutable int failures = 0;
};

config::TriggerConfig AuthTrigger(std::string name, config::AuthOperationType op) {
  config::TriggerConfig t;
  t.name = name;
  t.type = config::TriggerType::kAuthentication;
  t.function_name = name + "Fn";
  t.auth = config::AuthTriggerConfig{op, {"anon-user", "local-userpass"}};
  return t;
}

// Waits (real time: the dispatcher polls) until `fns` has seen `n` runs.
std::vector<std::string> WaitForRuns(const CountingFunctions& fns, std::size_t n) {
  for (int i = 0; i < 200 && fns.Runs().size() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return fns.Runs();
}

TEST_F(UserDataTest, AuthTriggersAreRecordedWithTheChangeAndDeliveredOnce) {
  CountingFunctions fns;
  functions_ = &fns;
  app_.triggers.push_back(AuthTrigger("onLogin", config::AuthOperationType::kLogin));
  app_.triggers.push_back(AuthTrigger("onCreate", config::AuthOperationType::kCreate));
  app_.triggers.push_back(AuthTrigger("onDelete", config::AuthOperationType::kDelete));
  config::TriggerConfig other = AuthTrigger("apiKeysOnly", config::AuthOperationType::kLogin);
  other.auth->providers = {"api-key"};
  app_.triggers.push_back(other);
  AuthService* recorder = Start(app_);
  ASSERT_NE(recorder, nullptr);
  // Not started (like `plinth users`): events are recorded, nothing runs.
  LoginResult anon = MustLogin(*recorder, "anon-user", {});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(fns.Runs().empty());
  // The serving process delivers what is pending, oldest first, each once.
  AuthService* server = Start(app_);
  ASSERT_NE(server, nullptr);
  server->StartTriggers();
  EXPECT_EQ(WaitForRuns(fns, 2),
            (std::vector<std::string>{"onCreateFn:CREATE:anon-user", "onLoginFn:LOGIN:anon-user"}));
  ASSERT_OK(server->DeleteUser(anon.user_id));
  EXPECT_EQ(WaitForRuns(fns, 3).back(), "onDeleteFn:DELETE:anon-user");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // more than a poll
  EXPECT_EQ(fns.Runs().size(), 3u);
  server->StopTriggers();
}

TEST_F(UserDataTest, FailedTriggerRunsAreRetriedThenDropped) {
  CountingFunctions fns;
  fns.failures = 1;
  functions_ = &fns;
  app_.triggers.push_back(AuthTrigger("onLogin", config::AuthOperationType::kLogin));
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  auth->StartTriggers();
  MustLogin(*auth, "anon-user", {});
  // The retry waits 1 s of the service's clock: move it on.
  WaitForRuns(fns, 1);
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(WaitForRuns(fns, 2).size(), 2u);
  EXPECT_TRUE(logger_.Contains("authentication trigger failed; will retry"));
  // One that always fails is dropped after kMaxAttempts runs, with an error.
  fns.failures = 1000;
  MustLogin(*auth, "anon-user", {});
  for (int i = 0; i < AuthTriggers::kMaxAttempts; ++i) {
    WaitForRuns(fns, 3 + i);
    clock_.Advance(std::chrono::seconds(60));
  }
  EXPECT_EQ(WaitForRuns(fns, 2 + AuthTriggers::kMaxAttempts).size(),
            2u + AuthTriggers::kMaxAttempts);
  for (int i = 0; i < 100 && !logger_.Contains("dropped after its last attempt"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(logger_.Contains("dropped after its last attempt"));
  clock_.Advance(std::chrono::seconds(60));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(fns.Runs().size(), 2u + AuthTriggers::kMaxAttempts);
  auth->StopTriggers();
}

TEST_F(UserDataTest, NameFieldFillsTheUsersNameMetadata) {
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(Custom()->InsertOne(
      doc::Document{{"userId", login.user_id}, {"name", doc::Value("Ada Lovelace")}}));
  base::Result<Caller> caller = auth->Authenticate(login.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  EXPECT_EQ(auth->Profile(*caller).Get("data")->as_document().Get("name")->as_string(),
            "Ada Lovelace");
  base::Result<doc::Document> user = auth->UserObjectFor(*caller);
  ASSERT_OK(user);
  EXPECT_EQ(user->Get("data")->as_document().Get("name")->as_string(), "Ada Lovelace");
}

TEST_F(UserDataTest, DeleteUserKeepsCustomDataByDefault) {
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(Custom()->InsertOne(doc::Document{{"userId", login.user_id}, {"x", 1}}));
  ASSERT_OK(auth->DeleteUser(login.user_id));
  base::Result<std::int64_t> n = Custom()->CountDocuments(doc::Document{});
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1);  // App Services keeps it (app-config §2)
}

TEST_F(UserDataTest, DeleteWithUserRemovesTheCustomData) {
  app_.settings.custom_user_data.delete_with_user = true;
  AuthService* auth = Start(app_);
  ASSERT_NE(auth, nullptr);
  LoginResult login = MustLogin(*auth, "anon-user", {});
  LoginResult other = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(Custom()->InsertOne(doc::Document{{"userId", login.user_id}, {"x", 1}}));
  ASSERT_OK(Custom()->InsertOne(
      doc::Document{{"userId", *doc::ObjectId::FromHex(login.user_id)}, {"x", 2}}));
  ASSERT_OK(Custom()->InsertOne(doc::Document{{"userId", other.user_id}, {"x", 3}}));
  ASSERT_OK(auth->DeleteUser(login.user_id));
  base::Result<std::int64_t> n = Custom()->CountDocuments(doc::Document{});
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1);  // only the other user's document is left
  base::Result<std::string> fresh = auth->Refresh(other.refresh_token);
  ASSERT_OK(fresh);
  EXPECT_THAT(PayloadJson(*fresh), HasSubstr(R"("x":3)"));
}

TEST(UserDataClaimJsonTest, Encoding) {
  doc::Document d{{"s", "x"},
                  {"i", 1},
                  {"l", std::int64_t{5}},
                  {"b", true},
                  {"d", doc::DateTime{7}},
                  {"o", *doc::ObjectId::FromHex("65a1f0c2e4b0a1b2c3d4e5f8")}};
  EXPECT_EQ(
      UserDataClaimJson(d),
      R"({"s":"x","i":1,"l":5,"b":true,"d":{"$date":{"$numberLong":"7"}},"o":{"$oid":"65a1f0c2e4b0a1b2c3d4e5f8"}})");
}

// --- 9. Atomicity: users and identity rows -------------------------------------------

TEST_F(AuthTest, EveryUserHasItsIdentityRowsAndViceVersa) {
  AuthService* auth = Start(MakeApp(kApp));
  ASSERT_NE(auth, nullptr);
  for (int i = 0; i < 15; ++i) MustLogin(*auth, "anon-user", {});
  for (int i = 0; i < 3; ++i) {
    std::string email = "m" + std::to_string(i) + "@x.io";
    EmailUser(*auth, email, "password1");
    MustLogin(*auth, "local-userpass", UserPass(email, "password1"));
  }
  for (int i = 0; i < 3; ++i) {
    std::string claims = R"({"aud":"app-a","sub":"s)" + std::to_string(i) + R"(","exp":)" +
                         std::to_string(NowSeconds() + 600) + R"(,"user_data":{"name":"n"}})";
    MustLogin(*auth, "custom-token", doc::Document{{"token", CustomJwt(claims)}});
    MustLogin(*auth, "custom-token", doc::Document{{"token", CustomJwt(claims)}});
  }
  // One linked user with two identities.
  LoginResult anon = MustLogin(*auth, "anon-user", {});
  base::Result<Caller> caller = auth->Authenticate(anon.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  ASSERT_OK(auth->Register("linked@x.io", "password1"));
  LoginRequest link = Req("local-userpass", UserPass("linked@x.io", "password1"));
  link.link_to = caller->claims;
  ASSERT_OK(auth->Login(link));
  // And a deleted one, whose rows must be gone.
  LoginResult doomed = MustLogin(*auth, "anon-user", {});
  ASSERT_OK(auth->DeleteUser(doomed.user_id));

  AuthRecords records(kApp);
  base::Result<std::vector<User>> users = records.ListUsers(*engine_);
  ASSERT_OK(users);
  EXPECT_EQ(users->size(), 15u + 3u + 3u + 1u);
  std::size_t identities = 0;
  std::set<std::string> user_ids;
  for (const User& u : *users) {
    user_ids.insert(u.id);
    ASSERT_FALSE(u.identities.empty()) << u.id;
    for (const Identity& id : u.identities) {
      ++identities;
      base::Result<std::optional<std::string>> owner =
          records.FindUserIdByIdentity(*engine_, id.provider_type, id.id);
      ASSERT_OK(owner);
      ASSERT_TRUE(owner->has_value()) << id.provider_type << "|" << id.id;
      EXPECT_EQ(**owner, u.id);
    }
  }
  std::vector<doc::Document> rows =
      AllDocs(*engine_, std::string(AuthRecords::kDatabase), std::string(kApp) + ".identities");
  EXPECT_EQ(rows.size(), identities);
  for (const doc::Document& row : rows) {
    const doc::Value* owner = row.Get("user_id");
    ASSERT_NE(owner, nullptr);
    EXPECT_TRUE(user_ids.count(owner->as_string())) << doc::ToRelaxedJson(row);
  }
  // Sessions belong to live users only.
  for (const doc::Document& s :
       AllDocs(*engine_, std::string(AuthRecords::kDatabase), std::string(kApp) + ".sessions")) {
    EXPECT_TRUE(user_ids.count(s.Get("user_id")->as_string())) << doc::ToRelaxedJson(s);
  }
}

TEST_F(AuthTest, FailedTransactionLeavesNoIdentityRow) {
  AuthRecords records(kApp);
  ASSERT_OK(records.EnsureIndexes(*engine_));
  User user;
  user.id = "65a1f0c2e4b0a1b2c3d4e5f6";
  user.identities.push_back(Identity{"ident-1", "custom-token", "p", {}});
  base::Status s = engine_->RunTransaction([&](storage::Engine& txn) -> base::Status {
    PLINTH_RETURN_IF_ERROR(records.InsertUser(txn, user));
    return base::Status(ErrorCode::kInternal, "the session write failed");
  });
  EXPECT_CODE(s, ErrorCode::kInternal);
  base::Result<std::optional<std::string>> owner =
      records.FindUserIdByIdentity(*engine_, "custom-token", "ident-1");
  ASSERT_OK(owner);
  EXPECT_FALSE(owner->has_value());
  base::Result<std::optional<User>> found = records.FindUser(*engine_, user.id);
  ASSERT_OK(found);
  EXPECT_FALSE(found->has_value());
  // An identity owned by someone is refused as a whole.
  ASSERT_OK(records.InsertUser(*engine_, user));
  User second = user;
  second.id = "65a1f0c2e4b0a1b2c3d4e5f7";
  EXPECT_CODE(records.InsertUser(*engine_, second), ErrorCode::kIdentityAlreadyLinked);
  base::Result<std::optional<User>> none = records.FindUser(*engine_, second.id);
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
}

// --- 10. KeyRing ---------------------------------------------------------------------

TEST_F(AuthTest, GeneratedKeyFileIsOwnerOnlyAndReused) {
  config::TokenSettings settings;
  base::Result<KeyRing> first = KeyRing::Load(data_dir(), kApp, settings, secrets_, random_);
  ASSERT_OK(first);
  const std::filesystem::path file = KeyRing::KeyFile(data_dir(), kApp);
  EXPECT_EQ(file, data_dir() / "keys" / "app-a.json");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(first->algorithm(), crypto::JwtAlgorithm::kHS256);
  EXPECT_FALSE(first->signer().kid().empty());

  base::Result<KeyRing> second = KeyRing::Load(data_dir(), kApp, settings, secrets_, random_);
  ASSERT_OK(second);
  EXPECT_EQ(second->signer().kid(), first->signer().kid());
  EXPECT_EQ(second->keys().size(), 1u);
  TokenService minted(kApp, *first, settings, &clock_);
  TokenService checked(kApp, *second, settings, &clock_);
  base::Result<std::string> token =
      minted.MintAccess("65a1f0c2e4b0a1b2c3d4e5f6", "sess", "65a1f0c2e4b0a1b2c3d4e5f7", nullptr);
  ASSERT_OK(token);
  EXPECT_OK(checked.Verify(*token, TokenType::kAccess));
  // Another app gets its own key.
  base::Result<KeyRing> other = KeyRing::Load(data_dir(), "app-b", settings, secrets_, random_);
  ASSERT_OK(other);
  EXPECT_NE(other->signer().kid(), first->signer().kid());
  TokenService other_app("app-b", *other, settings, &clock_);
  EXPECT_CODE(other_app.Verify(*token, TokenType::kAccess), ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, GroupReadableKeyFileIsRefused) {
  config::TokenSettings settings;
  ASSERT_OK(KeyRing::Load(data_dir(), kApp, settings, secrets_, random_));
  ::chmod(KeyRing::KeyFile(data_dir(), kApp).c_str(), 0644);
  base::Result<KeyRing> again = KeyRing::Load(data_dir(), kApp, settings, secrets_, random_);
  EXPECT_CODE(again, ErrorCode::kInvalidConfig);
  EXPECT_THAT(again.status().message(), HasSubstr("chmod 600"));
}

TEST_F(AuthTest, MalformedKeyFileIsRefused) {
  dir_.Write("data/keys/app-a.json", R"({"nokeys":[]})");
  ::chmod(KeyRing::KeyFile(data_dir(), kApp).c_str(), 0600);
  EXPECT_CODE(KeyRing::Load(data_dir(), kApp, config::TokenSettings{}, secrets_, random_),
              ErrorCode::kInvalidConfig);
  config::TokenSettings bad;
  bad.signing_algorithm = "none";
  EXPECT_CODE(KeyRing::Load(data_dir(), "app-z", bad, secrets_, random_),
              ErrorCode::kInvalidConfig);
}

TEST_F(AuthTest, ChangingTheAlgorithmGeneratesANewFirstKey) {
  config::TokenSettings hs;
  base::Result<KeyRing> first = KeyRing::Load(data_dir(), kApp, hs, secrets_, random_);
  ASSERT_OK(first);
  TokenService hs_tokens(kApp, *first, hs, &clock_);
  base::Result<std::string> hs_token = hs_tokens.MintAccess("u", "s", "d", nullptr);
  ASSERT_OK(hs_token);

  config::TokenSettings ed = hs;
  ed.signing_algorithm = "EdDSA";
  base::Result<KeyRing> second = KeyRing::Load(data_dir(), kApp, ed, secrets_, random_);
  ASSERT_OK(second);
  EXPECT_EQ(second->algorithm(), crypto::JwtAlgorithm::kEdDSA);
  EXPECT_EQ(second->signer().algorithm(), crypto::JwtAlgorithm::kEdDSA);
  EXPECT_NE(second->signer().kid(), first->signer().kid());
  EXPECT_EQ(second->keys().size(), 1u);  // only keys of the configured algorithm
  TokenService ed_tokens(kApp, *second, ed, &clock_);
  EXPECT_CODE(ed_tokens.Verify(*hs_token, TokenType::kAccess), ErrorCode::kInvalidSession);
  base::Result<std::string> ed_token = ed_tokens.MintAccess("u", "s", "d", nullptr);
  ASSERT_OK(ed_token);
  EXPECT_THAT(HeaderJson(*ed_token), HasSubstr("EdDSA"));
  EXPECT_OK(ed_tokens.Verify(*ed_token, TokenType::kAccess));
  // The file still has the old key (after the new one), owner-only.
  struct stat st {};
  ASSERT_EQ(::stat(KeyRing::KeyFile(data_dir(), kApp).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Reloading EdDSA reuses the EdDSA key.
  base::Result<KeyRing> third = KeyRing::Load(data_dir(), kApp, ed, secrets_, random_);
  ASSERT_OK(third);
  EXPECT_EQ(third->signer().kid(), second->signer().kid());
  TokenService ed_again(kApp, *third, ed, &clock_);
  EXPECT_OK(ed_again.Verify(*ed_token, TokenType::kAccess));
}

TEST_F(AuthTest, ConfiguredSecretsRotate) {
  config::TokenSettings old_settings;
  old_settings.signing_key_secrets = {"k2025"};
  config::TokenSettings rotated;
  rotated.signing_key_secrets = {"k2026", "k2025"};
  base::Result<KeyRing> old_ring = KeyRing::Load(data_dir(), kApp, old_settings, secrets_, random_);
  base::Result<KeyRing> new_ring = KeyRing::Load(data_dir(), kApp, rotated, secrets_, random_);
  ASSERT_OK(old_ring);
  ASSERT_OK(new_ring);
  EXPECT_FALSE(std::filesystem::exists(KeyRing::KeyFile(data_dir(), kApp)));
  ASSERT_EQ(new_ring->keys().size(), 2u);
  EXPECT_EQ(new_ring->signer().kid(), "k2026");

  TokenService old_tokens(kApp, *old_ring, old_settings, &clock_);
  TokenService new_tokens(kApp, *new_ring, rotated, &clock_);
  base::Result<std::string> old_token = old_tokens.MintRefresh("u", "s", NowSeconds() + 60);
  base::Result<std::string> new_token = new_tokens.MintRefresh("u", "s", NowSeconds() + 60);
  ASSERT_OK(old_token);
  ASSERT_OK(new_token);
  EXPECT_THAT(HeaderJson(*old_token), HasSubstr(R"("kid":"k2025")"));
  EXPECT_THAT(HeaderJson(*new_token), HasSubstr(R"("kid":"k2026")"));
  // The older key still verifies after rotation.
  EXPECT_OK(new_tokens.Verify(*old_token, TokenType::kRefresh));
  EXPECT_OK(new_tokens.Verify(*new_token, TokenType::kRefresh));
  // Once the old key is dropped, its tokens stop verifying.
  config::TokenSettings dropped;
  dropped.signing_key_secrets = {"k2026"};
  base::Result<KeyRing> dropped_ring = KeyRing::Load(data_dir(), kApp, dropped, secrets_, random_);
  ASSERT_OK(dropped_ring);
  TokenService dropped_tokens(kApp, *dropped_ring, dropped, &clock_);
  EXPECT_CODE(dropped_tokens.Verify(*old_token, TokenType::kRefresh), ErrorCode::kInvalidSession);
  EXPECT_OK(dropped_tokens.Verify(*new_token, TokenType::kRefresh));
  // A token signed with k2025's secret but claiming kid k2026 fails.
  std::string payload = PayloadJson(*old_token);
  EXPECT_CODE(new_tokens.Verify(SignJwt(payload, HmacKey(kKey2025, "k2026")), TokenType::kRefresh),
              ErrorCode::kInvalidSession);
}

TEST_F(AuthTest, ConfiguredSecretsMustExistAndBeUsable) {
  config::TokenSettings missing;
  missing.signing_key_secrets = {"nope"};
  EXPECT_FALSE(KeyRing::Load(data_dir(), kApp, missing, secrets_, random_).ok());
  config::TokenSettings wrong_kind;
  wrong_kind.signing_algorithm = "RS256";
  wrong_kind.signing_key_secrets = {"k2025"};  // an HMAC secret, not a PEM key
  base::Result<KeyRing> r = KeyRing::Load(data_dir(), kApp, wrong_kind, secrets_, random_);
  EXPECT_CODE(r, ErrorCode::kInvalidConfig);
  EXPECT_THAT(r.status().message(), Not(HasSubstr(kKey2025)));
}

// --- Auth functions: confirmation, reset, custom-function ----------------------
// The real runtime is proven end to end (tests/e2e/auth_functions.test.mjs);
// these pin the edge cases with scripted answers.

// An AuthFunctions whose functions are C++ lambdas; it records each call.
// Thread-compatible (the tests call from one thread).
class ScriptedFunctions final : public AuthFunctions {
 public:
  using Fn = std::function<base::Result<doc::Value>(const doc::Array&)>;
  struct Call {
    std::string name;
    doc::Array arguments;
  };

  void Define(std::string name, Fn fn) { fns_[std::move(name)] = std::move(fn); }
  // Defines `name` to answer `value` every time.
  void Answer(std::string name, doc::Value value) {
    Define(std::move(name), [value](const doc::Array&) { return base::Result<doc::Value>(value); });
  }
  void Throw(std::string name, std::string message) {
    Define(std::move(name), [message](const doc::Array&) {
      return base::Result<doc::Value>(
          base::Status(base::ErrorCode::kFunctionExecutionError, message));
    });
  }
  const std::vector<Call>& calls() const { return calls_; }
  const doc::Document& LastDetails() const { return calls_.back().arguments[0].as_document(); }

  base::Result<doc::Value> RunAsSystem(std::string_view name, doc::Array arguments,
                                       storage::Engine*) const override {
    calls_.push_back(Call{std::string(name), arguments});
    auto it = fns_.find(std::string(name));
    if (it == fns_.end()) {
      return base::Status(base::ErrorCode::kFunctionNotFound,
                          "function not found: '" + std::string(name) + "'");
    }
    return it->second(arguments);
  }

 private:
  std::map<std::string, Fn> fns_;
  mutable std::vector<Call> calls_;
};

doc::Value StatusAnswer(std::string status) {
  return doc::Value(doc::Document{{"status", std::move(status)}});
}

class AuthFunctionsTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    functions_ = &scripted_;
  }

  // MakeApp with the confirmation and reset functions and a custom-function
  // provider configured.
  static config::AppConfig HookApp() {
    config::AppConfig app = MakeApp(kApp, /*auto_confirm=*/false);
    for (config::AuthProvider& p : app.auth_providers) {
      if (p.type != config::ProviderType::kLocalUserpass) continue;
      p.local_userpass->run_confirmation_function = true;
      p.local_userpass->confirmation_function_name = "confirm";
      p.local_userpass->run_reset_function = true;
      p.local_userpass->reset_function_name = "reset";
    }
    config::AuthProvider fn;
    fn.name = "custom-function";
    fn.type = config::ProviderType::kCustomFunction;
    fn.custom_function = config::CustomFunctionConfig{"authenticate"};
    app.auth_providers.push_back(fn);
    return app;
  }

  bool CanLogIn(AuthService& auth, std::string_view email, std::string_view password) {
    return auth.Login(Req("local-userpass", UserPass(email, password))).ok();
  }

  ScriptedFunctions scripted_;
};

TEST_F(AuthFunctionsTest, ConfirmationSuccessConfirmsAtOnce) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  scripted_.Answer("confirm", StatusAnswer("success"));
  ASSERT_OK(auth->Register(" Ann@Example.com", "password1"));
  ASSERT_EQ(scripted_.calls().size(), 1u);
  EXPECT_EQ(scripted_.calls()[0].name, "confirm");
  ASSERT_EQ(scripted_.calls()[0].arguments.size(), 1u);
  const doc::Document& d = scripted_.LastDetails();
  EXPECT_EQ(doc::StringFieldOrEmpty(d, "username"), "ann@example.com");
  EXPECT_EQ(doc::StringFieldOrEmpty(d, "token").size(), 64u);
  EXPECT_FALSE(doc::StringFieldOrEmpty(d, "tokenId").empty());
  EXPECT_TRUE(mailer_.sent().empty()) << "no mail when a function confirms";
  EXPECT_TRUE(CanLogIn(*auth, "ann@example.com", "password1"));
  // The token was used up.
  EXPECT_CODE(
      auth->Confirm(doc::StringFieldOrEmpty(d, "token"), doc::StringFieldOrEmpty(d, "tokenId")),
      ErrorCode::kUserpassTokenInvalid);
}

TEST_F(AuthFunctionsTest, ConfirmationPendingKeepsTheTokenForTheConfirmRoute) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  scripted_.Answer("confirm", StatusAnswer("pending"));
  ASSERT_OK(auth->Register("pat@example.com", "password1"));
  EXPECT_FALSE(CanLogIn(*auth, "pat@example.com", "password1"));
  const doc::Document d = scripted_.LastDetails();
  ASSERT_OK(
      auth->Confirm(doc::StringFieldOrEmpty(d, "token"), doc::StringFieldOrEmpty(d, "tokenId")));
  EXPECT_TRUE(CanLogIn(*auth, "pat@example.com", "password1"));
  EXPECT_CODE(auth->CallConfirmationFunction("pat@example.com"), ErrorCode::kUserAlreadyConfirmed);
}

TEST_F(AuthFunctionsTest, RefusedOrFailedRegistrationLeavesNoAccount) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  struct Case {
    const char* what;
    std::function<void()> script;
    ErrorCode want;
    const char* message;
  };
  const Case cases[] = {
      {"fail", [&] { scripted_.Answer("confirm", StatusAnswer("fail")); }, ErrorCode::kBadRequest,
       "failed to confirm user \"fay@example.com\""},
      {"throw", [&] { scripted_.Throw("confirm", "Error: nope"); },
       ErrorCode::kFunctionExecutionError, "Error: nope"},
      {"string", [&] { scripted_.Answer("confirm", doc::Value("success")); },
       ErrorCode::kFunctionExecutionError, "must return {status"},
      {"unknown status", [&] { scripted_.Answer("confirm", StatusAnswer("ok")); },
       ErrorCode::kFunctionExecutionError, "must return {status"},
      {"status not a string",
       [&] {
         scripted_.Answer("confirm", doc::Value(doc::Document{{"status", 1}}));
       },
       ErrorCode::kFunctionExecutionError, "must return {status"},
      {"null", [&] { scripted_.Answer("confirm", doc::Value()); },
       ErrorCode::kFunctionExecutionError, "must return {status"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    c.script();
    base::Status s = auth->Register("fay@example.com", "password1");
    EXPECT_EQ(s.code(), c.want) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr(c.message));
    const doc::Document d = scripted_.LastDetails();
    // Neither the account nor its token is left.
    EXPECT_CODE(auth->CallConfirmationFunction("fay@example.com"), ErrorCode::kUserNotFound);
    EXPECT_CODE(
        auth->Confirm(doc::StringFieldOrEmpty(d, "token"), doc::StringFieldOrEmpty(d, "tokenId")),
        ErrorCode::kUserpassTokenInvalid);
  }
  // Once the function agrees, the address registers.
  scripted_.Answer("confirm", StatusAnswer("success"));
  EXPECT_OK(auth->Register("fay@example.com", "password1"));
}

TEST_F(AuthFunctionsTest, WithoutFunctionsRegisterIsFunctionNotFound) {
  AuthService* auth = Start(HookApp());  // scripted_ defines nothing
  ASSERT_NE(auth, nullptr);
  EXPECT_CODE(auth->Register("nf@example.com", "password1"), ErrorCode::kFunctionNotFound);
  functions_ = nullptr;
  AuthService* bare = Start(HookApp());
  ASSERT_NE(bare, nullptr);
  EXPECT_CODE(bare->Register("nf@example.com", "password1"), ErrorCode::kFunctionNotFound);
  EXPECT_CODE(bare->Login(Req("custom-function", doc::Document{})), ErrorCode::kFunctionNotFound);
}

TEST_F(AuthFunctionsTest, ConfirmCallRerunsTheFunctionAndKeepsThePendingAccount) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  scripted_.Answer("confirm", StatusAnswer("pending"));
  ASSERT_OK(auth->Register("cal@example.com", "password1"));
  const std::string first_id = doc::StringFieldOrEmpty(scripted_.LastDetails(), "tokenId");
  // A failing or throwing re-run does not remove an account that already existed.
  scripted_.Answer("confirm", StatusAnswer("fail"));
  EXPECT_CODE(auth->CallConfirmationFunction("cal@example.com"), ErrorCode::kBadRequest);
  scripted_.Throw("confirm", "later");
  EXPECT_CODE(auth->CallConfirmationFunction("cal@example.com"),
              ErrorCode::kFunctionExecutionError);
  scripted_.Answer("confirm", StatusAnswer("success"));
  ASSERT_OK(auth->CallConfirmationFunction("CAL@example.com"));
  EXPECT_NE(doc::StringFieldOrEmpty(scripted_.LastDetails(), "tokenId"), first_id);
  EXPECT_TRUE(CanLogIn(*auth, "cal@example.com", "password1"));
  EXPECT_CODE(auth->CallConfirmationFunction("nobody@example.com"), ErrorCode::kUserNotFound);
}

TEST_F(AuthFunctionsTest, HooksThatAreNotConfiguredAreRefused) {
  AuthService* auth = Start(MakeApp(kApp, /*auto_confirm=*/false));
  ASSERT_NE(auth, nullptr);
  ASSERT_OK(auth->Register("mail@example.com", "password1"));  // the mailed flow
  EXPECT_CODE(auth->CallConfirmationFunction("mail@example.com"), ErrorCode::kBadRequest);
  EXPECT_CODE(auth->CallResetFunction("mail@example.com", "password2", {}), ErrorCode::kBadRequest);
  EXPECT_TRUE(scripted_.calls().empty());
}

TEST_F(AuthFunctionsTest, ResetFunctionGetsDetailsThenArguments) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  scripted_.Answer("confirm", StatusAnswer("success"));
  ASSERT_OK(auth->Register("rae@example.com", "password1"));
  scripted_.Answer("reset", StatusAnswer("success"));
  ASSERT_OK(auth->CallResetFunction("Rae@example.com", "password2",
                                    doc::Array{doc::Value("a"), doc::Value(7)}));
  const doc::Array& args = scripted_.calls().back().arguments;
  ASSERT_EQ(args.size(), 3u);
  const doc::Document& d = args[0].as_document();
  EXPECT_EQ(doc::StringFieldOrEmpty(d, "username"), "rae@example.com");
  EXPECT_EQ(doc::StringFieldOrEmpty(d, "password"), "password2");
  EXPECT_EQ(doc::StringFieldOrEmpty(d, "token").size(), 64u);
  EXPECT_FALSE(doc::StringFieldOrEmpty(d, "tokenId").empty());
  EXPECT_EQ(args[1], doc::Value("a"));
  EXPECT_EQ(args[2], doc::Value(7));
  EXPECT_TRUE(CanLogIn(*auth, "rae@example.com", "password2"));
  EXPECT_FALSE(CanLogIn(*auth, "rae@example.com", "password1"));
  EXPECT_CODE(auth->ResetPassword(doc::StringFieldOrEmpty(d, "token"),
                                  doc::StringFieldOrEmpty(d, "tokenId"), "password3"),
              ErrorCode::kUserpassTokenInvalid);
}

TEST_F(AuthFunctionsTest, ResetFunctionPendingFailAndErrors) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  scripted_.Answer("confirm", StatusAnswer("success"));
  ASSERT_OK(auth->Register("rex@example.com", "password1"));

  scripted_.Answer("reset", StatusAnswer("pending"));
  ASSERT_OK(auth->CallResetFunction("rex@example.com", "password2", {}));
  EXPECT_TRUE(CanLogIn(*auth, "rex@example.com", "password1"));
  const doc::Document d = scripted_.LastDetails();
  ASSERT_OK(auth->ResetPassword(doc::StringFieldOrEmpty(d, "token"),
                                doc::StringFieldOrEmpty(d, "tokenId"), "password3"));
  EXPECT_TRUE(CanLogIn(*auth, "rex@example.com", "password3"));

  scripted_.Answer("reset", StatusAnswer("fail"));
  base::Status failed = auth->CallResetFunction("rex@example.com", "password4", {});
  EXPECT_EQ(failed.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(failed.message(), "failed to reset password for user \"rex@example.com\"");
  scripted_.Throw("reset", "no way");
  base::Status thrown = auth->CallResetFunction("rex@example.com", "password4", {});
  EXPECT_EQ(thrown.code(), ErrorCode::kFunctionExecutionError);
  EXPECT_EQ(thrown.message(), "no way");
  // The refused run's token does not work either.
  const doc::Document refused = scripted_.LastDetails();
  EXPECT_CODE(auth->ResetPassword(doc::StringFieldOrEmpty(refused, "token"),
                                  doc::StringFieldOrEmpty(refused, "tokenId"), "password5"),
              ErrorCode::kUserpassTokenInvalid);
  scripted_.Answer("reset", doc::Value(doc::Document{{"ok", true}}));
  EXPECT_CODE(auth->CallResetFunction("rex@example.com", "password4", {}),
              ErrorCode::kFunctionExecutionError);
  EXPECT_TRUE(CanLogIn(*auth, "rex@example.com", "password3"));

  const std::size_t calls = scripted_.calls().size();
  EXPECT_CODE(auth->CallResetFunction("nobody@example.com", "password4", {}),
              ErrorCode::kUserNotFound);
  EXPECT_CODE(auth->CallResetFunction("rex@example.com", "short", {}), ErrorCode::kBadRequest);
  EXPECT_EQ(scripted_.calls().size(), calls) << "no function call for a refused request";
}

TEST_F(AuthFunctionsTest, CustomFunctionLogsInByExternalId) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  EXPECT_TRUE(auth->NeedsWorker("custom-function"));
  scripted_.Define("authenticate", [](const doc::Array& args) -> base::Result<doc::Value> {
    const doc::Document& payload = args[0].as_document();
    if (payload.Has("name")) {
      return doc::Value(doc::Document{{"id", doc::StringFieldOrEmpty(payload, "user")},
                                      {"name", doc::StringFieldOrEmpty(payload, "name")}});
    }
    return doc::Value(doc::StringFieldOrEmpty(payload, "user"));
  });
  doc::Document body{{"user", "ext-1"},
                     {"pin", 42},
                     {"provider", "custom-function"},
                     {"options", doc::Document{{"device", doc::Document{}}}}};
  LoginResult first = MustLogin(*auth, "custom-function", body);
  // The function sees the payload without the keys the SDKs add.
  EXPECT_EQ(scripted_.calls().back().arguments,
            doc::Array{doc::Value(doc::Document{{"user", "ext-1"}, {"pin", 42}})});
  LoginResult again = MustLogin(*auth, "custom-function", doc::Document{{"user", "ext-1"}});
  EXPECT_EQ(again.user_id, first.user_id);

  LoginResult named =
      MustLogin(*auth, "custom-function", doc::Document{{"user", "ext-2"}, {"name", "Ada"}});
  EXPECT_NE(named.user_id, first.user_id);
  base::Result<Caller> caller = auth->Authenticate(named.access_token, TokenType::kAccess);
  ASSERT_OK(caller);
  doc::Document profile = auth->Profile(*caller);
  EXPECT_EQ(doc::ToRelaxedJson(*profile.Get("data")), R"({"name":"Ada"})");
  const doc::Document& identity = profile.Get("identities")->as_array()[0].as_document();
  EXPECT_EQ(doc::StringFieldOrEmpty(identity, "id"), "ext-2");
  EXPECT_EQ(doc::StringFieldOrEmpty(identity, "provider_type"), "custom-function");
}

TEST_F(AuthFunctionsTest, CustomFunctionRefusalsAndBadAnswers) {
  AuthService* auth = Start(HookApp());
  ASSERT_NE(auth, nullptr);
  scripted_.Throw("authenticate", "Error: who are you");
  base::Result<LoginResult> refused = auth->Login(Req("custom-function", doc::Document{}));
  EXPECT_CODE(refused, ErrorCode::kAuthFailed);
  EXPECT_EQ(refused.status().message(), "Error: who are you");

  // Timeouts and overload keep their codes.
  scripted_.Define("authenticate", [](const doc::Array&) -> base::Result<doc::Value> {
    return base::Status(ErrorCode::kExecutionTimeLimitExceeded, "took too long");
  });
  EXPECT_CODE(auth->Login(Req("custom-function", doc::Document{})),
              ErrorCode::kExecutionTimeLimitExceeded);

  const doc::Value bad[] = {
      doc::Value(),
      doc::Value(""),
      doc::Value(42),
      doc::Value(std::string(AuthService::kMaxExternalIdBytes + 1, 'x')),
      doc::Value(doc::Document{{"name", "no id"}}),
      doc::Value(doc::Document{{"id", 7}}),
      doc::Value(doc::Document{{"id", "x"}, {"name", 7}}),
      doc::Value(doc::Array{doc::Value("x")}),
  };
  for (const doc::Value& answer : bad) {
    SCOPED_TRACE(doc::ToRelaxedJson(doc::Document{{"answer", answer}}));
    scripted_.Answer("authenticate", answer);
    base::Result<LoginResult> r = auth->Login(Req("custom-function", doc::Document{}));
    EXPECT_CODE(r, ErrorCode::kFunctionExecutionError);
    EXPECT_THAT(r.status().message(), HasSubstr("'authenticate' must return"));
  }
  // The longest allowed id and a null name are fine.
  scripted_.Answer("authenticate", doc::Value(doc::Document{
                                       {"id", std::string(AuthService::kMaxExternalIdBytes, 'x')},
                                       {"name", doc::Value()}}));
  EXPECT_OK(auth->Login(Req("custom-function", doc::Document{})));
  base::Result<std::vector<User>> users = auth->ListUsers();
  ASSERT_OK(users);
  EXPECT_EQ(users->size(), 1u) << "no user for a refused login";
}

TEST_F(AuthFunctionsTest, CustomFunctionNewUserGoesThroughTheCreationFunction) {
  config::AppConfig app = HookApp();
  app.custom_user_data.enabled = true;
  app.custom_user_data.mongo_service_name = "mongodb-atlas";
  app.custom_user_data.database_name = "appdb";
  app.custom_user_data.collection_name = "custom";
  app.custom_user_data.user_id_field = "userId";
  app.custom_user_data.on_user_creation_function_name = "onCreate";
  AuthService* auth = Start(app);
  ASSERT_NE(auth, nullptr);
  scripted_.Answer("authenticate", doc::Value(doc::Document{{"id", "ext-9"}, {"name", "Bo"}}));
  scripted_.Throw("onCreate", "not today");
  // The shared new-user path: a failing creation function refuses the
  // login and leaves no user (DECISIONS 2).
  base::Result<LoginResult> refused = auth->Login(Req("custom-function", doc::Document{}));
  EXPECT_CODE(refused, ErrorCode::kFunctionExecutionError);
  ASSERT_OK(auth->ListUsers());
  EXPECT_TRUE(auth->ListUsers()->empty());

  scripted_.Answer("onCreate", doc::Value());
  LoginResult first = MustLogin(*auth, "custom-function", doc::Document{});
  const ScriptedFunctions::Call& created = scripted_.calls().back();
  EXPECT_EQ(created.name, "onCreate");
  const doc::Document& user = created.arguments[0].as_document();
  EXPECT_EQ(doc::StringFieldOrEmpty(user, "id"), first.user_id);
  EXPECT_EQ(doc::ToRelaxedJson(*user.Get("data")), R"({"name":"Bo"})");
  const std::size_t calls = scripted_.calls().size();
  EXPECT_EQ(MustLogin(*auth, "custom-function", doc::Document{}).user_id, first.user_id);
  EXPECT_EQ(scripted_.calls().size(), calls + 1) << "only the auth function runs again";
}

}  // namespace
}  // namespace plinth::auth
