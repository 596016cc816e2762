#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::services {

// One action of the remote MongoDB service, as a `functions/call` body with a
// `service` names it (client-api §11; docs/mongodb-service.md). `watch` is a
// stream (GET functions/call) and is not one of these.
enum class MongoAction {
  kFind,
  kFindOne,
  kCount,
  kAggregate,
  kInsertOne,
  kInsertMany,
  kUpdateOne,
  kUpdateMany,
  kDeleteOne,
  kDeleteMany,
  kFindOneAndUpdate,
  kFindOneAndReplace,
  kFindOneAndDelete,
  kDistinct,
};

// The action named `name` exactly as the SDKs spell it ("findOneAndUpdate"),
// or nullopt. Case-sensitive, as App Services is.
std::optional<MongoAction> ParseMongoAction(std::string_view name);
// The SDK spelling of `action` ("insertMany").
std::string_view MongoActionName(MongoAction action);

// A validated request: the arguments document of the call, with the SDKs'
// spelling variants folded together and every field type-checked. Fields an
// action does not use keep their defaults. Plain value.
struct MongoRequest {
  MongoAction action = MongoAction::kFind;
  std::string database;      // the app's database name, valid per storage/names.h
  std::string collection;    // likewise
  doc::Document filter;      // `query` or `filter`; {} = everything
  doc::Document projection;  // `project` or `projection`; {} = whole documents
  doc::Document sort;        // {} = natural order
  std::int64_t limit = 0;    // 0 = no limit
  // `update`: operators for updateOne/updateMany/findOneAndUpdate, the
  // replacement for findOneAndReplace.
  doc::Document update;
  // `update` sent as an array: a pipeline-style update (MongoDB 4.2+) for
  // updateOne/updateMany/findOneAndUpdate; `update` is then empty.
  bool update_is_pipeline = false;
  std::vector<doc::Document> update_pipeline;
  // updateOne/updateMany sent an operator-less `update` ({name: "Alison"}):
  // `update` is a replacement of every matched document, keeping its _id.
  bool update_is_replacement = false;
  bool upsert = false;
  bool return_new = false;                   // `returnNewDocument`
  std::vector<doc::Document> documents;      // insertOne: one; insertMany: one or more
  std::vector<doc::Document> pipeline;       // aggregate
  std::vector<doc::Document> array_filters;  // `arrayFilters`
  std::string distinct_field;                // distinct: `key` (or `field`)
};

// Parses and validates the call named `action_name` whose `arguments` array is
// `arguments`. REQUIRES nothing of the input: any value gives a request or an
// error, never a crash. Errors (messages name the offending argument):
//   ServiceCommandNotFound  unknown action (including "watch", which streams)
//   InvalidParameter        `arguments` not an array of exactly one document;
//                           an argument of the wrong type (`query` not a
//                           document, `limit` not an integer, `documents` not
//                           an array of documents, ...); empty `documents`
//   MissingParameter        no `database` / `collection`, or no argument the
//                           action needs (`document`, `documents`,
//                           `pipeline`, `update`)
//   InvalidNamespace        a database or collection name MongoDB refuses,
//                           or the reserved database "__plinth"
//   BadValue                `$where` in a filter or a $match stage
//   DepthLimitExceeded      a filter nested past 1000 levels (built in code)
// Quirks accepted: `project` and `projection` on every action, `query` and
// `filter` likewise; realm-web 2.0.1's findOneAndDelete, which arrives as
// findOneAndReplace without `update`, becomes kFindOneAndDelete.
base::Result<MongoRequest> ParseMongoRequest(std::string_view action_name,
                                             const doc::Value& arguments);

}  // namespace plinth::services
