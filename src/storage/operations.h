#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "doc/value.h"
#include "matcher/matcher.h"
#include "matcher/projection.h"
#include "matcher/sort.h"
#include "storage/cursor.h"
#include "storage/object_id_generator.h"
#include "storage/options.h"
#include "storage/record_store.h"
#include "update/update.h"

namespace plinth::storage {

// MongoDB's CRUD semantics over a RecordStore, shared by every engine and
// view (SQLite collections, transactions, stages). Parsing is split from
// running so requests are validated before any data is touched. Free
// functions; thread-safe as long as each store is used by one thread.

// What the operations need besides the store. Not owned.
struct OperationContext {
  ObjectIdGenerator* ids = nullptr;
  const base::Clock* clock = nullptr;
};

// Gives `document` an ObjectId _id (first) when it has none, checks the _id
// type (InvalidIdField), top-level '$' field names (BadValue) and doc::Limits.
base::Status PrepareInsert(doc::Document* document, ObjectIdGenerator* ids);

// Prepares every document first (nothing is inserted when one is invalid),
// then inserts them in order.
base::Result<InsertResult> RunInsert(RecordStore& store, std::vector<doc::Document> documents,
                                     const OperationContext& context);

struct ParsedFind {
  std::shared_ptr<const matcher::Matcher> matcher;
  std::optional<matcher::SortSpec> sort;
  std::optional<matcher::Projection> projection;
  std::int64_t skip = 0;
  std::int64_t limit = 0;  // 0 = none
};
base::Result<ParsedFind> ParseFind(const doc::Document& filter, const FindOptions& options);
base::Result<std::vector<doc::Document>> RunFind(RecordStore& store, const ParsedFind& find);
base::Result<std::int64_t> RunCount(RecordStore& store, const matcher::Matcher& matcher,
                                    const CountOptions& options);

// distinct: the field is a query path (doc::FieldPath::Parse, BadValue
// otherwise). RunDistinct returns the values as Collection::Distinct
// documents them: elements of arrays at the end of the path, distinct by
// doc::ValuesEqual (the first in natural order kept), sorted by
// doc::Compare; BadValue when they would not fit one 16 MiB BSON document.
base::Result<doc::FieldPath> ParseDistinctField(const std::string& field);
base::Result<std::vector<doc::Value>> RunDistinct(RecordStore& store,
                                                  const matcher::Matcher& matcher,
                                                  const doc::FieldPath& field);
// The same over documents already read (in natural order), for callers that
// choose the documents themselves (distinct under rules).
base::Result<std::vector<doc::Value>> DistinctOf(const std::vector<doc::Document>& documents,
                                                 const doc::FieldPath& field);

struct ParsedUpdate {
  std::shared_ptr<const matcher::Matcher> matcher;
  std::shared_ptr<const update::Update> update;
};
// `array_filters`: UpdateOptions::array_filters (FailedToParse with a
// replacement). RunUpdate and RunFindAndModify give the update the query's
// matched array position per document (for "$" paths).
base::Result<ParsedUpdate> ParseUpdate(const doc::Document& filter, const doc::Document& update,
                                       bool replacement,
                                       const std::vector<doc::Document>& array_filters = {});
// A pipeline-style update ([{$set: ...}], update::Update::ParsePipeline).
base::Result<ParsedUpdate> ParseUpdatePipeline(
    const doc::Document& filter, const std::vector<doc::Document>& pipeline,
    const std::vector<doc::Document>& array_filters = {});
base::Result<UpdateResult> RunUpdate(RecordStore& store, const ParsedUpdate& update, bool multi,
                                     bool upsert, const OperationContext& context);

base::Result<DeleteResult> RunDelete(RecordStore& store, const matcher::Matcher& matcher,
                                     bool multi);

struct ParsedFindAndModify {
  std::shared_ptr<const matcher::Matcher> matcher;
  std::shared_ptr<const update::Update> update;  // null: findOneAndDelete
  std::optional<matcher::SortSpec> sort;
  std::optional<matcher::Projection> projection;
  bool upsert = false;
  bool return_new = false;
};
// `update` null means delete.
base::Result<ParsedFindAndModify> ParseFindAndModify(const doc::Document& filter,
                                                     const doc::Document* update, bool replacement,
                                                     const FindAndModifyOptions& options);
// findOneAndUpdate with a pipeline-style update.
base::Result<ParsedFindAndModify> ParseFindAndUpdatePipeline(
    const doc::Document& filter, const std::vector<doc::Document>& pipeline,
    const FindAndModifyOptions& options);
base::Result<std::optional<doc::Document>> RunFindAndModify(RecordStore& store,
                                                            const ParsedFindAndModify& request,
                                                            const OperationContext& context);

// A cursor over materialized results, `batch_size` per batch (0 = 101).
std::unique_ptr<Cursor> MakeVectorCursor(std::vector<doc::Document> documents,
                                         std::int32_t batch_size);

}  // namespace plinth::storage
