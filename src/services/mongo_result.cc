#include "services/mongo_result.h"

#include <limits>
#include <memory>
#include <utility>

#include "storage/cursor.h"

namespace plinth::services {
namespace {

using base::ErrorCode;
using base::Status;

std::int32_t ClampToInt32(std::int64_t n) {
  if (n > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
  if (n < 0) return 0;
  return static_cast<std::int32_t>(n);
}

doc::Array ToArray(const std::vector<doc::Document>& documents) {
  doc::Array array;
  array.mutable_values().reserve(documents.size());
  for (const doc::Document& d : documents) array.Append(d);
  return array;
}

base::Result<doc::Value> FindAll(storage::Collection& collection, const MongoRequest& req) {
  storage::FindOptions options;
  options.projection = req.projection;
  options.sort = req.sort;
  options.limit = req.limit;
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Cursor> cursor,
                          collection.Find(req.filter, options));
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> documents, storage::ReadAll(cursor.get()));
  return EncodeDocuments(documents);
}

storage::FindAndModifyOptions FindAndModifyOptionsOf(const MongoRequest& req) {
  storage::FindAndModifyOptions options;
  options.sort = req.sort;
  options.projection = req.projection;
  options.upsert = req.upsert;
  options.return_new = req.return_new;
  options.array_filters = req.array_filters;
  return options;
}

// updateMany with a replacement: MongoDB has no multi-document replace, so
// each matched document is replaced by _id; with nothing matched, an upsert
// inserts the replacement as ReplaceOne would.
base::Result<storage::UpdateResult> ReplaceMany(storage::Collection& collection,
                                                const MongoRequest& req) {
  storage::FindOptions find_options;
  find_options.projection = doc::Document{{"_id", doc::Value(std::int32_t{1})}};
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Cursor> cursor,
                          collection.Find(req.filter, find_options));
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> matched, storage::ReadAll(cursor.get()));
  storage::UpdateOptions options;
  options.upsert = req.upsert;
  if (matched.empty()) return collection.ReplaceOne(req.filter, req.update, options);
  storage::UpdateResult total;
  for (const doc::Document& d : matched) {
    const doc::Value* id = d.Get("_id");
    if (id == nullptr) continue;
    // Match on the original filter too, so a document changed meanwhile so
    // that it no longer matches is left alone.
    doc::Document by_id{{"$and", doc::Value(doc::Array{doc::Value(doc::Document{{"_id", *id}}),
                                                       doc::Value(req.filter)})}};
    PLINTH_ASSIGN_OR_RETURN(storage::UpdateResult one,
                            collection.ReplaceOne(by_id, req.update, storage::UpdateOptions{}));
    total.matched += one.matched;
    total.modified += one.modified;
  }
  return total;
}

}  // namespace

doc::Value EncodeDocuments(const std::vector<doc::Document>& documents) {
  return doc::Value(ToArray(documents));
}

doc::Value EncodeOptionalDocument(const std::optional<doc::Document>& document) {
  if (!document) return doc::Value();
  return doc::Value(*document);
}

doc::Value EncodeCount(std::int64_t count) { return doc::Value(count); }

doc::Value EncodeInsertOneResult(const storage::InsertResult& result) {
  doc::Value id = result.inserted_ids.empty() ? doc::Value() : result.inserted_ids.front();
  return doc::Value(doc::Document{{"insertedId", std::move(id)}});
}

doc::Value EncodeInsertManyResult(const storage::InsertResult& result) {
  doc::Array ids;
  for (const doc::Value& id : result.inserted_ids) ids.Append(id);
  return doc::Value(doc::Document{{"insertedIds", doc::Value(std::move(ids))}});
}

doc::Value EncodeUpdateResult(const storage::UpdateResult& result) {
  doc::Document out{{"matchedCount", doc::Value(ClampToInt32(result.matched))},
                    {"modifiedCount", doc::Value(ClampToInt32(result.modified))}};
  if (result.upserted_id) out.Append("upsertedId", *result.upserted_id);
  return doc::Value(std::move(out));
}

doc::Value EncodeDeleteResult(const storage::DeleteResult& result) {
  return doc::Value(doc::Document{{"deletedCount", doc::Value(ClampToInt32(result.deleted))}});
}

base::Result<doc::Value> Execute(storage::Collection& collection, const MongoRequest& req,
                                 storage::pipeline::ForeignSource* foreign) {
  switch (req.action) {
    case MongoAction::kFind:
      return FindAll(collection, req);
    case MongoAction::kFindOne: {
      storage::FindOptions options;
      options.projection = req.projection;
      options.sort = req.sort;
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Document> found,
                              collection.FindOne(req.filter, options));
      return EncodeOptionalDocument(found);
    }
    case MongoAction::kDistinct: {
      PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Value> values,
                              collection.Distinct(req.distinct_field, req.filter));
      doc::Array out;
      out.mutable_values() = std::move(values);
      return doc::Value(std::move(out));
    }
    case MongoAction::kCount: {
      storage::CountOptions options;
      options.limit = req.limit < 0 ? -req.limit : req.limit;
      PLINTH_ASSIGN_OR_RETURN(std::int64_t n, collection.CountDocuments(req.filter, options));
      return EncodeCount(n);
    }
    case MongoAction::kAggregate: {
      PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Cursor> cursor,
                              collection.Aggregate(req.pipeline, {foreign}));
      PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> documents, storage::ReadAll(cursor.get()));
      return EncodeDocuments(documents);
    }
    case MongoAction::kInsertOne: {
      if (req.documents.size() != 1) {
        return Status(ErrorCode::kMissingParameter, "argument 'document' is required");
      }
      PLINTH_ASSIGN_OR_RETURN(storage::InsertResult result,
                              collection.InsertOne(req.documents.front()));
      return EncodeInsertOneResult(result);
    }
    case MongoAction::kInsertMany: {
      PLINTH_ASSIGN_OR_RETURN(storage::InsertResult result, collection.InsertMany(req.documents));
      return EncodeInsertManyResult(result);
    }
    case MongoAction::kUpdateOne:
    case MongoAction::kUpdateMany: {
      storage::UpdateOptions options;
      options.upsert = req.upsert;
      options.array_filters = req.array_filters;
      base::Result<storage::UpdateResult> result =
          req.update_is_pipeline
              ? (req.action == MongoAction::kUpdateOne
                     ? collection.UpdateOneWithPipeline(req.filter, req.update_pipeline, options)
                     : collection.UpdateManyWithPipeline(req.filter, req.update_pipeline, options))
          : !req.update_is_replacement
              ? (req.action == MongoAction::kUpdateOne
                     ? collection.UpdateOne(req.filter, req.update, options)
                     : collection.UpdateMany(req.filter, req.update, options))
              : (req.action == MongoAction::kUpdateOne
                     ? collection.ReplaceOne(req.filter, req.update, options)
                     : ReplaceMany(collection, req));
      if (!result.ok()) return result.status();
      return EncodeUpdateResult(*result);
    }
    case MongoAction::kDeleteOne:
    case MongoAction::kDeleteMany: {
      base::Result<storage::DeleteResult> result = req.action == MongoAction::kDeleteOne
                                                       ? collection.DeleteOne(req.filter)
                                                       : collection.DeleteMany(req.filter);
      if (!result.ok()) return result.status();
      return EncodeDeleteResult(*result);
    }
    case MongoAction::kFindOneAndUpdate: {
      PLINTH_ASSIGN_OR_RETURN(
          std::optional<doc::Document> found,
          req.update_is_pipeline
              ? collection.FindOneAndUpdateWithPipeline(req.filter, req.update_pipeline,
                                                        FindAndModifyOptionsOf(req))
              : collection.FindOneAndUpdate(req.filter, req.update, FindAndModifyOptionsOf(req)));
      return EncodeOptionalDocument(found);
    }
    case MongoAction::kFindOneAndReplace: {
      PLINTH_ASSIGN_OR_RETURN(
          std::optional<doc::Document> found,
          collection.FindOneAndReplace(req.filter, req.update, FindAndModifyOptionsOf(req)));
      return EncodeOptionalDocument(found);
    }
    case MongoAction::kFindOneAndDelete: {
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Document> found,
                              collection.FindOneAndDelete(req.filter, FindAndModifyOptionsOf(req)));
      return EncodeOptionalDocument(found);
    }
  }
  return Status(ErrorCode::kInternal, "unhandled MongoDB service action");
}

}  // namespace plinth::services
