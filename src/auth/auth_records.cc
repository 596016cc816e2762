#include "auth/auth_records.h"

#include "base/error_code.h"

namespace plinth::auth {
namespace {

using doc::Document;
using doc::Value;

// A user or key id as stored: an ObjectId when the text is one. Ids that
// are not 24-hex never match anything (they were never issued).
Value IdValue(std::string_view hex) {
  base::Result<doc::ObjectId> oid = doc::ObjectId::FromHex(hex);
  if (oid.ok()) return *oid;
  return std::string(hex);
}

std::string IdText(const Value* v) {
  if (v == nullptr) return "";
  if (v->type() == doc::Type::kObjectId) return v->as_object_id().ToHex();
  if (v->is_string()) return v->as_string();
  return "";
}

bool BoolField(const Document& d, std::string_view name) {
  const Value* v = d.Get(name);
  return v != nullptr && v->is_bool() && v->as_bool();
}

std::int64_t DateField(const Document& d, std::string_view name) {
  const Value* v = d.Get(name);
  return v != nullptr && v->type() == doc::Type::kDate ? v->as_date().millis : 0;
}

std::string IdentityKey(std::string_view provider_type, std::string_view identity_id) {
  std::string key(provider_type);
  key += '|';
  key += identity_id;
  return key;
}

AuthRecords::Session SessionFrom(const Document& d) {
  AuthRecords::Session s;
  s.hash = IdText(d.Get("_id"));
  s.user_id = doc::StringFieldOrEmpty(d, "user_id");
  s.device_id = doc::StringFieldOrEmpty(d, "device_id");
  s.created_ms = DateField(d, "created");
  s.expires_ms = DateField(d, "expires");
  return s;
}

AuthRecords::Account AccountFrom(const Document& d) {
  AuthRecords::Account a;
  a.id = IdText(d.Get("_id"));
  a.email = doc::StringFieldOrEmpty(d, "email");
  a.password_hash = doc::StringFieldOrEmpty(d, "password_hash");
  a.confirmed = BoolField(d, "confirmed");
  a.user_id = doc::StringFieldOrEmpty(d, "user_id");
  return a;
}

AuthRecords::ApiKey ApiKeyFrom(const Document& d) {
  AuthRecords::ApiKey k;
  k.id = IdText(d.Get("_id"));
  k.user_id = doc::StringFieldOrEmpty(d, "user_id");
  k.name = doc::StringFieldOrEmpty(d, "name");
  k.key_hash = doc::StringFieldOrEmpty(d, "key_hash");
  k.disabled = BoolField(d, "disabled");
  return k;
}

template <typename T, typename F>
base::Result<std::vector<T>> FindAll(storage::Collection& coll, const Document& filter, F convert) {
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Cursor> cursor, coll.Find(filter));
  PLINTH_ASSIGN_OR_RETURN(std::vector<Document> docs, storage::ReadAll(cursor.get()));
  std::vector<T> out;
  out.reserve(docs.size());
  for (const Document& d : docs) {
    PLINTH_ASSIGN_OR_RETURN(T item, convert(d));
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

AuthRecords::AuthRecords(std::string app_id) : app_id_(std::move(app_id)) {}

base::Result<std::shared_ptr<storage::Collection>> AuthRecords::Get(storage::Engine& engine,
                                                                    std::string_view kind) const {
  std::string name = app_id_;
  name += '.';
  name += kind;
  return engine.GetCollection(std::string(kDatabase), name);
}

base::Status AuthRecords::EnsureIndexes(storage::Engine& engine) const {
  struct Spec {
    std::string_view kind;
    const char* name;
    Document key;
    bool unique;
  };
  const Spec specs[] = {
      {"userpass", "email_1", Document{{"email", 1}}, true},
      {"sessions", "user_id_1", Document{{"user_id", 1}}, false},
      {"identities", "user_id_1", Document{{"user_id", 1}}, false},
      {"api_keys", "key_hash_1", Document{{"key_hash", 1}}, true},
      {"api_keys", "user_id_1_name_1", Document{{"user_id", 1}, {"name", 1}}, true},
  };
  for (const Spec& spec : specs) {
    PLINTH_ASSIGN_OR_RETURN(auto coll, Get(engine, spec.kind));
    storage::IndexSpec index;
    index.name = spec.name;
    index.key = spec.key;
    index.unique = spec.unique;
    PLINTH_RETURN_IF_ERROR(coll->CreateIndex(index).status());
  }
  return base::Status::Ok();
}

// Users -----------------------------------------------------------------

base::Result<std::optional<User>> AuthRecords::FindUser(storage::Engine& engine,
                                                        std::string_view user_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  PLINTH_ASSIGN_OR_RETURN(std::optional<Document> found,
                          users->FindOne(Document{{"_id", IdValue(user_id)}}));
  if (!found) return std::optional<User>();
  PLINTH_ASSIGN_OR_RETURN(User user, UserFromDocument(*found));
  return std::optional<User>(std::move(user));
}

base::Result<std::vector<User>> AuthRecords::ListUsers(storage::Engine& engine) const {
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  return FindAll<User>(*users, Document{}, UserFromDocument);
}

base::Result<std::optional<std::string>> AuthRecords::FindUserIdByIdentity(
    storage::Engine& engine, std::string_view provider_type, std::string_view identity_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto identities, Get(engine, "identities"));
  PLINTH_ASSIGN_OR_RETURN(
      std::optional<Document> found,
      identities->FindOne(Document{{"_id", IdentityKey(provider_type, identity_id)}}));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(doc::StringFieldOrEmpty(*found, "user_id"));
}

base::Status AuthRecords::InsertUser(storage::Engine& engine, const User& user) const {
  PLINTH_ASSIGN_OR_RETURN(auto identities, Get(engine, "identities"));
  for (const Identity& identity : user.identities) {
    base::Status s =
        identities
            ->InsertOne(Document{{"_id", IdentityKey(identity.provider_type, identity.id)},
                                 {"user_id", user.id}})
            .status();
    if (s.code() == base::ErrorCode::kDuplicateKey) {
      return {base::ErrorCode::kIdentityAlreadyLinked, "identity already linked to another user"};
    }
    PLINTH_RETURN_IF_ERROR(s);
  }
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  return users->InsertOne(UserToDocument(user)).status();
}

base::Status AuthRecords::AddIdentity(storage::Engine& engine, std::string_view user_id,
                                      const Identity& identity) const {
  PLINTH_ASSIGN_OR_RETURN(auto identities, Get(engine, "identities"));
  base::Status s =
      identities
          ->InsertOne(Document{{"_id", IdentityKey(identity.provider_type, identity.id)},
                               {"user_id", std::string(user_id)}})
          .status();
  if (s.code() == base::ErrorCode::kDuplicateKey) {
    return {base::ErrorCode::kIdentityAlreadyLinked, "identity already linked to another user"};
  }
  PLINTH_RETURN_IF_ERROR(s);
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  Document entry{{"id", identity.id},
                 {"provider_type", identity.provider_type},
                 {"provider_id", identity.provider_id},
                 {"provider_data", identity.provider_data}};
  PLINTH_ASSIGN_OR_RETURN(
      storage::UpdateResult r,
      users->UpdateOne(Document{{"_id", IdValue(user_id)}},
                       Document{{"$push", Document{{"identities", std::move(entry)}}}}));
  if (r.matched == 0) return {base::ErrorCode::kUserNotFound, "user not found"};
  return base::Status::Ok();
}

base::Status AuthRecords::AddMissingUserData(storage::Engine& engine, std::string_view user_id,
                                             const doc::Document& data) const {
  PLINTH_ASSIGN_OR_RETURN(std::optional<User> user, FindUser(engine, user_id));
  if (!user) return {base::ErrorCode::kUserNotFound, "user not found"};
  Document set;
  for (const auto& [name, value] : data) {
    if (!user->data.Has(name)) set.Append("data." + name, value);
  }
  if (set.empty()) return base::Status::Ok();
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  return users->UpdateOne(Document{{"_id", IdValue(user_id)}}, Document{{"$set", std::move(set)}})
      .status();
}

base::Status AuthRecords::SetDisabled(storage::Engine& engine, std::string_view user_id,
                                      bool disabled) const {
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  PLINTH_ASSIGN_OR_RETURN(storage::UpdateResult r,
                          users->UpdateOne(Document{{"_id", IdValue(user_id)}},
                                           Document{{"$set", Document{{"disabled", disabled}}}}));
  if (r.matched == 0) return {base::ErrorCode::kUserNotFound, "user not found"};
  return base::Status::Ok();
}

base::Status AuthRecords::SetLastLogin(storage::Engine& engine, std::string_view user_id,
                                       std::int64_t millis) const {
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  return users
      ->UpdateOne(Document{{"_id", IdValue(user_id)}},
                  Document{{"$set", Document{{"last_login", doc::DateTime{millis}}}}})
      .status();
}

base::Result<bool> AuthRecords::DeleteUser(storage::Engine& engine,
                                           std::string_view user_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto users, Get(engine, "users"));
  PLINTH_ASSIGN_OR_RETURN(storage::DeleteResult r,
                          users->DeleteOne(Document{{"_id", IdValue(user_id)}}));
  if (r.deleted == 0) return false;
  const Document by_user{{"user_id", std::string(user_id)}};
  for (std::string_view kind : {"identities", "sessions", "api_keys", "userpass"}) {
    PLINTH_ASSIGN_OR_RETURN(auto coll, Get(engine, kind));
    PLINTH_RETURN_IF_ERROR(coll->DeleteMany(by_user).status());
  }
  return true;
}

// Sessions --------------------------------------------------------------

base::Status AuthRecords::InsertSession(storage::Engine& engine, const Session& s) const {
  PLINTH_ASSIGN_OR_RETURN(auto sessions, Get(engine, "sessions"));
  return sessions
      ->InsertOne(Document{{"_id", s.hash},
                           {"user_id", s.user_id},
                           {"device_id", s.device_id},
                           {"created", doc::DateTime{s.created_ms}},
                           {"expires", doc::DateTime{s.expires_ms}}})
      .status();
}

base::Result<std::optional<AuthRecords::Session>> AuthRecords::FindSession(
    storage::Engine& engine, std::string_view hash) const {
  PLINTH_ASSIGN_OR_RETURN(auto sessions, Get(engine, "sessions"));
  PLINTH_ASSIGN_OR_RETURN(std::optional<Document> found,
                          sessions->FindOne(Document{{"_id", std::string(hash)}}));
  if (!found) return std::optional<Session>();
  return std::optional<Session>(SessionFrom(*found));
}

base::Result<std::int64_t> AuthRecords::DeleteSession(storage::Engine& engine,
                                                      std::string_view hash) const {
  PLINTH_ASSIGN_OR_RETURN(auto sessions, Get(engine, "sessions"));
  PLINTH_ASSIGN_OR_RETURN(storage::DeleteResult r,
                          sessions->DeleteOne(Document{{"_id", std::string(hash)}}));
  return r.deleted;
}

base::Result<std::int64_t> AuthRecords::DeleteUserSessions(storage::Engine& engine,
                                                           std::string_view user_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto sessions, Get(engine, "sessions"));
  PLINTH_ASSIGN_OR_RETURN(storage::DeleteResult r,
                          sessions->DeleteMany(Document{{"user_id", std::string(user_id)}}));
  return r.deleted;
}

// Email/password accounts -------------------------------------------------

base::Result<std::optional<AuthRecords::Account>> AuthRecords::FindAccountByEmail(
    storage::Engine& engine, std::string_view email) const {
  PLINTH_ASSIGN_OR_RETURN(auto accounts, Get(engine, "userpass"));
  PLINTH_ASSIGN_OR_RETURN(std::optional<Document> found,
                          accounts->FindOne(Document{{"email", std::string(email)}}));
  if (!found) return std::optional<Account>();
  return std::optional<Account>(AccountFrom(*found));
}

base::Status AuthRecords::InsertAccount(storage::Engine& engine, const Account& a) const {
  PLINTH_ASSIGN_OR_RETURN(auto accounts, Get(engine, "userpass"));
  Document d{{"_id", IdValue(a.id)},
             {"email", a.email},
             {"password_hash", a.password_hash},
             {"confirmed", a.confirmed}};
  if (!a.user_id.empty()) d.Append("user_id", a.user_id);
  base::Status s = accounts->InsertOne(std::move(d)).status();
  if (s.code() == base::ErrorCode::kDuplicateKey) {
    return {base::ErrorCode::kAccountNameInUse, "name already in use"};
  }
  return s;
}

base::Result<bool> AuthRecords::DeleteAccount(storage::Engine& engine,
                                              std::string_view account_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto accounts, Get(engine, "userpass"));
  PLINTH_ASSIGN_OR_RETURN(storage::DeleteResult r,
                          accounts->DeleteOne(Document{{"_id", IdValue(account_id)}}));
  return r.deleted > 0;
}

namespace {

base::Status SetAccountField(storage::Collection& accounts, std::string_view account_id,
                             Document set) {
  PLINTH_ASSIGN_OR_RETURN(storage::UpdateResult r,
                          accounts.UpdateOne(Document{{"_id", IdValue(account_id)}},
                                             Document{{"$set", std::move(set)}}));
  if (r.matched == 0) return {base::ErrorCode::kUserNotFound, "user not found"};
  return base::Status::Ok();
}

}  // namespace

base::Status AuthRecords::SetAccountConfirmed(storage::Engine& engine,
                                              std::string_view account_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto accounts, Get(engine, "userpass"));
  return SetAccountField(*accounts, account_id, Document{{"confirmed", true}});
}

base::Status AuthRecords::SetAccountUser(storage::Engine& engine, std::string_view account_id,
                                         std::string_view user_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto accounts, Get(engine, "userpass"));
  return SetAccountField(*accounts, account_id, Document{{"user_id", std::string(user_id)}});
}

base::Status AuthRecords::SetAccountPassword(storage::Engine& engine, std::string_view account_id,
                                             std::string_view password_hash) const {
  PLINTH_ASSIGN_OR_RETURN(auto accounts, Get(engine, "userpass"));
  return SetAccountField(*accounts, account_id,
                         Document{{"password_hash", std::string(password_hash)}});
}

// API keys ----------------------------------------------------------------

base::Status AuthRecords::InsertApiKey(storage::Engine& engine, const ApiKey& k) const {
  PLINTH_ASSIGN_OR_RETURN(auto keys, Get(engine, "api_keys"));
  base::Status s = keys->InsertOne(Document{{"_id", IdValue(k.id)},
                                            {"user_id", k.user_id},
                                            {"name", k.name},
                                            {"key_hash", k.key_hash},
                                            {"disabled", k.disabled}})
                       .status();
  if (s.code() == base::ErrorCode::kDuplicateKey) {
    return {base::ErrorCode::kApiKeyAlreadyExists, "API key with that name already exists"};
  }
  return s;
}

base::Result<std::vector<AuthRecords::ApiKey>> AuthRecords::ListApiKeys(
    storage::Engine& engine, std::string_view user_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto keys, Get(engine, "api_keys"));
  return FindAll<ApiKey>(*keys, Document{{"user_id", std::string(user_id)}},
                         [](const Document& d) { return base::Result<ApiKey>(ApiKeyFrom(d)); });
}

base::Result<std::optional<AuthRecords::ApiKey>> AuthRecords::FindApiKeyByHash(
    storage::Engine& engine, std::string_view key_hash) const {
  PLINTH_ASSIGN_OR_RETURN(auto keys, Get(engine, "api_keys"));
  PLINTH_ASSIGN_OR_RETURN(std::optional<Document> found,
                          keys->FindOne(Document{{"key_hash", std::string(key_hash)}}));
  if (!found) return std::optional<ApiKey>();
  return std::optional<ApiKey>(ApiKeyFrom(*found));
}

base::Result<std::optional<AuthRecords::ApiKey>> AuthRecords::FindApiKey(
    storage::Engine& engine, std::string_view user_id, std::string_view key_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto keys, Get(engine, "api_keys"));
  PLINTH_ASSIGN_OR_RETURN(
      std::optional<Document> found,
      keys->FindOne(Document{{"_id", IdValue(key_id)}, {"user_id", std::string(user_id)}}));
  if (!found) return std::optional<ApiKey>();
  return std::optional<ApiKey>(ApiKeyFrom(*found));
}

base::Result<bool> AuthRecords::SetApiKeyDisabled(storage::Engine& engine, std::string_view user_id,
                                                  std::string_view key_id, bool disabled) const {
  PLINTH_ASSIGN_OR_RETURN(auto keys, Get(engine, "api_keys"));
  PLINTH_ASSIGN_OR_RETURN(
      storage::UpdateResult r,
      keys->UpdateOne(Document{{"_id", IdValue(key_id)}, {"user_id", std::string(user_id)}},
                      Document{{"$set", Document{{"disabled", disabled}}}}));
  return r.matched > 0;
}

base::Result<bool> AuthRecords::DeleteApiKey(storage::Engine& engine, std::string_view user_id,
                                             std::string_view key_id) const {
  PLINTH_ASSIGN_OR_RETURN(auto keys, Get(engine, "api_keys"));
  PLINTH_ASSIGN_OR_RETURN(
      storage::DeleteResult r,
      keys->DeleteOne(Document{{"_id", IdValue(key_id)}, {"user_id", std::string(user_id)}}));
  return r.deleted > 0;
}

// Mail tokens ---------------------------------------------------------------

base::Status AuthRecords::InsertMailToken(storage::Engine& engine, const MailToken& t) const {
  PLINTH_ASSIGN_OR_RETURN(auto tokens, Get(engine, "tokens"));
  return tokens
      ->InsertOne(Document{{"_id", t.id},
                           {"kind", t.kind},
                           {"email", t.email},
                           {"token_hash", t.token_hash},
                           {"expires", doc::DateTime{t.expires_ms}}})
      .status();
}

base::Result<std::optional<AuthRecords::MailToken>> AuthRecords::FindMailToken(
    storage::Engine& engine, std::string_view id) const {
  PLINTH_ASSIGN_OR_RETURN(auto tokens, Get(engine, "tokens"));
  PLINTH_ASSIGN_OR_RETURN(std::optional<Document> found,
                          tokens->FindOne(Document{{"_id", std::string(id)}}));
  if (!found) return std::optional<MailToken>();
  MailToken t;
  t.id = IdText(found->Get("_id"));
  t.kind = doc::StringFieldOrEmpty(*found, "kind");
  t.email = doc::StringFieldOrEmpty(*found, "email");
  t.token_hash = doc::StringFieldOrEmpty(*found, "token_hash");
  t.expires_ms = DateField(*found, "expires");
  return std::optional<MailToken>(std::move(t));
}

base::Result<bool> AuthRecords::DeleteMailToken(storage::Engine& engine,
                                                std::string_view id) const {
  PLINTH_ASSIGN_OR_RETURN(auto tokens, Get(engine, "tokens"));
  PLINTH_ASSIGN_OR_RETURN(storage::DeleteResult r,
                          tokens->DeleteOne(Document{{"_id", std::string(id)}}));
  return r.deleted > 0;
}

}  // namespace plinth::auth
