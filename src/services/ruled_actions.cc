#include "services/ruled_actions.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "expr/expression_object.h"
#include "matcher/matcher.h"
#include "matcher/projection.h"
#include "services/mongo_result.h"
#include "storage/aggregate.h"
#include "storage/cursor.h"
#include "storage/names.h"
#include "storage/operations.h"
#include "update/update.h"

namespace plinth::services {
namespace {

using base::ErrorCode;
using base::Status;

Status Denied(std::string_view what) {
  return Status(ErrorCode::kNoMatchingRuleFound, std::string(what) + " not permitted");
}

// `a` AND `b` as one filter. Disjoint top-level keys merge into one document
// (the engine picks indexes from top-level equalities, so {_id: x} stays a
// point read); otherwise $and.
doc::Document Conjoin(const doc::Document& a, const doc::Document& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  bool disjoint = true;
  for (const auto& [name, value] : b) {
    if (a.Has(name) || name.starts_with('$')) {
      disjoint = false;
      break;
    }
  }
  if (disjoint) {
    doc::Document merged = a;
    for (const auto& [name, value] : b) merged.Append(name, value);
    return merged;
  }
  return doc::Document{{"$and", doc::Value(doc::Array{doc::Value(a), doc::Value(b)})}};
}

// The request's query narrowed by the applicable filters (DECISIONS 7), and
// the projections those filters add.
struct Narrowed {
  doc::Document filter;
  std::vector<matcher::Projection> filter_projections;
  std::optional<matcher::Projection> request_projection;
  // The narrowed query as a matcher, parsed here only when the request's
  // projection has "a.$" (which shows the element the query matched) or
  // expression values (which matcher::Projection takes in find projections
  // only, those with a query).
  std::shared_ptr<const matcher::Matcher> positional_query;
};

// Whether a projection names a positional path ("a.$"): only then does it
// need the query, so other requests do not parse the query twice.
bool HasPositionalPath(const doc::Document& projection) {
  for (const auto& [name, value] : projection) {
    if (name.ends_with(".$")) return true;
  }
  return false;
}

base::Result<Narrowed> Narrow(const RuleScope& scope, const doc::Document& query,
                              const doc::Document& projection) {
  Narrowed out;
  out.filter = query;
  for (const rules::CompiledFilter* f : scope.rules->ApplicableFilters(scope.base)) {
    PLINTH_ASSIGN_OR_RETURN(doc::Document expanded, f->query.ExpandQuery(scope.base));
    out.filter = Conjoin(out.filter, expanded);
    if (f->projection.empty()) continue;
    PLINTH_ASSIGN_OR_RETURN(matcher::Projection p, matcher::Projection::Parse(f->projection));
    out.filter_projections.push_back(std::move(p));
  }
  if (!projection.empty()) {
    if (HasPositionalPath(projection) ||
        expr::ExpressionObject::ProjectHasExpressions(projection)) {
      PLINTH_ASSIGN_OR_RETURN(out.positional_query, matcher::Matcher::Parse(out.filter));
    }
    PLINTH_ASSIGN_OR_RETURN(matcher::Projection p,
                            matcher::Projection::Parse(projection, out.positional_query.get()));
    for (const matcher::Projection& f : out.filter_projections) {
      if (!p.empty() && f.is_inclusion() != p.is_inclusion()) {
        return Status(ErrorCode::kBadValue,
                      "the projection of a filter and the request's projection mix inclusion "
                      "and exclusion");
      }
    }
    out.request_projection = std::move(p);
  }
  return out;
}

rules::EvalContext DocumentContext(const RuleScope& scope, const doc::Document* root,
                                   const doc::Document* prev_root) {
  rules::EvalContext ctx = scope.base;
  ctx.root = root;
  ctx.prev_root = prev_root;
  return ctx;
}

// What the caller is shown of `document` under `decision`: readable fields,
// then the filters' projections, then the request's. nullopt: invisible.
// An error only from a positional projection with no matched element, which
// fails the read as in MongoDB.
base::Result<std::optional<doc::Document>> Shown(const rules::RoleDecision& decision,
                                                 const doc::Document& document,
                                                 const Narrowed& narrowed) {
  if (!decision.has_role()) return std::optional<doc::Document>();
  doc::Document readable = decision.ReadableProjection(document);
  if (readable.empty()) return std::optional<doc::Document>();
  for (const matcher::Projection& p : narrowed.filter_projections) readable = p.Apply(readable);
  if (!narrowed.request_projection) return std::optional<doc::Document>(std::move(readable));
  if (!narrowed.request_projection->needs_match_details()) {
    return std::optional<doc::Document>(narrowed.request_projection->Apply(readable));
  }
  matcher::MatchDetails details;
  narrowed.positional_query->Matches(document, &details);
  PLINTH_ASSIGN_OR_RETURN(doc::Document shown,
                          narrowed.request_projection->Apply(readable, details));
  return std::optional<doc::Document>(std::move(shown));
}

base::Result<std::optional<doc::Document>> ShownAs(const RuleScope& scope,
                                                   const doc::Document& document,
                                                   const doc::Document* prev_root,
                                                   const Narrowed& narrowed) {
  rules::EvalContext ctx = DocumentContext(scope, &document, prev_root);
  return Shown(scope.rules->Decide(ctx), document, narrowed);
}

// Reads the documents matching narrowed.filter in `sort` order and calls
// `visit` with each one the caller can read and what the caller may see of
// it; stops early when `visit` returns false.
using Visitor = std::function<bool(doc::Document& document, doc::Document& shown)>;

Status ForEachVisible(storage::Collection& coll, const RuleScope& scope, const Narrowed& narrowed,
                      const doc::Document& sort, const Visitor& visit) {
  storage::FindOptions options;
  options.sort = sort;
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Cursor> cursor,
                          coll.Find(narrowed.filter, options));
  std::vector<doc::Document> batch;
  while (true) {
    batch.clear();
    PLINTH_ASSIGN_OR_RETURN(bool more, cursor->NextBatch(&batch));
    if (!more) return Status::Ok();
    for (doc::Document& d : batch) {
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Document> shown,
                              ShownAs(scope, d, nullptr, narrowed));
      if (!shown) continue;
      if (!visit(d, *shown)) return Status::Ok();
    }
  }
}

// A store collection handle for `ns`.
base::Result<std::shared_ptr<storage::Collection>> Open(storage::Engine& store,
                                                        const storage::StoreNamespace& ns) {
  return store.GetCollection(ns.database, ns.collection);
}

std::int64_t AbsLimit(std::int64_t limit) { return limit < 0 ? -limit : limit; }

// --- Reads -------------------------------------------------------------------

base::Result<doc::Value> RunFind(storage::Engine& store, const storage::StoreNamespace& ns,
                                 const RuleScope& scope, const MongoRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(Narrowed narrowed, Narrow(scope, req.filter, req.projection));
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(store, ns));
  const std::size_t limit =
      req.action == MongoAction::kFindOne ? 1 : static_cast<std::size_t>(AbsLimit(req.limit));
  std::vector<doc::Document> found;
  PLINTH_RETURN_IF_ERROR(
      ForEachVisible(*coll, scope, narrowed, req.sort, [&](doc::Document&, doc::Document& shown) {
        found.push_back(std::move(shown));
        return limit == 0 || found.size() < limit;
      }));
  if (req.action == MongoAction::kFindOne) {
    return EncodeOptionalDocument(found.empty() ? std::nullopt
                                                : std::optional<doc::Document>(found.front()));
  }
  return EncodeDocuments(found);
}

base::Result<doc::Value> RunCount(storage::Engine& store, const storage::StoreNamespace& ns,
                                  const RuleScope& scope, const MongoRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(Narrowed narrowed, Narrow(scope, req.filter, doc::Document{}));
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(store, ns));
  const std::int64_t limit = AbsLimit(req.limit);
  std::int64_t n = 0;
  PLINTH_RETURN_IF_ERROR(
      ForEachVisible(*coll, scope, narrowed, doc::Document{}, [&](doc::Document&, doc::Document&) {
        ++n;
        return limit == 0 || n < limit;
      }));
  return EncodeCount(n);
}

// distinct over the visible documents as the caller sees them: a field the
// caller may not read contributes nothing.
base::Result<doc::Value> RunDistinct(storage::Engine& store, const storage::StoreNamespace& ns,
                                     const RuleScope& scope, const MongoRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(doc::FieldPath field, storage::ParseDistinctField(req.distinct_field));
  PLINTH_ASSIGN_OR_RETURN(Narrowed narrowed, Narrow(scope, req.filter, doc::Document{}));
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(store, ns));
  std::vector<doc::Document> shown_documents;
  PLINTH_RETURN_IF_ERROR(ForEachVisible(*coll, scope, narrowed, doc::Document{},
                                        [&](doc::Document&, doc::Document& shown) {
                                          shown_documents.push_back(std::move(shown));
                                          return true;
                                        }));
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Value> values,
                          storage::DistinctOf(shown_documents, field));
  doc::Array out;
  out.mutable_values() = std::move(values);
  return doc::Value(std::move(out));
}

// Stage names a user's pipeline may not hold, at any depth ($facet, a
// $lookup's pipeline).
Status CheckStages(const std::vector<doc::Document>& pipeline) {
  auto check_sub = [](const doc::Value& sub) -> Status {
    if (!sub.is_array()) return Status::Ok();
    std::vector<doc::Document> stages;
    for (const doc::Value& v : sub.as_array()) {
      if (v.is_document()) stages.push_back(v.as_document());
    }
    return CheckStages(stages);
  };
  for (const doc::Document& stage : pipeline) {
    for (const auto& [name, arg] : stage) {
      if (name == "$out" || name == "$merge") {
        return Status(ErrorCode::kBadValue,
                      name + " is not allowed: it writes outside the rules of the caller");
      }
      if (name == "$graphLookup" || name == "$unionWith") {
        return Status(ErrorCode::kBadValue,
                      name + " reads another collection, which is not supported under rules yet");
      }
      if (name == "$facet" && arg.is_document()) {
        for (const auto& [facet, sub] : arg.as_document()) PLINTH_RETURN_IF_ERROR(check_sub(sub));
      }
      if (name == "$lookup" && arg.is_document()) {
        const doc::Value* sub = arg.as_document().Get("pipeline");
        if (sub != nullptr) PLINTH_RETURN_IF_ERROR(check_sub(*sub));
      }
    }
  }
  return Status::Ok();
}

// $lookup's reads for a user: the target collection of the request's
// database through the same visibility path as a find by the caller, under
// the target's own rules. Lives for one aggregate; used from its thread.
class RuledForeignSource final : public storage::pipeline::ForeignSource {
 public:
  RuledForeignSource(storage::Engine& store, const RuleScope& scope)
      : store_(store), scope_(scope) {}

  base::Result<std::vector<doc::Document>> Read(const std::string& collection,
                                                const doc::Document& filter) override {
    PLINTH_RETURN_IF_ERROR(storage::ValidateCollectionName(collection));
    std::vector<doc::Document> out;
    if (!scope_.foreign) return out;
    const ForeignCollection target = scope_.foreign(collection);
    if (target.rules == nullptr) return out;  // no rules: nothing is readable
    RuleScope target_scope = scope_;
    target_scope.rules = target.rules;
    PLINTH_ASSIGN_OR_RETURN(Narrowed narrowed, Narrow(target_scope, filter, doc::Document{}));
    PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(store_, target.ns));
    PLINTH_RETURN_IF_ERROR(ForEachVisible(*coll, target_scope, narrowed, doc::Document{},
                                          [&](doc::Document&, doc::Document& shown) {
                                            out.push_back(std::move(shown));
                                            return true;
                                          }));
    return out;
  }

 private:
  storage::Engine& store_;
  const RuleScope& scope_;
};

base::Result<doc::Value> RunAggregate(storage::Engine& store, const storage::StoreNamespace& ns,
                                      const RuleScope& scope, const MongoRequest& req) {
  PLINTH_RETURN_IF_ERROR(CheckStages(req.pipeline));
  PLINTH_ASSIGN_OR_RETURN(storage::Pipeline pipeline, storage::Pipeline::Parse(req.pipeline));
  // A leading $match narrows the read as a find's query does (and, like a
  // find's query, sees whole documents); Pipeline::Run skips it.
  doc::Document leading;
  if (!req.pipeline.empty()) {
    const doc::Value* match = req.pipeline.front().Get("$match");
    if (match != nullptr && match->is_document()) leading = match->as_document();
  }
  PLINTH_ASSIGN_OR_RETURN(Narrowed narrowed, Narrow(scope, leading, doc::Document{}));
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(store, ns));
  std::vector<doc::Document> input;
  PLINTH_RETURN_IF_ERROR(ForEachVisible(*coll, scope, narrowed, doc::Document{},
                                        [&](doc::Document&, doc::Document& shown) {
                                          input.push_back(std::move(shown));
                                          return true;
                                        }));
  RuledForeignSource foreign(store, scope);
  storage::Pipeline::RunOptions options;
  options.now_millis = scope.now_millis;
  options.foreign = &foreign;
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> output,
                          pipeline.Run(std::move(input), options));
  return EncodeDocuments(output);
}

// --- Writes ------------------------------------------------------------------

doc::Document ById(const doc::Document& document) {
  const doc::Value* id = document.Get("_id");
  return doc::Document{{"_id", id != nullptr ? *id : doc::Value()}};
}

void EnsureId(doc::Document* document, storage::ObjectIdGenerator* ids) {
  if (document->Has("_id")) return;
  auto& fields = document->mutable_fields();
  fields.insert(fields.begin(), {"_id", doc::Value(ids->Next())});
}

// Whether the role chosen on `document` (as a new document) lets the caller
// insert it.
bool MayInsert(const RuleScope& scope, const doc::Document& document) {
  rules::EvalContext ctx = DocumentContext(scope, &document, nullptr);
  return scope.rules->Decide(ctx).CanInsert();
}

base::Result<doc::Value> RunInsert(storage::Engine& store, const storage::StoreNamespace& ns,
                                   const RuleScope& scope, const MongoRequest& req) {
  if (req.action == MongoAction::kInsertOne && req.documents.size() != 1) {
    return Status(ErrorCode::kMissingParameter, "argument 'document' is required");
  }
  std::vector<doc::Document> documents = req.documents;
  for (doc::Document& d : documents) {
    EnsureId(&d, scope.ids);
    if (!MayInsert(scope, d)) return Denied("insert");
  }
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(store, ns));
  PLINTH_ASSIGN_OR_RETURN(storage::InsertResult result, coll->InsertMany(std::move(documents)));
  return req.action == MongoAction::kInsertOne ? EncodeInsertOneResult(result)
                                               : EncodeInsertManyResult(result);
}

bool IsOne(MongoAction a) {
  return a == MongoAction::kUpdateOne || a == MongoAction::kDeleteOne ||
         a == MongoAction::kFindOneAndUpdate || a == MongoAction::kFindOneAndReplace ||
         a == MongoAction::kFindOneAndDelete;
}

bool IsFindAndModify(MongoAction a) {
  return a == MongoAction::kFindOneAndUpdate || a == MongoAction::kFindOneAndReplace ||
         a == MongoAction::kFindOneAndDelete;
}

// The documents a write may touch: visible, and writable at the document
// level (others are not matched); one for the *One actions.
base::Result<std::vector<doc::Document>> WriteTargets(storage::Collection& coll,
                                                      const RuleScope& scope,
                                                      const Narrowed& narrowed,
                                                      const MongoRequest& req) {
  std::vector<doc::Document> targets;
  const bool one = IsOne(req.action);
  PLINTH_RETURN_IF_ERROR(
      ForEachVisible(coll, scope, narrowed, req.sort, [&](doc::Document& d, doc::Document&) {
        rules::EvalContext ctx = DocumentContext(scope, &d, &d);
        if (!scope.rules->Decide(ctx).CanWriteDocument()) return true;
        targets.push_back(std::move(d));
        return !one;
      }));
  return targets;
}

// What an update or replacement did, for the result of each action.
struct WriteOutcome {
  storage::UpdateResult counts;
  std::optional<doc::Document> returned;  // findOneAnd*: the shown document
};

base::Result<WriteOutcome> UpdateIn(storage::Engine& txn, const storage::StoreNamespace& ns,
                                    const RuleScope& scope, const Narrowed& narrowed,
                                    const MongoRequest& req, const update::Update& update) {
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(txn, ns));
  PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> targets,
                          WriteTargets(*coll, scope, narrowed, req));
  update::ApplyContext apply;
  apply.now_millis = scope.now_millis;
  // The narrowed query as a matcher, parsed at most once (and not at all
  // when neither "$" paths nor an upsert need it).
  std::shared_ptr<const matcher::Matcher> query = narrowed.positional_query;
  auto parsed_query = [&]() -> base::Status {
    if (query) return Status::Ok();
    PLINTH_ASSIGN_OR_RETURN(query, matcher::Matcher::Parse(narrowed.filter));
    return Status::Ok();
  };
  // "$" paths stand for the array position the query matched in each
  // document, so the query runs again on each target to learn it.
  const bool positional = update.needs_match_position() && !targets.empty();
  if (positional) PLINTH_RETURN_IF_ERROR(parsed_query());
  WriteOutcome out;
  for (const doc::Document& before : targets) {
    doc::Document after = before;
    if (positional) {
      matcher::MatchDetails details;
      query->Matches(before, &details);
      apply.positional_index = details.array_index;
    }
    PLINTH_ASSIGN_OR_RETURN(bool changed, update.Apply(&after, apply));
    // DECISIONS 8: allowed by the role on the document as it was and by the
    // role on the document as it will be.
    rules::EvalContext was = DocumentContext(scope, &before, &before);
    rules::EvalContext will_be = DocumentContext(scope, &after, &before);
    rules::RoleDecision after_role = scope.rules->Decide(will_be);
    if (!scope.rules->Decide(was).CanWriteFields(before, after) || !after_role.has_role() ||
        !after_role.CanWriteFields(before, after)) {
      return Denied("update");
    }
    ++out.counts.matched;
    if (changed) {
      PLINTH_ASSIGN_OR_RETURN(storage::UpdateResult r, coll->ReplaceOne(ById(before), after));
      if (r.matched != 1)
        return Status(ErrorCode::kWriteConflict, "the document changed meanwhile");
      ++out.counts.modified;
    }
    if (!IsFindAndModify(req.action)) continue;
    if (req.return_new) {
      PLINTH_ASSIGN_OR_RETURN(out.returned, Shown(after_role, after, narrowed));
    } else {
      PLINTH_ASSIGN_OR_RETURN(out.returned, ShownAs(scope, before, &before, narrowed));
    }
  }
  if (targets.empty() && req.upsert) {
    PLINTH_RETURN_IF_ERROR(parsed_query());
    apply.is_upsert_insert = true;
    apply.positional_index.reset();
    PLINTH_ASSIGN_OR_RETURN(doc::Document inserted,
                            update::BuildUpsertDocument(*query, update, apply));
    EnsureId(&inserted, scope.ids);
    if (!MayInsert(scope, inserted)) return Denied("insert");
    PLINTH_ASSIGN_OR_RETURN(storage::InsertResult r, coll->InsertOne(inserted));
    if (!r.inserted_ids.empty()) out.counts.upserted_id = r.inserted_ids.front();
    if (IsFindAndModify(req.action) && req.return_new) {
      PLINTH_ASSIGN_OR_RETURN(out.returned, ShownAs(scope, inserted, nullptr, narrowed));
    }
  }
  return out;
}

base::Result<doc::Value> RunUpdate(storage::Engine& store, const storage::StoreNamespace& ns,
                                   const RuleScope& scope, const MongoRequest& req) {
  const bool replacement =
      req.update_is_replacement || req.action == MongoAction::kFindOneAndReplace;
  if (replacement && !req.array_filters.empty()) {
    return Status(ErrorCode::kFailedToParse, "arrayFilters may not be used with a replacement");
  }
  PLINTH_ASSIGN_OR_RETURN(
      std::shared_ptr<const update::Update> update,
      req.update_is_pipeline ? update::Update::ParsePipeline(req.update_pipeline, req.array_filters)
      : replacement          ? update::Update::ParseReplacement(req.update)
                             : update::Update::Parse(req.update, req.array_filters));
  const bool find_and_modify = IsFindAndModify(req.action);
  PLINTH_ASSIGN_OR_RETURN(
      Narrowed narrowed,
      Narrow(scope, req.filter, find_and_modify ? req.projection : doc::Document{}));
  WriteOutcome outcome;
  PLINTH_RETURN_IF_ERROR(store.RunTransaction([&](storage::Engine& txn) -> Status {
    PLINTH_ASSIGN_OR_RETURN(outcome, UpdateIn(txn, ns, scope, narrowed, req, *update));
    return Status::Ok();
  }));
  if (find_and_modify) return EncodeOptionalDocument(outcome.returned);
  return EncodeUpdateResult(outcome.counts);
}

base::Result<doc::Value> RunDelete(storage::Engine& store, const storage::StoreNamespace& ns,
                                   const RuleScope& scope, const MongoRequest& req) {
  const bool find_and_modify = IsFindAndModify(req.action);
  PLINTH_ASSIGN_OR_RETURN(
      Narrowed narrowed,
      Narrow(scope, req.filter, find_and_modify ? req.projection : doc::Document{}));
  storage::DeleteResult counts;
  std::optional<doc::Document> returned;
  PLINTH_RETURN_IF_ERROR(store.RunTransaction([&](storage::Engine& txn) -> Status {
    PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<storage::Collection> coll, Open(txn, ns));
    PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> targets,
                            WriteTargets(*coll, scope, narrowed, req));
    for (const doc::Document& d : targets) {
      rules::EvalContext ctx = DocumentContext(scope, &d, &d);
      rules::RoleDecision role = scope.rules->Decide(ctx);
      if (!role.CanDelete()) return Denied("delete");
      PLINTH_ASSIGN_OR_RETURN(storage::DeleteResult r, coll->DeleteOne(ById(d)));
      counts.deleted += r.deleted;
      if (find_and_modify) {
        PLINTH_ASSIGN_OR_RETURN(returned, Shown(role, d, narrowed));
      }
    }
    return Status::Ok();
  }));
  if (find_and_modify) return EncodeOptionalDocument(returned);
  return EncodeDeleteResult(counts);
}

}  // namespace

base::Result<doc::Value> ExecuteWithRules(storage::Engine& store, const storage::StoreNamespace& ns,
                                          const RuleScope& scope, const MongoRequest& req) {
  switch (req.action) {
    case MongoAction::kFind:
    case MongoAction::kFindOne:
      return RunFind(store, ns, scope, req);
    case MongoAction::kCount:
      return RunCount(store, ns, scope, req);
    case MongoAction::kDistinct:
      return RunDistinct(store, ns, scope, req);
    case MongoAction::kAggregate:
      return RunAggregate(store, ns, scope, req);
    case MongoAction::kInsertOne:
    case MongoAction::kInsertMany:
      return RunInsert(store, ns, scope, req);
    case MongoAction::kUpdateOne:
    case MongoAction::kUpdateMany:
    case MongoAction::kFindOneAndUpdate:
    case MongoAction::kFindOneAndReplace:
      return RunUpdate(store, ns, scope, req);
    case MongoAction::kDeleteOne:
    case MongoAction::kDeleteMany:
    case MongoAction::kFindOneAndDelete:
      return RunDelete(store, ns, scope, req);
  }
  return Status(ErrorCode::kInternal, "unhandled MongoDB service action");
}

}  // namespace plinth::services
