// The engine target: a fresh in-memory SQLite engine per test, driven only
// through the storage::Engine seam, so another engine can run the same files.

#include "storage/cursor.h"
#include "storage/engine.h"
#include "storage/sqlite/sqlite_engine.h"
#include "tests/cases/target.h"

namespace plinth::cases {
namespace {

using base::Result;
using base::Status;

Result<storage::IndexSpec> ToIndexSpec(const doc::Document& d) {
  storage::IndexSpec spec;
  for (const auto& [key, value] : d) {
    if (key == "key" && value.is_document()) {
      spec.key = value.as_document();
    } else if (key == "unique" && value.is_bool()) {
      spec.unique = value.as_bool();
    } else if (key == "name" && value.is_string()) {
      spec.name = value.as_string();
    } else if (key == "sparse" && value.is_bool()) {
      spec.sparse = value.as_bool();
    } else if (key == "partialFilterExpression" && value.is_document()) {
      spec.partial_filter_expression = value.as_document();
    } else {
      return base::BadValue("index spec: unexpected field \"" + key + "\"");
    }
  }
  return spec;
}

class SqliteTarget : public Target {
 public:
  std::optional<std::string> SkipReason(const CaseFile&, const CaseTest&) const override {
    return std::nullopt;
  }

  Status Load(const CaseFile& file) override {
    storage::SqliteOptions options;  // empty file: in-memory
    PLINTH_ASSIGN_OR_RETURN(engine_, storage::OpenSqliteEngine(options));
    PLINTH_ASSIGN_OR_RETURN(collection_,
                            engine_->GetCollection(kDefaultDatabase, kDefaultCollection));
    for (const doc::Document& ix : file.indexes) {
      PLINTH_ASSIGN_OR_RETURN(storage::IndexSpec spec, ToIndexSpec(ix));
      Result<std::string> made = collection_->CreateIndex(spec);
      if (!made.ok()) return made.status().WithContext("creating the file's index");
    }
    if (!file.documents.empty()) {
      Result<storage::InsertResult> inserted = collection_->InsertMany(file.documents);
      if (!inserted.ok()) return inserted.status().WithContext("inserting the file's documents");
    }
    for (const auto& [name, documents] : file.collections) {
      PLINTH_ASSIGN_OR_RETURN(auto other, engine_->GetCollection(kDefaultDatabase, name));
      Result<storage::InsertResult> inserted = other->InsertMany(documents);
      if (!inserted.ok()) return inserted.status().WithContext("inserting into " + name);
    }
    return Status::Ok();
  }

  Result<doc::Value> Run(const CaseTest& t) override {
    std::shared_ptr<storage::Collection> c = collection_;
    if (t.database || t.collection) {
      PLINTH_ASSIGN_OR_RETURN(c, engine_->GetCollection(t.database.value_or(kDefaultDatabase),
                                                        t.collection.value_or(kDefaultCollection)));
    }
    const std::string& op = t.op;
    if (op == "find") {
      storage::FindOptions o;
      o.projection = t.projection;
      o.sort = t.sort;
      o.skip = t.skip;
      o.limit = t.limit;
      o.batch_size = 2;  // several batches, so cursors are exercised
      PLINTH_ASSIGN_OR_RETURN(auto cursor, c->Find(t.filter, o));
      PLINTH_ASSIGN_OR_RETURN(auto docs, storage::ReadAll(cursor.get()));
      return DocumentsValue(std::move(docs));
    }
    if (op == "findOne") {
      storage::FindOptions o;
      o.projection = t.projection;
      o.sort = t.sort;
      o.skip = t.skip;
      PLINTH_ASSIGN_OR_RETURN(auto d, c->FindOne(t.filter, o));
      return OptionalDocumentValue(std::move(d));
    }
    if (op == "count") {
      storage::CountOptions o;
      o.skip = t.skip;
      o.limit = t.limit;
      PLINTH_ASSIGN_OR_RETURN(std::int64_t n, c->CountDocuments(t.filter, o));
      return doc::Value(n);
    }
    if (op == "estimatedDocumentCount") {
      PLINTH_ASSIGN_OR_RETURN(std::int64_t n, c->EstimatedDocumentCount());
      return doc::Value(n);
    }
    if (op == "distinct") {
      PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Value> values, c->Distinct(t.field, t.filter));
      doc::Array array;
      array.mutable_values() = std::move(values);
      return doc::Value(std::move(array));
    }
    if (op == "renameCollection") {
      const std::string database = t.database.value_or(kDefaultDatabase);
      PLINTH_RETURN_IF_ERROR(engine_->RenameCollection(
          database, t.collection.value_or(kDefaultCollection), t.to, t.drop_target));
      PLINTH_ASSIGN_OR_RETURN(auto target, engine_->GetCollection(database, t.to));
      PLINTH_ASSIGN_OR_RETURN(auto cursor, target->Find(doc::Document{}));
      PLINTH_ASSIGN_OR_RETURN(auto docs, storage::ReadAll(cursor.get()));
      PLINTH_ASSIGN_OR_RETURN(auto indexes, target->ListIndexes());
      return doc::Value(doc::Document{{"documents", DocumentsValue(std::move(docs))},
                                      {"indexes", DocumentsValue(std::move(indexes))}});
    }
    if (op == "insertOne") {
      PLINTH_ASSIGN_OR_RETURN(auto r, c->InsertOne(t.document));
      return InsertResultValue(r.inserted_ids);
    }
    if (op == "insertMany") {
      PLINTH_ASSIGN_OR_RETURN(auto r, c->InsertMany(t.documents));
      return InsertResultValue(r.inserted_ids);
    }
    if (op == "updateOne" || op == "updateMany" || op == "replaceOne") {
      storage::UpdateOptions o;
      o.upsert = t.upsert;
      o.array_filters = t.array_filters;
      Result<storage::UpdateResult> r =
          t.update_pipeline
              ? (op == "updateOne"    ? c->UpdateOneWithPipeline(t.filter, *t.update_pipeline, o)
                 : op == "updateMany" ? c->UpdateManyWithPipeline(t.filter, *t.update_pipeline, o)
                                      : Result<storage::UpdateResult>(
                                            base::BadValue("a replacement cannot be a pipeline")))
          : op == "updateOne"  ? c->UpdateOne(t.filter, t.update, o)
          : op == "updateMany" ? c->UpdateMany(t.filter, t.update, o)
                               : c->ReplaceOne(t.filter, t.update, o);
      if (!r.ok()) return r.status();
      return UpdateResultValue(r->matched, r->modified, r->upserted_id);
    }
    if (op == "deleteOne" || op == "deleteMany") {
      Result<storage::DeleteResult> r =
          op == "deleteOne" ? c->DeleteOne(t.filter) : c->DeleteMany(t.filter);
      if (!r.ok()) return r.status();
      return DeleteResultValue(r->deleted);
    }
    if (op == "findOneAndUpdate" || op == "findOneAndReplace" || op == "findOneAndDelete") {
      storage::FindAndModifyOptions o;
      o.sort = t.sort;
      o.projection = t.projection;
      o.upsert = t.upsert;
      o.return_new = t.return_new;
      o.array_filters = t.array_filters;
      Result<std::optional<doc::Document>> r =
          t.update_pipeline && op == "findOneAndUpdate"
              ? c->FindOneAndUpdateWithPipeline(t.filter, *t.update_pipeline, o)
          : op == "findOneAndUpdate"  ? c->FindOneAndUpdate(t.filter, t.update, o)
          : op == "findOneAndReplace" ? c->FindOneAndReplace(t.filter, t.update, o)
                                      : c->FindOneAndDelete(t.filter, o);
      if (!r.ok()) return r.status();
      return OptionalDocumentValue(std::move(r).value());
    }
    if (op == "aggregate") {
      PLINTH_ASSIGN_OR_RETURN(auto cursor, c->Aggregate(t.pipeline));
      PLINTH_ASSIGN_OR_RETURN(auto docs, storage::ReadAll(cursor.get()));
      return DocumentsValue(std::move(docs));
    }
    if (op == "createIndex") {
      PLINTH_ASSIGN_OR_RETURN(storage::IndexSpec spec, ToIndexSpec(t.index.as_document()));
      PLINTH_ASSIGN_OR_RETURN(std::string name, c->CreateIndex(spec));
      return doc::Value(name);
    }
    if (op == "dropIndex") {
      PLINTH_RETURN_IF_ERROR(c->DropIndex(t.index.as_string()));
      return doc::Value();
    }
    if (op == "listIndexes") {
      PLINTH_ASSIGN_OR_RETURN(auto list, c->ListIndexes());
      return DocumentsValue(std::move(list));
    }
    return base::Internal("unhandled op " + op);
  }

  Result<std::vector<doc::Document>> Contents() override {
    PLINTH_ASSIGN_OR_RETURN(auto cursor, collection_->Find(doc::Document{}));
    return storage::ReadAll(cursor.get());
  }

  Result<std::vector<doc::Document>> Indexes() override { return collection_->ListIndexes(); }

 private:
  std::unique_ptr<storage::Engine> engine_;
  std::shared_ptr<storage::Collection> collection_;
};

}  // namespace

std::unique_ptr<Target> NewSqliteTarget() { return std::make_unique<SqliteTarget>(); }

}  // namespace plinth::cases
