#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"
#include "services/mongo_request.h"
#include "storage/collection.h"
#include "storage/options.h"

namespace plinth::services {

// The results of the MongoDB service actions as values with the exact BSON
// types the SDKs assert (client-api §11): counts of updates and deletes are
// Int32, `count` is Int64. functions/call writes them as canonical Extended
// JSON v2; functions (later) hand them to JavaScript. Free functions;
// thread-safe.

// find, aggregate: [doc, ...] ([] when empty).
doc::Value EncodeDocuments(const std::vector<doc::Document>& documents);
// findOne, findOneAnd*: the document, or null.
doc::Value EncodeOptionalDocument(const std::optional<doc::Document>& document);
// count: {"$numberLong":"<n>"}.
doc::Value EncodeCount(std::int64_t count);
// insertOne: {"insertedId":<id>} (the first id; null when there is none).
doc::Value EncodeInsertOneResult(const storage::InsertResult& result);
// insertMany: {"insertedIds":[<id>, ...]}, in input order.
doc::Value EncodeInsertManyResult(const storage::InsertResult& result);
// updateOne/updateMany: {"matchedCount":Int32,"modifiedCount":Int32} plus
// "upsertedId" only when a document was upserted. Counts beyond Int32 are
// clamped to 2147483647.
doc::Value EncodeUpdateResult(const storage::UpdateResult& result);
// deleteOne/deleteMany: {"deletedCount":Int32}, clamped likewise.
doc::Value EncodeDeleteResult(const storage::DeleteResult& result);

// Runs `request` on `collection` and returns its result value. No
// rules are applied (the rules layer wraps this). The collection's errors
// (DuplicateKey, FailedToParse, ...) come back unchanged, and a failed request
// changes nothing — except an operator-less updateMany over several documents,
// which replaces them one at a time (docs/mongodb-service.md).
// `arrayFilters` go to the store with the update. REQUIRES: `request` came
// from ParseMongoRequest (or is as valid). `foreign` is where an aggregate's
// $lookup reads other collections (storage::AggregateOptions::foreign; null:
// the collection's own store database, by name); borrowed for the call.
base::Result<doc::Value> Execute(storage::Collection& collection, const MongoRequest& request,
                                 storage::pipeline::ForeignSource* foreign = nullptr);

}  // namespace plinth::services
