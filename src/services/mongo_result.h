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

// The response bodies of the MongoDB service actions, as canonical Extended
// JSON v2 text with the exact BSON types the SDKs assert (client-api §11):
// counts of updates and deletes are Int32, `count` is Int64. Free functions;
// thread-safe.

// find, aggregate: [doc, ...] ("[]" when empty).
std::string EncodeDocuments(const std::vector<doc::Document>& documents);
// findOne, findOneAnd*: the document, or "null".
std::string EncodeOptionalDocument(const std::optional<doc::Document>& document);
// count: {"$numberLong":"<n>"}.
std::string EncodeCount(std::int64_t count);
// insertOne: {"insertedId":<id>} (the first id; null when there is none).
std::string EncodeInsertOneResult(const storage::InsertResult& result);
// insertMany: {"insertedIds":[<id>, ...]}, in input order.
std::string EncodeInsertManyResult(const storage::InsertResult& result);
// updateOne/updateMany: {"matchedCount":Int32,"modifiedCount":Int32} plus
// "upsertedId" only when a document was upserted. Counts beyond Int32 are
// clamped to 2147483647.
std::string EncodeUpdateResult(const storage::UpdateResult& result);
// deleteOne/deleteMany: {"deletedCount":Int32}, clamped likewise.
std::string EncodeDeleteResult(const storage::DeleteResult& result);

// Runs `request` on `collection` and returns the encoded response body. No
// rules are applied (the rules layer wraps this). The collection's errors
// (DuplicateKey, FailedToParse, ...) come back unchanged, and a failed request
// changes nothing — except an operator-less updateMany over several documents,
// which replaces them one at a time (docs/mongodb-service.md). Non-empty
// `arrayFilters` are refused (BadValue): the update language has no
// positional paths yet. REQUIRES: `request` came from ParseMongoRequest (or
// is as valid).
base::Result<std::string> Execute(storage::Collection& collection, const MongoRequest& request);

}  // namespace plinth::services
