#include "auth/custom_data_lookup.h"

#include "auth/tokens.h"
#include "doc/limits.h"
#include "storage/app_namespace.h"
#include "storage/cursor.h"

namespace plinth::auth {

CustomDataLookup::CustomDataLookup(storage::Engine* engine, std::string app_id,
                                   config::CustomUserDataConfig config,
                                   config::CustomUserDataSettings settings, base::Logger* logger,
                                   const base::Clock* clock, std::chrono::milliseconds cache_ttl)
    : engine_(engine),
      app_id_(std::move(app_id)),
      config_(std::move(config)),
      settings_(settings),
      logger_(logger),
      clock_(clock),
      cache_ttl_(cache_ttl) {}

namespace {

// {<field>: {$in: [user_id, ObjectId(user_id)]}}: the id as a string or an ObjectId.
doc::Document UserFilter(const std::string& field, std::string_view user_id) {
  doc::Array ids;
  ids.Append(std::string(user_id));
  if (base::Result<doc::ObjectId> oid = doc::ObjectId::FromHex(user_id); oid.ok()) {
    ids.Append(*oid);
  }
  return doc::Document{{field, doc::Document{{"$in", std::move(ids)}}}};
}

}  // namespace

base::Status CustomDataLookup::EnsureIndex() const {
  if (!config_.enabled) return base::Status::Ok();
  storage::StoreNamespace ns =
      storage::AppNamespace(app_id_, config_.database_name, config_.collection_name);
  PLINTH_ASSIGN_OR_RETURN(auto coll, engine_->GetCollection(ns.database, ns.collection));
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> indexes, coll->ListIndexes());
  const doc::Document key{{config_.user_id_field, 1}};
  for (const doc::Document& index : indexes) {
    const doc::Value* k = index.Get("key");
    if (k != nullptr && k->is_document() && k->as_document().size() == 1 &&
        k->as_document().fields()[0].first == config_.user_id_field) {
      return base::Status::Ok();
    }
  }
  storage::IndexSpec spec;
  spec.key = key;
  return coll->CreateIndex(spec).status();
}

base::Status CustomDataLookup::DeleteForUser(storage::Engine& engine,
                                             std::string_view user_id) const {
  if (!config_.enabled || !settings_.delete_with_user) return base::Status::Ok();
  storage::StoreNamespace ns =
      storage::AppNamespace(app_id_, config_.database_name, config_.collection_name);
  PLINTH_ASSIGN_OR_RETURN(auto coll, engine.GetCollection(ns.database, ns.collection));
  return coll->DeleteMany(UserFilter(config_.user_id_field, user_id)).status();
}

base::Result<std::optional<doc::Document>> CustomDataLookup::Find(std::string_view user_id) const {
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const Found> found, FindShared(user_id));
  return found->document;
}

base::Result<std::shared_ptr<const CustomDataLookup::Found>> CustomDataLookup::FindShared(
    std::string_view user_id) const {
  static const std::shared_ptr<const Found> kNone = std::make_shared<const Found>();
  if (!config_.enabled) return kNone;
  // The version is read before the document, so a write that ends while
  // the document is read leaves the entry already out of date.
  // (Unpacked from the optional: GCC 12 at -O3 misreports it as
  // maybe-uninitialized.)
  const std::optional<std::uint64_t> engine_version =
      cache_ttl_.count() > 0 ? engine_->WriteVersion() : std::nullopt;
  const bool cacheable = engine_version.has_value();
  const std::uint64_t version = engine_version.value_or(0);
  const std::string key(user_id);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.write_version == version &&
        clock_->SteadyNow() < it->second.until) {
      return it->second.found;
    }
  }
  PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Document> document, Read(user_id));
  auto found = std::make_shared<Found>();
  if (document) {
    found->bson_size = static_cast<std::int64_t>(doc::BsonSize(*document));
    found->claim_json = UserDataClaimJson(*document);
    found->document = std::move(document);
  }
  std::shared_ptr<const Found> shared = std::move(found);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[key] = Cached{shared, version, clock_->SteadyNow() + cache_ttl_};
  }
  return shared;
}

base::Result<std::optional<doc::Document>> CustomDataLookup::Read(std::string_view user_id) const {
  storage::StoreNamespace ns =
      storage::AppNamespace(app_id_, config_.database_name, config_.collection_name);
  PLINTH_ASSIGN_OR_RETURN(auto coll, engine_->GetCollection(ns.database, ns.collection));
  doc::Document filter = UserFilter(config_.user_id_field, user_id);
  storage::FindOptions options;
  // A string match, if any, is among the first two documents only when it
  // comes first; read a few so the string-typed one can win.
  options.limit = 16;
  PLINTH_ASSIGN_OR_RETURN(auto cursor, coll->Find(filter, options));
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> docs, storage::ReadAll(cursor.get()));
  if (docs.empty()) return std::optional<doc::Document>();
  const doc::Document* chosen = &docs.front();
  for (const doc::Document& d : docs) {
    const doc::Value* v = d.Get(config_.user_id_field);
    if (v != nullptr && v->is_string()) {
      chosen = &d;
      break;
    }
  }
  return std::optional<doc::Document>(*chosen);
}

base::Result<std::vector<CustomDataLookup::LargeDocument>> CustomDataLookup::LargerThan(
    std::int64_t bytes) const {
  std::vector<LargeDocument> out;
  if (!config_.enabled) return out;
  storage::StoreNamespace ns =
      storage::AppNamespace(app_id_, config_.database_name, config_.collection_name);
  PLINTH_ASSIGN_OR_RETURN(auto coll, engine_->GetCollection(ns.database, ns.collection));
  PLINTH_ASSIGN_OR_RETURN(auto cursor, coll->Find(doc::Document{}, storage::FindOptions{}));
  std::vector<doc::Document> batch;
  for (;;) {
    batch.clear();
    PLINTH_ASSIGN_OR_RETURN(bool more, cursor->NextBatch(&batch));
    if (!more) break;
    for (const doc::Document& d : batch) {
      const auto size = static_cast<std::int64_t>(doc::BsonSize(d));
      if (size <= bytes) continue;
      const doc::Value* id = d.Get(config_.user_id_field);
      std::string text;
      if (id != nullptr && id->is_string()) text = id->as_string();
      if (id != nullptr && id->type() == doc::Type::kObjectId) text = id->as_object_id().ToHex();
      out.push_back(LargeDocument{std::move(text), size});
    }
  }
  return out;
}

}  // namespace plinth::auth
