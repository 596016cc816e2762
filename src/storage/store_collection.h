#pragma once

#include <functional>
#include <string>

#include "storage/collection.h"
#include "storage/operations.h"
#include "storage/record_store.h"

namespace plinth::storage {

// A Collection whose CRUD operations run operations.h over a RecordStore
// that a subclass provides per operation: WithRead for finds, counts and
// aggregates, WithWrite (one all-or-nothing unit) for writes. Subclasses add
// the index methods. Requests are parsed before any store is opened.
// Thread-safety is the subclass's (WithRead/WithWrite decide it).
class StoreCollection : public Collection {
 public:
  StoreCollection(std::string database, std::string name)
      : database_(std::move(database)), name_(std::move(name)) {}

  const std::string& database() const override { return database_; }
  const std::string& name() const override { return name_; }

  base::Result<InsertResult> InsertOne(doc::Document document) override;
  base::Result<InsertResult> InsertMany(std::vector<doc::Document> documents) override;
  base::Result<std::unique_ptr<Cursor>> Find(const doc::Document& filter,
                                             const FindOptions& options) override;
  base::Result<std::optional<doc::Document>> FindOne(const doc::Document& filter,
                                                     const FindOptions& options) override;
  base::Result<std::int64_t> CountDocuments(const doc::Document& filter,
                                            const CountOptions& options) override;
  base::Result<std::int64_t> EstimatedDocumentCount() override;
  base::Result<std::vector<doc::Value>> Distinct(const std::string& field,
                                                 const doc::Document& filter) override;
  base::Result<UpdateResult> UpdateOne(const doc::Document& filter, const doc::Document& update,
                                       const UpdateOptions& options) override;
  base::Result<UpdateResult> UpdateMany(const doc::Document& filter, const doc::Document& update,
                                        const UpdateOptions& options) override;
  base::Result<UpdateResult> ReplaceOne(const doc::Document& filter,
                                        const doc::Document& replacement,
                                        const UpdateOptions& options) override;
  base::Result<UpdateResult> UpdateOneWithPipeline(const doc::Document& filter,
                                                   const std::vector<doc::Document>& pipeline,
                                                   const UpdateOptions& options) override;
  base::Result<UpdateResult> UpdateManyWithPipeline(const doc::Document& filter,
                                                    const std::vector<doc::Document>& pipeline,
                                                    const UpdateOptions& options) override;
  base::Result<DeleteResult> DeleteOne(const doc::Document& filter) override;
  base::Result<DeleteResult> DeleteMany(const doc::Document& filter) override;
  base::Result<std::optional<doc::Document>> FindOneAndUpdate(
      const doc::Document& filter, const doc::Document& update,
      const FindAndModifyOptions& options) override;
  base::Result<std::optional<doc::Document>> FindOneAndUpdateWithPipeline(
      const doc::Document& filter, const std::vector<doc::Document>& pipeline,
      const FindAndModifyOptions& options) override;
  base::Result<std::optional<doc::Document>> FindOneAndReplace(
      const doc::Document& filter, const doc::Document& replacement,
      const FindAndModifyOptions& options) override;
  base::Result<std::optional<doc::Document>> FindOneAndDelete(
      const doc::Document& filter, const FindAndModifyOptions& options) override;
  // Without options.foreign, $lookup reads this collection's database
  // through WithReadOf, after the input was read (not in one snapshot).
  base::Result<std::unique_ptr<Cursor>> Aggregate(const std::vector<doc::Document>& pipeline,
                                                  const AggregateOptions& options = {}) override;

 protected:
  using StoreFunction = std::function<base::Status(RecordStore& store)>;
  virtual base::Status WithRead(const StoreFunction& body) = 0;
  virtual base::Status WithWrite(const StoreFunction& body) = 0;
  virtual OperationContext context() = 0;
  // Like WithRead, over another collection `collection` of the same
  // database (a missing one reads as empty): $lookup's reads.
  virtual base::Status WithReadOf(const std::string& collection, const StoreFunction& body) = 0;

 private:
  base::Result<UpdateResult> DoUpdate(const ParsedUpdate& parsed, bool multi,
                                      const UpdateOptions& options);
  base::Result<std::optional<doc::Document>> DoFindAndModify(const ParsedFindAndModify& parsed);

  class SameDatabaseSource;  // the default pipeline::ForeignSource (store_collection.cc)

  std::string database_;
  std::string name_;
};

}  // namespace plinth::storage
