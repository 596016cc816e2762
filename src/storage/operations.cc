#include "storage/operations.h"

#include <algorithm>

#include "doc/bson_codec.h"
#include "doc/compare.h"
#include "doc/limits.h"

namespace plinth::storage {
namespace {

class VectorCursor final : public Cursor {
 public:
  VectorCursor(std::vector<doc::Document> documents, std::int32_t batch_size)
      : documents_(std::move(documents)),
        batch_size_(batch_size > 0 ? static_cast<std::size_t>(batch_size) : 101) {}

  base::Result<bool> NextBatch(std::vector<doc::Document>* out, std::size_t max) override {
    if (next_ >= documents_.size()) return false;
    const std::size_t n = std::min(max > 0 ? max : batch_size_, documents_.size() - next_);
    for (std::size_t i = 0; i < n; ++i) out->push_back(std::move(documents_[next_ + i]));
    next_ += n;
    return true;
  }

 private:
  std::vector<doc::Document> documents_;
  std::size_t batch_size_;
  std::size_t next_ = 0;
};

void SortRows(std::vector<Row>* rows, const std::optional<matcher::SortSpec>& sort) {
  if (!sort || sort->empty()) return;
  std::stable_sort(rows->begin(), rows->end(),
                   [&](const Row& a, const Row& b) { return sort->Compare(a.doc, b.doc) < 0; });
}

// Projects `document`, which `matcher` matched; a positional projection
// ("a.$") needs the matcher's details for it.
base::Result<doc::Document> Project(const std::optional<matcher::Projection>& projection,
                                    const matcher::Matcher& matcher, const doc::Document& matched,
                                    const doc::Document& document) {
  if (!projection || projection->empty()) return document;
  if (!projection->needs_match_details()) return projection->Apply(document);
  matcher::MatchDetails details;
  matcher.Matches(matched, &details);
  return projection->Apply(document, details);
}

// The update context for one matched document: "$" needs the position the
// query matched in it.
update::ApplyContext ApplyContextFor(const update::Update& update, const matcher::Matcher& matcher,
                                     const doc::Document& document, std::int64_t now_millis) {
  update::ApplyContext apply{now_millis, false, std::nullopt};
  if (update.needs_match_position()) {
    matcher::MatchDetails details;
    matcher.Matches(document, &details);
    apply.positional_index = details.array_index;
  }
  return apply;
}

base::Status RefuseFiltersWithReplacement(bool replacement,
                                          const std::vector<doc::Document>& array_filters) {
  if (replacement && !array_filters.empty()) {
    return base::Status(base::ErrorCode::kFailedToParse,
                        "arrayFilters may not be used with a replacement document");
  }
  return base::Status::Ok();
}

base::Status ValidateId(const doc::Value& id) {
  switch (id.type()) {
    case doc::Type::kArray:
      return base::Status(base::ErrorCode::kInvalidIdField, "can't use an array for _id");
    case doc::Type::kRegex:
      return base::Status(base::ErrorCode::kInvalidIdField, "can't use a regex for _id");
    case doc::Type::kUndefined:
      return base::Status(base::ErrorCode::kInvalidIdField, "can't use a undefined for _id");
    default:
      return base::Status::Ok();
  }
}

// Keeps the old _id when an update's result has none (a replacement
// without _id), first as MongoDB stores it.
void KeepId(const doc::Document& before, doc::Document* after) {
  if (after->Has("_id")) return;
  const doc::Value* id = before.Get("_id");
  if (id == nullptr) return;
  auto& fields = after->mutable_fields();
  fields.insert(fields.begin(), {"_id", *id});
}

base::Status CheckIdUnchanged(const doc::Document& before, const doc::Document& after) {
  const doc::Value* a = before.Get("_id");
  const doc::Value* b = after.Get("_id");
  if (a != nullptr && b != nullptr && !(*a == *b)) {
    return base::Status(base::ErrorCode::kImmutableField,
                        "After applying the update, the (immutable) field '_id' was found to "
                        "have been altered");
  }
  return base::Status::Ok();
}

base::Result<doc::Value> Upsert(RecordStore& store, const matcher::Matcher& matcher,
                                const update::Update& update, const OperationContext& context,
                                doc::Document* inserted) {
  update::ApplyContext apply{context.clock->NowMillis(), true, std::nullopt};
  PLINTH_ASSIGN_OR_RETURN(doc::Document document,
                          update::BuildUpsertDocument(matcher, update, apply));
  PLINTH_RETURN_IF_ERROR(PrepareInsert(&document, context.ids));
  PLINTH_RETURN_IF_ERROR(store.Insert(document));
  doc::Value id = *document.Get("_id");
  *inserted = std::move(document);
  return id;
}

}  // namespace

base::Status PrepareInsert(doc::Document* document, ObjectIdGenerator* ids) {
  const doc::Value* id = document->Get("_id");
  if (id == nullptr) {
    auto& fields = document->mutable_fields();
    fields.insert(fields.begin(), {"_id", doc::Value(ids->Next())});
  } else {
    PLINTH_RETURN_IF_ERROR(ValidateId(*id));
  }
  for (const auto& [name, value] : *document) {
    if (!name.empty() && name[0] == '$') {
      return base::BadValue("Document can't have $ prefixed field names: " + name);
    }
  }
  return doc::CheckLimits(*document, doc::Limits{});
}

base::Result<InsertResult> RunInsert(RecordStore& store, std::vector<doc::Document> documents,
                                     const OperationContext& context) {
  InsertResult result;
  for (auto& document : documents) {
    PLINTH_RETURN_IF_ERROR(PrepareInsert(&document, context.ids));
    result.inserted_ids.push_back(*document.Get("_id"));
  }
  for (const auto& document : documents) PLINTH_RETURN_IF_ERROR(store.Insert(document));
  return result;
}

base::Result<ParsedFind> ParseFind(const doc::Document& filter, const FindOptions& options) {
  ParsedFind find;
  PLINTH_ASSIGN_OR_RETURN(find.matcher, matcher::Matcher::Parse(filter));
  if (!options.sort.empty()) {
    PLINTH_ASSIGN_OR_RETURN(find.sort, matcher::SortSpec::Parse(options.sort));
  }
  if (!options.projection.empty()) {
    PLINTH_ASSIGN_OR_RETURN(find.projection,
                            matcher::Projection::Parse(options.projection, find.matcher.get()));
  }
  if (options.skip < 0) return base::BadValue("skip value must be non-negative");
  find.skip = options.skip;
  find.limit = options.limit < 0 ? -options.limit : options.limit;
  return find;
}

base::Result<std::vector<doc::Document>> RunFind(RecordStore& store, const ParsedFind& find) {
  PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(*find.matcher));
  SortRows(&rows, find.sort);
  std::vector<doc::Document> out;
  const auto skip = static_cast<std::size_t>(
      std::min<std::int64_t>(find.skip, static_cast<std::int64_t>(rows.size())));
  for (std::size_t i = skip; i < rows.size(); ++i) {
    if (find.limit > 0 && static_cast<std::int64_t>(out.size()) >= find.limit) break;
    PLINTH_ASSIGN_OR_RETURN(doc::Document shown,
                            Project(find.projection, *find.matcher, rows[i].doc, rows[i].doc));
    out.push_back(std::move(shown));
  }
  return out;
}

base::Result<std::int64_t> RunCount(RecordStore& store, const matcher::Matcher& matcher,
                                    const CountOptions& options) {
  if (options.skip < 0) return base::BadValue("skip value must be non-negative");
  PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(matcher));
  std::int64_t n = std::max<std::int64_t>(0, static_cast<std::int64_t>(rows.size()) - options.skip);
  const std::int64_t limit = options.limit < 0 ? -options.limit : options.limit;
  if (limit > 0) n = std::min(n, limit);
  return n;
}

base::Result<doc::FieldPath> ParseDistinctField(const std::string& field) {
  if (field.empty()) return base::BadValue("distinct: the field name may not be empty");
  auto path = doc::FieldPath::Parse(field);
  if (!path.ok())
    return base::BadValue("distinct: bad field '" + field + "': " + path.status().message());
  return std::move(path).value();
}

base::Result<std::vector<doc::Value>> RunDistinct(RecordStore& store,
                                                  const matcher::Matcher& matcher,
                                                  const doc::FieldPath& field) {
  PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(matcher));
  std::vector<doc::Document> documents;
  documents.reserve(rows.size());
  for (Row& row : rows) documents.push_back(std::move(row.doc));
  return DistinctOf(documents, field);
}

base::Result<std::vector<doc::Value>> DistinctOf(const std::vector<doc::Document>& documents,
                                                 const doc::FieldPath& field) {
  // Every value in natural order first; a stable sort then puts equal values
  // (by MongoDB's comparison) next to each other with the first met leading,
  // so unique() keeps that one.
  std::vector<doc::Value> values;
  std::vector<const doc::Value*> reached;
  for (const doc::Document& document : documents) {
    reached.clear();
    doc::CollectPathValues(document, field, &reached);
    for (const doc::Value* value : reached) {
      if (value->is_array()) {
        for (const doc::Value& element : value->as_array()) values.push_back(element);
      } else {
        values.push_back(*value);
      }
    }
  }
  std::stable_sort(values.begin(), values.end(),
                   [](const doc::Value& a, const doc::Value& b) { return doc::Compare(a, b) < 0; });
  values.erase(std::unique(values.begin(), values.end(), doc::ValuesEqual), values.end());
  // The answer travels as one BSON array, so it must fit MongoDB's document
  // size like any reply would.
  doc::Array array;
  array.mutable_values() = values;
  PLINTH_ASSIGN_OR_RETURN(std::string bson, doc::ToBson(doc::Document{{"values", array}}));
  if (bson.size() > doc::Limits{}.max_bson_bytes) {
    return base::BadValue("distinct too big, 16mb cap");
  }
  return values;
}

base::Result<ParsedUpdate> ParseUpdate(const doc::Document& filter, const doc::Document& update,
                                       bool replacement,
                                       const std::vector<doc::Document>& array_filters) {
  PLINTH_RETURN_IF_ERROR(RefuseFiltersWithReplacement(replacement, array_filters));
  ParsedUpdate parsed;
  PLINTH_ASSIGN_OR_RETURN(parsed.matcher, matcher::Matcher::Parse(filter));
  if (replacement) {
    PLINTH_ASSIGN_OR_RETURN(parsed.update, update::Update::ParseReplacement(update));
  } else {
    PLINTH_ASSIGN_OR_RETURN(parsed.update, update::Update::Parse(update, array_filters));
  }
  return parsed;
}

base::Result<ParsedUpdate> ParseUpdatePipeline(const doc::Document& filter,
                                               const std::vector<doc::Document>& pipeline,
                                               const std::vector<doc::Document>& array_filters) {
  ParsedUpdate parsed;
  PLINTH_ASSIGN_OR_RETURN(parsed.matcher, matcher::Matcher::Parse(filter));
  PLINTH_ASSIGN_OR_RETURN(parsed.update, update::Update::ParsePipeline(pipeline, array_filters));
  return parsed;
}

base::Result<UpdateResult> RunUpdate(RecordStore& store, const ParsedUpdate& update, bool multi,
                                     bool upsert, const OperationContext& context) {
  UpdateResult result;
  PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(*update.matcher));
  const std::int64_t now = context.clock->NowMillis();
  for (const Row& row : rows) {
    ++result.matched;
    const update::ApplyContext apply =
        ApplyContextFor(*update.update, *update.matcher, row.doc, now);
    doc::Document after = row.doc;
    PLINTH_ASSIGN_OR_RETURN(bool changed, update.update->Apply(&after, apply));
    if (changed) {
      KeepId(row.doc, &after);
      PLINTH_RETURN_IF_ERROR(CheckIdUnchanged(row.doc, after));
      PLINTH_RETURN_IF_ERROR(store.Replace(row, after));
      ++result.modified;
    }
    if (!multi) break;
  }
  if (result.matched == 0 && upsert) {
    doc::Document inserted;
    PLINTH_ASSIGN_OR_RETURN(result.upserted_id,
                            Upsert(store, *update.matcher, *update.update, context, &inserted));
  }
  return result;
}

base::Result<DeleteResult> RunDelete(RecordStore& store, const matcher::Matcher& matcher,
                                     bool multi) {
  DeleteResult result;
  PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(matcher));
  for (const Row& row : rows) {
    PLINTH_RETURN_IF_ERROR(store.Remove(row));
    ++result.deleted;
    if (!multi) break;
  }
  return result;
}

namespace {

// The parts of a findAndModify request other than the update, which the
// caller has parsed (null: delete).
base::Result<ParsedFindAndModify> FinishFindAndModify(
    std::shared_ptr<const matcher::Matcher> matcher, std::shared_ptr<const update::Update> update,
    const FindAndModifyOptions& options) {
  ParsedFindAndModify parsed;
  parsed.matcher = std::move(matcher);
  if (!options.sort.empty()) {
    PLINTH_ASSIGN_OR_RETURN(parsed.sort, matcher::SortSpec::Parse(options.sort));
  }
  if (!options.projection.empty()) {
    PLINTH_ASSIGN_OR_RETURN(parsed.projection,
                            matcher::Projection::Parse(options.projection, parsed.matcher.get()));
  }
  parsed.upsert = options.upsert && update != nullptr;
  parsed.return_new = options.return_new;
  parsed.update = std::move(update);
  return parsed;
}

}  // namespace

base::Result<ParsedFindAndModify> ParseFindAndModify(const doc::Document& filter,
                                                     const doc::Document* update, bool replacement,
                                                     const FindAndModifyOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const matcher::Matcher> matcher,
                          matcher::Matcher::Parse(filter));
  if (update == nullptr && !options.array_filters.empty()) {
    return base::Status(base::ErrorCode::kFailedToParse,
                        "arrayFilters may not be used when deleting");
  }
  PLINTH_RETURN_IF_ERROR(RefuseFiltersWithReplacement(replacement, options.array_filters));
  std::shared_ptr<const update::Update> parsed;
  if (update != nullptr) {
    if (replacement) {
      PLINTH_ASSIGN_OR_RETURN(parsed, update::Update::ParseReplacement(*update));
    } else {
      PLINTH_ASSIGN_OR_RETURN(parsed, update::Update::Parse(*update, options.array_filters));
    }
  }
  return FinishFindAndModify(std::move(matcher), std::move(parsed), options);
}

base::Result<ParsedFindAndModify> ParseFindAndUpdatePipeline(
    const doc::Document& filter, const std::vector<doc::Document>& pipeline,
    const FindAndModifyOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const matcher::Matcher> matcher,
                          matcher::Matcher::Parse(filter));
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const update::Update> parsed,
                          update::Update::ParsePipeline(pipeline, options.array_filters));
  return FinishFindAndModify(std::move(matcher), std::move(parsed), options);
}

base::Result<std::optional<doc::Document>> RunFindAndModify(RecordStore& store,
                                                            const ParsedFindAndModify& request,
                                                            const OperationContext& context) {
  PLINTH_ASSIGN_OR_RETURN(std::vector<Row> rows, store.Matching(*request.matcher));
  SortRows(&rows, request.sort);
  if (rows.empty()) {
    if (!request.upsert) return std::optional<doc::Document>();
    doc::Document inserted;
    PLINTH_ASSIGN_OR_RETURN(doc::Value id,
                            Upsert(store, *request.matcher, *request.update, context, &inserted));
    (void)id;
    if (!request.return_new) return std::optional<doc::Document>();
    PLINTH_ASSIGN_OR_RETURN(doc::Document shown,
                            Project(request.projection, *request.matcher, inserted, inserted));
    return std::optional<doc::Document>(std::move(shown));
  }
  const Row& row = rows.front();
  if (request.update == nullptr) {
    PLINTH_ASSIGN_OR_RETURN(doc::Document shown,
                            Project(request.projection, *request.matcher, row.doc, row.doc));
    PLINTH_RETURN_IF_ERROR(store.Remove(row));
    return std::optional<doc::Document>(std::move(shown));
  }
  doc::Document after = row.doc;
  const update::ApplyContext apply =
      ApplyContextFor(*request.update, *request.matcher, row.doc, context.clock->NowMillis());
  PLINTH_ASSIGN_OR_RETURN(bool changed, request.update->Apply(&after, apply));
  if (changed) {
    KeepId(row.doc, &after);
    PLINTH_RETURN_IF_ERROR(CheckIdUnchanged(row.doc, after));
  }
  // Projected before the write, so a projection error changes nothing. The
  // positional projection uses the position the query matched in the
  // document as it was found.
  PLINTH_ASSIGN_OR_RETURN(
      doc::Document shown,
      Project(request.projection, *request.matcher, row.doc, request.return_new ? after : row.doc));
  if (changed) PLINTH_RETURN_IF_ERROR(store.Replace(row, after));
  return std::optional<doc::Document>(std::move(shown));
}

std::unique_ptr<Cursor> MakeVectorCursor(std::vector<doc::Document> documents,
                                         std::int32_t batch_size) {
  return std::make_unique<VectorCursor>(std::move(documents), batch_size);
}

}  // namespace plinth::storage
