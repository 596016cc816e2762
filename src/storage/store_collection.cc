#include "storage/store_collection.h"

#include "storage/aggregate.h"
#include "storage/names.h"

namespace plinth::storage {

base::Result<InsertResult> StoreCollection::InsertOne(doc::Document document) {
  std::vector<doc::Document> documents;
  documents.push_back(std::move(document));
  return InsertMany(std::move(documents));
}

base::Result<InsertResult> StoreCollection::InsertMany(std::vector<doc::Document> documents) {
  if (documents.empty()) return InsertResult{};
  InsertResult result;
  PLINTH_RETURN_IF_ERROR(WithWrite([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(result, RunInsert(store, std::move(documents), context()));
    return base::Status::Ok();
  }));
  return result;
}

base::Result<std::unique_ptr<Cursor>> StoreCollection::Find(const doc::Document& filter,
                                                            const FindOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedFind find, ParseFind(filter, options));
  std::vector<doc::Document> out;
  PLINTH_RETURN_IF_ERROR(WithRead([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(out, RunFind(store, find));
    return base::Status::Ok();
  }));
  return MakeVectorCursor(std::move(out), options.batch_size);
}

base::Result<std::optional<doc::Document>> StoreCollection::FindOne(const doc::Document& filter,
                                                                    const FindOptions& options) {
  FindOptions one = options;
  one.limit = 1;
  PLINTH_ASSIGN_OR_RETURN(ParsedFind find, ParseFind(filter, one));
  std::vector<doc::Document> out;
  PLINTH_RETURN_IF_ERROR(WithRead([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(out, RunFind(store, find));
    return base::Status::Ok();
  }));
  if (out.empty()) return std::optional<doc::Document>();
  return std::optional<doc::Document>(std::move(out.front()));
}

base::Result<std::int64_t> StoreCollection::CountDocuments(const doc::Document& filter,
                                                           const CountOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(auto matcher, matcher::Matcher::Parse(filter));
  std::int64_t count = 0;
  PLINTH_RETURN_IF_ERROR(WithRead([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(count, RunCount(store, *matcher, options));
    return base::Status::Ok();
  }));
  return count;
}

base::Result<std::int64_t> StoreCollection::EstimatedDocumentCount() {
  std::int64_t count = 0;
  PLINTH_RETURN_IF_ERROR(WithRead([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(count, store.Count());
    return base::Status::Ok();
  }));
  return count;
}

base::Result<std::vector<doc::Value>> StoreCollection::Distinct(const std::string& field,
                                                                const doc::Document& filter) {
  PLINTH_ASSIGN_OR_RETURN(doc::FieldPath path, ParseDistinctField(field));
  PLINTH_ASSIGN_OR_RETURN(auto matcher, matcher::Matcher::Parse(filter));
  std::vector<doc::Value> values;
  PLINTH_RETURN_IF_ERROR(WithRead([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(values, RunDistinct(store, *matcher, path));
    return base::Status::Ok();
  }));
  return values;
}

base::Result<UpdateResult> StoreCollection::DoUpdate(const ParsedUpdate& parsed, bool multi,
                                                     const UpdateOptions& options) {
  UpdateResult result;
  PLINTH_RETURN_IF_ERROR(WithWrite([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(result, RunUpdate(store, parsed, multi, options.upsert, context()));
    return base::Status::Ok();
  }));
  return result;
}

base::Result<UpdateResult> StoreCollection::UpdateOne(const doc::Document& filter,
                                                      const doc::Document& update,
                                                      const UpdateOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedUpdate parsed,
                          ParseUpdate(filter, update, false, options.array_filters));
  return DoUpdate(parsed, false, options);
}

base::Result<UpdateResult> StoreCollection::UpdateMany(const doc::Document& filter,
                                                       const doc::Document& update,
                                                       const UpdateOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedUpdate parsed,
                          ParseUpdate(filter, update, false, options.array_filters));
  return DoUpdate(parsed, true, options);
}

base::Result<UpdateResult> StoreCollection::ReplaceOne(const doc::Document& filter,
                                                       const doc::Document& replacement,
                                                       const UpdateOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedUpdate parsed,
                          ParseUpdate(filter, replacement, true, options.array_filters));
  return DoUpdate(parsed, false, options);
}

base::Result<UpdateResult> StoreCollection::UpdateOneWithPipeline(
    const doc::Document& filter, const std::vector<doc::Document>& pipeline,
    const UpdateOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedUpdate parsed,
                          ParseUpdatePipeline(filter, pipeline, options.array_filters));
  return DoUpdate(parsed, false, options);
}

base::Result<UpdateResult> StoreCollection::UpdateManyWithPipeline(
    const doc::Document& filter, const std::vector<doc::Document>& pipeline,
    const UpdateOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedUpdate parsed,
                          ParseUpdatePipeline(filter, pipeline, options.array_filters));
  return DoUpdate(parsed, true, options);
}

base::Result<DeleteResult> StoreCollection::DeleteOne(const doc::Document& filter) {
  PLINTH_ASSIGN_OR_RETURN(auto matcher, matcher::Matcher::Parse(filter));
  DeleteResult result;
  PLINTH_RETURN_IF_ERROR(WithWrite([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(result, RunDelete(store, *matcher, false));
    return base::Status::Ok();
  }));
  return result;
}

base::Result<DeleteResult> StoreCollection::DeleteMany(const doc::Document& filter) {
  PLINTH_ASSIGN_OR_RETURN(auto matcher, matcher::Matcher::Parse(filter));
  DeleteResult result;
  PLINTH_RETURN_IF_ERROR(WithWrite([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(result, RunDelete(store, *matcher, true));
    return base::Status::Ok();
  }));
  return result;
}

base::Result<std::optional<doc::Document>> StoreCollection::DoFindAndModify(
    const ParsedFindAndModify& parsed) {
  std::optional<doc::Document> result;
  PLINTH_RETURN_IF_ERROR(WithWrite([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(result, RunFindAndModify(store, parsed, context()));
    return base::Status::Ok();
  }));
  return result;
}

base::Result<std::optional<doc::Document>> StoreCollection::FindOneAndUpdate(
    const doc::Document& filter, const doc::Document& update, const FindAndModifyOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedFindAndModify parsed,
                          ParseFindAndModify(filter, &update, false, options));
  return DoFindAndModify(parsed);
}

base::Result<std::optional<doc::Document>> StoreCollection::FindOneAndUpdateWithPipeline(
    const doc::Document& filter, const std::vector<doc::Document>& pipeline,
    const FindAndModifyOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedFindAndModify parsed,
                          ParseFindAndUpdatePipeline(filter, pipeline, options));
  return DoFindAndModify(parsed);
}

base::Result<std::optional<doc::Document>> StoreCollection::FindOneAndReplace(
    const doc::Document& filter, const doc::Document& replacement,
    const FindAndModifyOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedFindAndModify parsed,
                          ParseFindAndModify(filter, &replacement, true, options));
  return DoFindAndModify(parsed);
}

base::Result<std::optional<doc::Document>> StoreCollection::FindOneAndDelete(
    const doc::Document& filter, const FindAndModifyOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(ParsedFindAndModify parsed,
                          ParseFindAndModify(filter, nullptr, false, options));
  return DoFindAndModify(parsed);
}

// Reads other collections of the owner's database for $lookup, one
// WithReadOf per read; an engine answers each filter with its indexes.
class StoreCollection::SameDatabaseSource final : public pipeline::ForeignSource {
 public:
  explicit SameDatabaseSource(StoreCollection* owner) : owner_(owner) {}

  base::Result<std::vector<doc::Document>> Read(const std::string& collection,
                                                const doc::Document& filter) override {
    PLINTH_RETURN_IF_ERROR(ValidateCollectionName(collection));
    PLINTH_ASSIGN_OR_RETURN(auto matcher, matcher::Matcher::Parse(filter));
    std::vector<doc::Document> out;
    PLINTH_RETURN_IF_ERROR(owner_->WithReadOf(collection, [&](RecordStore& store) -> base::Status {
      PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(*matcher));
      out.reserve(rows.size());
      for (Row& row : rows) out.push_back(std::move(row.doc));
      return base::Status::Ok();
    }));
    return out;
  }

 private:
  StoreCollection* owner_;
};

base::Result<std::unique_ptr<Cursor>> StoreCollection::Aggregate(
    const std::vector<doc::Document>& pipeline, const AggregateOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(Pipeline parsed, Pipeline::Parse(pipeline));
  std::vector<doc::Document> input;
  PLINTH_RETURN_IF_ERROR(WithRead([&](RecordStore& store) -> base::Status {
    PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(parsed.first_match()));
    input.reserve(rows.size());
    for (Row& row : rows) input.push_back(std::move(row.doc));
    return base::Status::Ok();
  }));
  SameDatabaseSource same_database(this);
  Pipeline::RunOptions run;
  run.foreign = options.foreign != nullptr ? options.foreign : &same_database;
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> out, parsed.Run(std::move(input), run));
  return MakeVectorCursor(std::move(out), 0);
}

}  // namespace plinth::storage
