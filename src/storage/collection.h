#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "storage/cursor.h"
#include "storage/options.h"

namespace plinth::storage {

// Collection is a named set of documents in one database of an Engine, with
// MongoDB's CRUD semantics (filters by matcher/, updates by update/,
// cross-type order by doc/compare.h). Natural order is insertion order and an
// update or replace never changes a document's place in it.
//
// Errors are Status values with MongoDB's code names (base/error_codes.inc):
// DuplicateKey naming the index and key, BadValue, FailedToParse,
// ImmutableField, ... A failed write changes nothing: a multi-document write
// (insertMany, updateMany, deleteMany) is all or nothing.
//
// A Collection handle is cheap and may be used from any thread; operations
// may run concurrently (readers see committed snapshots; writes serialize).
// Operating on a collection that does not exist yet reads as empty; the first
// write creates it (and its database).
class Collection {
 public:
  virtual ~Collection() = default;

  virtual const std::string& database() const = 0;
  virtual const std::string& name() const = 0;

  // Generates an ObjectId _id for documents without one; _id may not be an
  // array, regex or undefined (InvalidIdField).
  virtual base::Result<InsertResult> InsertOne(doc::Document document) = 0;
  virtual base::Result<InsertResult> InsertMany(std::vector<doc::Document> documents) = 0;

  virtual base::Result<std::unique_ptr<Cursor>> Find(const doc::Document& filter,
                                                     const FindOptions& options = {}) = 0;
  virtual base::Result<std::optional<doc::Document>> FindOne(const doc::Document& filter,
                                                             const FindOptions& options = {}) = 0;
  virtual base::Result<std::int64_t> CountDocuments(const doc::Document& filter,
                                                    const CountOptions& options = {}) = 0;
  // The number of documents from the collection's metadata, without a
  // filter (MongoDB's estimatedDocumentCount). Each engine documents how
  // exact it is; the SQLite engine's count is exact for its snapshot.
  virtual base::Result<std::int64_t> EstimatedDocumentCount() = 0;

  // The distinct values of the (dotted) `field` among the documents
  // `filter` matches. An array at the end of the path contributes each of
  // its elements (one level: an array inside it stays one value); missing
  // fields contribute nothing. Values are distinct by MongoDB's comparison
  // (Int32 1 and Double 1.0 are one value; the first met in natural order
  // is returned) and sorted by doc::Compare, the order an index-backed
  // distinct yields. BadValue for a bad field path or a result above 16 MiB.
  virtual base::Result<std::vector<doc::Value>> Distinct(const std::string& field,
                                                         const doc::Document& filter = {}) = 0;

  // `update` is an operator document ({$set: ...}); UpdateOne/UpdateMany
  // refuse a replacement (FailedToParse) and ReplaceOne refuses operators.
  virtual base::Result<UpdateResult> UpdateOne(const doc::Document& filter,
                                               const doc::Document& update,
                                               const UpdateOptions& options = {}) = 0;
  virtual base::Result<UpdateResult> UpdateMany(const doc::Document& filter,
                                                const doc::Document& update,
                                                const UpdateOptions& options = {}) = 0;
  virtual base::Result<UpdateResult> ReplaceOne(const doc::Document& filter,
                                                const doc::Document& replacement,
                                                const UpdateOptions& options = {}) = 0;

  // MongoDB 4.2+'s pipeline-style updates: `pipeline` holds $set/$addFields,
  // $unset, $project and $replaceRoot/$replaceWith stages
  // (update/update_pipeline.h); other stages are InvalidOptions. Upserts seed
  // the new document with the filter's equality fields, then run the stages.
  virtual base::Result<UpdateResult> UpdateOneWithPipeline(
      const doc::Document& filter, const std::vector<doc::Document>& pipeline,
      const UpdateOptions& options = {}) = 0;
  virtual base::Result<UpdateResult> UpdateManyWithPipeline(
      const doc::Document& filter, const std::vector<doc::Document>& pipeline,
      const UpdateOptions& options = {}) = 0;

  virtual base::Result<DeleteResult> DeleteOne(const doc::Document& filter) = 0;
  virtual base::Result<DeleteResult> DeleteMany(const doc::Document& filter) = 0;

  // The document before or after (options.return_new); nullopt when nothing
  // matched and nothing was upserted.
  virtual base::Result<std::optional<doc::Document>> FindOneAndUpdate(
      const doc::Document& filter, const doc::Document& update,
      const FindAndModifyOptions& options = {}) = 0;
  virtual base::Result<std::optional<doc::Document>> FindOneAndUpdateWithPipeline(
      const doc::Document& filter, const std::vector<doc::Document>& pipeline,
      const FindAndModifyOptions& options = {}) = 0;
  virtual base::Result<std::optional<doc::Document>> FindOneAndReplace(
      const doc::Document& filter, const doc::Document& replacement,
      const FindAndModifyOptions& options = {}) = 0;
  virtual base::Result<std::optional<doc::Document>> FindOneAndDelete(
      const doc::Document& filter, const FindAndModifyOptions& options = {}) = 0;

  // The stages of storage/aggregate.h (docs/query-language.md lists them);
  // any other stage is refused with a clear error. $lookup reads other
  // collections through options.foreign (default: this database).
  virtual base::Result<std::unique_ptr<Cursor>> Aggregate(
      const std::vector<doc::Document>& pipeline, const AggregateOptions& options = {}) = 0;

  // Returns the index name. Creating an identical index again is a no-op;
  // the same name with another key, or unique over existing duplicates, fails.
  virtual base::Result<std::string> CreateIndex(const IndexSpec& spec) = 0;
  // Every index, `_id_` first: {v, key, name, unique?, sparse?,
  // partialFilterExpression?} as MongoDB lists them.
  virtual base::Result<std::vector<doc::Document>> ListIndexes() = 0;
  // "_id_" cannot be dropped (IllegalOperation); unknown names: IndexNotFound.
  virtual base::Status DropIndex(const std::string& name) = 0;
};

}  // namespace plinth::storage
