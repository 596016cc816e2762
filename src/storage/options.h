#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "doc/value.h"
#include "storage/pipeline/foreign_source.h"

namespace plinth::storage {

// Options of the read and write operations, named as MongoDB's drivers name
// them. Filters, sorts, projections and updates are raw documents here; each
// engine parses them with matcher/ and update/ and reports their errors
// (BadValue, FailedToParse, ...) before touching any data. Plain values.

struct FindOptions {
  doc::Document projection;       // {} = whole documents
  doc::Document sort;             // {} = natural (insertion) order
  std::int64_t skip = 0;          // < 0 is BadValue
  std::int64_t limit = 0;         // 0 = no limit; < 0 is treated as |limit| (MongoDB)
  std::int32_t batch_size = 101;  // documents per cursor batch; 0 = engine default
};

struct AggregateOptions {
  // Where $lookup reads other collections; borrowed for the call. Null: the
  // collection's own database, by the names the pipeline gives (an engine's
  // collections read as Find would, without rules).
  pipeline::ForeignSource* foreign = nullptr;
};

struct CountOptions {
  std::int64_t skip = 0;
  std::int64_t limit = 0;  // 0 = no limit
};

struct UpdateOptions {
  bool upsert = false;
  // The filters of "$[<identifier>]" update paths (update/update.h says what
  // is valid); validated with the update, before any data is touched. Not
  // allowed with a replacement (FailedToParse).
  std::vector<doc::Document> array_filters;
};

// For findOneAndUpdate / findOneAndReplace / findOneAndDelete.
struct FindAndModifyOptions {
  doc::Document sort;        // which document, when several match
  doc::Document projection;  // applied to the returned document
  bool upsert = false;       // not used by findOneAndDelete
  bool return_new = false;   // the document after the change instead of before
  // As UpdateOptions::array_filters (FailedToParse for findOneAndDelete).
  std::vector<doc::Document> array_filters;
};

struct IndexSpec {
  std::string name;   // "" = MongoDB's default name ("a_1_b_-1")
  doc::Document key;  // {field: 1 | -1, ...}, at least one field, at most 32
  bool unique = false;
  // Documents missing every indexed field are left out of the index (and so
  // out of its uniqueness check). Excludes partial_filter_expression.
  bool sparse = false;
  // Only documents matching this filter are indexed (and unique among
  // themselves). MongoDB's subset: equality, $eq, $exists: true, $gt, $gte,
  // $lt, $lte, $type, and $and at the top level only (CannotCreateIndex
  // otherwise). nullopt: every document is indexed.
  std::optional<doc::Document> partial_filter_expression = std::nullopt;
};

struct InsertResult {
  std::vector<doc::Value> inserted_ids;  // in input order
};

struct UpdateResult {
  std::int64_t matched = 0;
  std::int64_t modified = 0;
  std::optional<doc::Value> upserted_id;
};

struct DeleteResult {
  std::int64_t deleted = 0;
};

}  // namespace plinth::storage
