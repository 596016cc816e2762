#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::auth {

// A user of one app and the identities it can log in with (client-api §5).
// Stored in the reserved database as one document per user (auth_records.h);
// these are the in-memory forms. Value types; thread-compatible.

// One way to log in as the user: an email/password account, an anonymous
// login, a custom JWT subject, ... `id` is unique per provider type.
struct Identity {
  std::string id;
  std::string provider_type;    // "local-userpass", "anon-user", ...
  std::string provider_id;      // stable id of the provider within the app
  doc::Document provider_data;  // {email} for local-userpass, {} otherwise
};

struct User {
  std::string id;                    // ObjectId hex
  std::string type = "normal";       // "normal" or "server"
  std::vector<Identity> identities;  // in link order
  doc::Document data;                // profile data: email, name, ...
  bool disabled = false;
  std::int64_t created_ms = 0;
  std::int64_t last_login_ms = 0;
};

// The stored form: {_id: ObjectId, type, identities, data, disabled,
// created: Date, last_login: Date}.
doc::Document UserToDocument(const User& user);
base::Result<User> UserFromDocument(const doc::Document& document);

// GET /auth/profile's body (client-api §5): user_id, domain_id, identities
// (id, provider_type, provider_id, provider_data), data, type.
doc::Document ProfileDocument(const User& user, std::string_view domain_id);

// The user object functions and rules see (`context.user`, app-config §3.1)
// without custom data: id, type, data, identities.
doc::Document UserObject(const User& user);

}  // namespace plinth::auth
