#include "auth/user.h"

namespace plinth::auth {
namespace {

doc::Array IdentitiesArray(const User& user, bool with_provider_id) {
  doc::Array out;
  for (const Identity& identity : user.identities) {
    doc::Document d{{"id", identity.id}, {"provider_type", identity.provider_type}};
    if (with_provider_id) d.Append("provider_id", identity.provider_id);
    d.Append("provider_data", identity.provider_data);
    out.Append(std::move(d));
  }
  return out;
}

base::Status Corrupt(std::string what) {
  return base::Internal("stored user record is malformed: " + std::move(what));
}

}  // namespace

doc::Document UserToDocument(const User& user) {
  doc::Document d;
  base::Result<doc::ObjectId> oid = doc::ObjectId::FromHex(user.id);
  if (oid.ok()) {
    d.Append("_id", *oid);
  } else {
    d.Append("_id", user.id);
  }
  d.Append("type", user.type);
  d.Append("identities", IdentitiesArray(user, true));
  d.Append("data", user.data);
  d.Append("disabled", user.disabled);
  d.Append("created", doc::DateTime{user.created_ms});
  d.Append("last_login", doc::DateTime{user.last_login_ms});
  return d;
}

base::Result<User> UserFromDocument(const doc::Document& d) {
  User user;
  const doc::Value* id = d.Get("_id");
  if (id == nullptr) return Corrupt("no _id");
  if (id->type() == doc::Type::kObjectId) {
    user.id = id->as_object_id().ToHex();
  } else if (id->is_string()) {
    user.id = id->as_string();
  } else {
    return Corrupt("_id type");
  }
  if (const doc::Value* v = d.Get("type"); v != nullptr && v->is_string())
    user.type = v->as_string();
  if (const doc::Value* v = d.Get("identities"); v != nullptr && v->is_array()) {
    for (const doc::Value& item : v->as_array()) {
      if (!item.is_document()) return Corrupt("identity");
      const doc::Document& idoc = item.as_document();
      Identity identity;
      const doc::Value* iid = idoc.Get("id");
      const doc::Value* ptype = idoc.Get("provider_type");
      if (iid == nullptr || !iid->is_string() || ptype == nullptr || !ptype->is_string()) {
        return Corrupt("identity fields");
      }
      identity.id = iid->as_string();
      identity.provider_type = ptype->as_string();
      if (const doc::Value* p = idoc.Get("provider_id"); p != nullptr && p->is_string()) {
        identity.provider_id = p->as_string();
      }
      if (const doc::Value* p = idoc.Get("provider_data"); p != nullptr && p->is_document()) {
        identity.provider_data = p->as_document();
      }
      user.identities.push_back(std::move(identity));
    }
  }
  if (const doc::Value* v = d.Get("data"); v != nullptr && v->is_document()) {
    user.data = v->as_document();
  }
  if (const doc::Value* v = d.Get("disabled"); v != nullptr && v->is_bool()) {
    user.disabled = v->as_bool();
  }
  if (const doc::Value* v = d.Get("created"); v != nullptr && v->type() == doc::Type::kDate) {
    user.created_ms = v->as_date().millis;
  }
  if (const doc::Value* v = d.Get("last_login"); v != nullptr && v->type() == doc::Type::kDate) {
    user.last_login_ms = v->as_date().millis;
  }
  return user;
}

doc::Document ProfileDocument(const User& user, std::string_view domain_id) {
  return doc::Document{{"user_id", user.id},
                       {"domain_id", std::string(domain_id)},
                       {"identities", IdentitiesArray(user, true)},
                       {"data", user.data},
                       {"type", user.type}};
}

doc::Document UserObject(const User& user) {
  return doc::Document{{"id", user.id},
                       {"type", user.type},
                       {"data", user.data},
                       {"identities", IdentitiesArray(user, false)}};
}

}  // namespace plinth::auth
