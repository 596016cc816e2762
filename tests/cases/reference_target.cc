// The reference target: a plain vector of documents driven directly by
// matcher/ and update/. It has no indexes (index ops are skipped) and no
// namespaces; everything else it does the way MongoDB documents it, so a
// difference between it and an engine points at one of the two.

#include <algorithm>
#include <array>

#include "base/clock.h"
#include "base/error_code.h"
#include "base/random.h"
#include "doc/compare.h"
#include "matcher/matcher.h"
#include "matcher/projection.h"
#include "matcher/sort.h"
#include "storage/aggregate.h"
#include "storage/object_id_generator.h"
#include "tests/cases/target.h"
#include "update/update.h"

namespace plinth::cases {
namespace {

using base::Result;
using base::Status;
using Docs = std::vector<doc::Document>;

bool IsIndexOp(const std::string& op) {
  return op == "createIndex" || op == "dropIndex" || op == "listIndexes";
}

class ReferenceTarget : public Target {
 public:
  std::optional<std::string> SkipReason(const CaseFile&, const CaseTest& t) const override {
    if (t.engine_only) return "engine_only: needs an engine";
    if (IsIndexOp(t.op)) return "the reference target has no indexes (" + t.op + ")";
    if (t.database || t.collection || t.op == "renameCollection") {
      return "the reference target has no namespaces";
    }
    return std::nullopt;
  }

  Status Load(const CaseFile& file) override {
    for (const doc::Document& d : file.documents) {
      PLINTH_RETURN_IF_ERROR(CheckNewId(docs_, d));
      docs_.push_back(d);
    }
    others_ = file.collections;
    return Status::Ok();
  }

  Result<doc::Value> Run(const CaseTest& t) override {
    const std::string& op = t.op;
    if (op == "find") {
      PLINTH_ASSIGN_OR_RETURN(Docs d, Find(t.filter, t.sort, t.projection, t.skip, t.limit));
      return DocumentsValue(std::move(d));
    }
    if (op == "findOne") {
      PLINTH_ASSIGN_OR_RETURN(Docs d, Find(t.filter, t.sort, t.projection, t.skip, 1));
      if (d.empty()) return doc::Value();
      return doc::Value(std::move(d[0]));
    }
    if (op == "count") {
      if (t.skip < 0) return base::BadValue("skip must be non-negative");
      PLINTH_ASSIGN_OR_RETURN(Docs d, Find(t.filter, {}, {}, t.skip, t.limit));
      return doc::Value(static_cast<std::int64_t>(d.size()));
    }
    if (op == "estimatedDocumentCount") return doc::Value(static_cast<std::int64_t>(docs_.size()));
    if (op == "distinct") return Distinct(t.field, t.filter);
    if (op == "insertOne") return Insert({t.document});
    if (op == "insertMany") return Insert(t.documents);
    if (op == "updateOne" || op == "updateMany" || op == "replaceOne") {
      return UpdateOp(t, op == "updateMany", op == "replaceOne");
    }
    if (op == "deleteOne" || op == "deleteMany") {
      PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(t.filter));
      std::int64_t deleted = 0;
      Docs next;
      for (doc::Document& d : docs_) {
        if ((op == "deleteMany" || deleted == 0) && m->Matches(d)) {
          ++deleted;
        } else {
          next.push_back(std::move(d));
        }
      }
      docs_ = std::move(next);
      return DeleteResultValue(deleted);
    }
    if (op == "findOneAndUpdate" || op == "findOneAndReplace" || op == "findOneAndDelete") {
      return FindAndModify(t);
    }
    if (op == "aggregate") {
      PLINTH_ASSIGN_OR_RETURN(Docs d, Aggregate(t.pipeline));
      return DocumentsValue(std::move(d));
    }
    return base::Internal("the reference target cannot run " + op);
  }

  Result<Docs> Contents() override { return docs_; }
  Result<Docs> Indexes() override { return Docs{}; }

 private:
  static Status CheckNewId(const Docs& docs, const doc::Document& d) {
    const doc::Value* id = d.Get("_id");
    if (id == nullptr) return Status::Ok();
    for (const doc::Document& other : docs) {
      const doc::Value* oid = other.Get("_id");
      if (oid != nullptr && doc::ValuesEqual(*oid, *id)) {
        return Status(base::ErrorCode::kDuplicateKey, "E11000 duplicate key error index: _id_");
      }
    }
    return Status::Ok();
  }

  doc::Value NewObjectId() { return doc::Value(ids_.Next()); }

  // A copy of `d` with an _id first (generated when absent).
  doc::Document WithId(const doc::Document& d) {
    if (d.Has("_id")) return d;
    doc::Document out;
    out.Append("_id", NewObjectId());
    for (const auto& [k, v] : d) out.Append(k, v);
    return out;
  }

  Result<doc::Value> Insert(const Docs& input) {
    Docs next = docs_;
    std::vector<doc::Value> ids;
    for (const doc::Document& d : input) {
      doc::Document with_id = WithId(d);
      PLINTH_RETURN_IF_ERROR(CheckNewId(next, with_id));
      ids.push_back(*with_id.Get("_id"));
      next.push_back(std::move(with_id));
    }
    docs_ = std::move(next);
    return InsertResultValue(ids);
  }

  // Indexes into docs_ of the matching documents, in sort order (stable over
  // natural order).
  Result<std::vector<std::size_t>> Matching(const doc::Document& filter,
                                            const doc::Document& sort) {
    PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(filter));
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < docs_.size(); ++i) {
      if (m->Matches(docs_[i])) hits.push_back(i);
    }
    if (!sort.empty()) {
      PLINTH_ASSIGN_OR_RETURN(matcher::SortSpec spec, matcher::SortSpec::Parse(sort));
      std::stable_sort(hits.begin(), hits.end(), [&](std::size_t a, std::size_t b) {
        return spec.Compare(docs_[a], docs_[b]) < 0;
      });
    }
    return hits;
  }

  Result<Docs> Find(const doc::Document& filter, const doc::Document& sort,
                    const doc::Document& projection, std::int64_t skip, std::int64_t limit) {
    if (skip < 0) return base::BadValue("skip must be non-negative");
    if (limit < 0) limit = -limit;
    PLINTH_ASSIGN_OR_RETURN(auto hits, Matching(filter, sort));
    PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(filter));
    std::optional<matcher::Projection> proj;
    if (!projection.empty()) {
      PLINTH_ASSIGN_OR_RETURN(proj, matcher::Projection::Parse(projection, m.get()));
    }
    Docs out;
    for (std::size_t i = static_cast<std::size_t>(skip); i < hits.size(); ++i) {
      if (limit > 0 && static_cast<std::int64_t>(out.size()) >= limit) break;
      const doc::Document& d = docs_[hits[i]];
      PLINTH_ASSIGN_OR_RETURN(doc::Document shown, Shown(proj, *m, d, d));
      out.push_back(std::move(shown));
    }
    return out;
  }

  // `document` projected; `matched` is what the query matched (for "a.$").
  static Result<doc::Document> Shown(const std::optional<matcher::Projection>& proj,
                                     const matcher::Matcher& m, const doc::Document& matched,
                                     const doc::Document& document) {
    if (!proj) return document;
    matcher::MatchDetails details;
    m.Matches(matched, &details);
    return proj->Apply(document, details);
  }

  Result<std::shared_ptr<const update::Update>> ParseUpdate(const CaseTest& t, bool replacement) {
    const doc::Document& u = t.update;
    const std::vector<doc::Document>& filters = t.array_filters;
    if (t.update_pipeline) {
      if (replacement) return base::BadValue("a replacement cannot be a pipeline");
      return update::Update::ParsePipeline(*t.update_pipeline, filters);
    }
    if (replacement && !filters.empty()) {
      return Status(base::ErrorCode::kFailedToParse,
                    "arrayFilters may not be used with a replacement document");
    }
    if (replacement) return update::Update::ParseReplacement(u);
    return update::Update::Parse(u, filters);
  }

  // Applies `u` to a copy of `d`, which `m` matched; `changed` says whether
  // anything changed.
  Result<doc::Document> ApplyTo(const doc::Document& d, const matcher::Matcher& m,
                                const update::Update& u, bool* changed) {
    doc::Document copy = d;
    update::ApplyContext ctx;
    ctx.now_millis = base::SystemClock::Default()->NowMillis();
    ctx.is_upsert_insert = false;
    matcher::MatchDetails details;
    m.Matches(d, &details);
    ctx.positional_index = details.array_index;
    PLINTH_ASSIGN_OR_RETURN(*changed, u.Apply(&copy, ctx));
    const doc::Value* old_id = d.Get("_id");
    const doc::Value* new_id = copy.Get("_id");
    if (old_id != nullptr && new_id == nullptr) {
      doc::Document with_id;
      with_id.Append("_id", *old_id);
      for (const auto& [k, v] : copy) with_id.Append(k, v);
      copy = std::move(with_id);
    } else if (old_id != nullptr && !doc::ValuesEqual(*old_id, *new_id)) {
      return Status(base::ErrorCode::kImmutableField,
                    "Performing an update on the path '_id' would modify the immutable field "
                    "'_id'");
    }
    return copy;
  }

  Result<doc::Document> Upserted(const doc::Document& filter, const update::Update& u) {
    PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(filter));
    update::ApplyContext ctx;
    ctx.now_millis = base::SystemClock::Default()->NowMillis();
    ctx.is_upsert_insert = true;
    PLINTH_ASSIGN_OR_RETURN(doc::Document d, update::BuildUpsertDocument(*m, u, ctx));
    doc::Document with_id = WithId(d);
    PLINTH_RETURN_IF_ERROR(CheckNewId(docs_, with_id));
    return with_id;
  }

  Result<doc::Value> UpdateOp(const CaseTest& t, bool multi, bool replacement) {
    const doc::Document& filter = t.filter;
    const bool upsert = t.upsert;
    PLINTH_ASSIGN_OR_RETURN(auto u, ParseUpdate(t, replacement));
    PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(filter));
    PLINTH_ASSIGN_OR_RETURN(auto hits, Matching(filter, {}));
    Docs next = docs_;
    std::int64_t matched = 0;
    std::int64_t modified = 0;
    for (std::size_t i : hits) {
      bool changed = false;
      PLINTH_ASSIGN_OR_RETURN(doc::Document d, ApplyTo(docs_[i], *m, *u, &changed));
      ++matched;
      if (changed) {
        ++modified;
        next[i] = std::move(d);
      }
      if (!multi) break;
    }
    std::optional<doc::Value> upserted_id;
    if (matched == 0 && upsert) {
      PLINTH_ASSIGN_OR_RETURN(doc::Document d, Upserted(filter, *u));
      upserted_id = *d.Get("_id");
      next.push_back(std::move(d));
    }
    docs_ = std::move(next);
    return UpdateResultValue(matched, modified, upserted_id);
  }

  Result<doc::Value> FindAndModify(const CaseTest& t) {
    const bool is_delete = t.op == "findOneAndDelete";
    std::shared_ptr<const update::Update> u;
    if (is_delete && !t.array_filters.empty()) {
      return Status(base::ErrorCode::kFailedToParse, "arrayFilters may not be used when deleting");
    }
    if (!is_delete) {
      PLINTH_ASSIGN_OR_RETURN(u, ParseUpdate(t, t.op == "findOneAndReplace"));
    }
    PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(t.filter));
    std::optional<matcher::Projection> proj;
    if (!t.projection.empty()) {
      PLINTH_ASSIGN_OR_RETURN(proj, matcher::Projection::Parse(t.projection, m.get()));
    }
    auto shown = [&](const doc::Document& matched, const doc::Document& d) -> Result<doc::Value> {
      PLINTH_ASSIGN_OR_RETURN(doc::Document out, Shown(proj, *m, matched, d));
      return doc::Value(std::move(out));
    };
    PLINTH_ASSIGN_OR_RETURN(auto hits, Matching(t.filter, t.sort));
    if (hits.empty()) {
      if (is_delete || !t.upsert) return doc::Value();
      PLINTH_ASSIGN_OR_RETURN(doc::Document d, Upserted(t.filter, *u));
      if (!t.return_new) {
        docs_.push_back(d);
        return doc::Value();
      }
      PLINTH_ASSIGN_OR_RETURN(doc::Value out, shown(d, d));
      docs_.push_back(d);
      return out;
    }
    const std::size_t i = hits.front();
    doc::Document before = docs_[i];
    if (is_delete) {
      PLINTH_ASSIGN_OR_RETURN(doc::Value out, shown(before, before));
      docs_.erase(docs_.begin() + static_cast<std::ptrdiff_t>(i));
      return out;
    }
    bool changed = false;
    PLINTH_ASSIGN_OR_RETURN(doc::Document after, ApplyTo(before, *m, *u, &changed));
    PLINTH_ASSIGN_OR_RETURN(doc::Value out, shown(before, t.return_new ? after : before));
    docs_[i] = after;
    return out;
  }

  // distinct the plain way: every value reached (array elements one level
  // down), kept when no earlier kept value equals it, then sorted.
  Result<doc::Value> Distinct(const std::string& field, const doc::Document& filter) {
    auto path = doc::FieldPath::Parse(field);
    if (field.empty() || !path.ok()) return base::BadValue("distinct: bad field '" + field + "'");
    PLINTH_ASSIGN_OR_RETURN(auto hits, Matching(filter, {}));
    std::vector<doc::Value> kept;
    auto keep = [&](const doc::Value& v) {
      for (const doc::Value& k : kept) {
        if (doc::ValuesEqual(k, v)) return;
      }
      kept.push_back(v);
    };
    for (std::size_t i : hits) {
      std::vector<const doc::Value*> reached;
      doc::CollectPathValues(docs_[i], *path, &reached);
      for (const doc::Value* v : reached) {
        if (v->is_array()) {
          for (const doc::Value& e : v->as_array()) keep(e);
        } else {
          keep(*v);
        }
      }
    }
    std::stable_sort(kept.begin(), kept.end(), [](const doc::Value& a, const doc::Value& b) {
      return doc::Compare(a, b) < 0;
    });
    doc::Array array;
    array.mutable_values() = std::move(kept);
    return doc::Value(std::move(array));
  }

  // $lookup's reads: the file's other collections, and "c" (this one), by
  // the matcher over each vector.
  class VectorSource final : public storage::pipeline::ForeignSource {
   public:
    explicit VectorSource(const ReferenceTarget* target) : target_(target) {}
    Result<Docs> Read(const std::string& collection, const doc::Document& filter) override {
      PLINTH_ASSIGN_OR_RETURN(auto m, matcher::Matcher::Parse(filter));
      const Docs* docs = nullptr;
      if (collection == "c") docs = &target_->docs_;
      for (const auto& [name, list] : target_->others_) {
        if (name == collection) docs = &list;
      }
      Docs out;
      if (docs == nullptr) return out;
      for (const doc::Document& d : *docs) {
        if (m->Matches(d)) out.push_back(d);
      }
      return out;
    }

   private:
    const ReferenceTarget* target_;
  };

  // The engine-neutral stages of storage/aggregate.h over the vector.
  Result<Docs> Aggregate(const std::vector<doc::Document>& stages) {
    PLINTH_ASSIGN_OR_RETURN(storage::Pipeline pipeline, storage::Pipeline::Parse(stages));
    Docs input;
    for (const doc::Document& d : docs_) {
      if (pipeline.first_match().Matches(d)) input.push_back(d);
    }
    VectorSource source(this);
    storage::Pipeline::RunOptions options;
    options.foreign = &source;
    return pipeline.Run(std::move(input), options);
  }

  Docs docs_;
  std::vector<std::pair<std::string, Docs>> others_;  // the file's `collections`, read-only
  base::SeededRandom random_{42};
  storage::ObjectIdGenerator ids_{base::SystemClock::Default(), &random_};
};

}  // namespace

std::unique_ptr<Target> NewReferenceTarget() { return std::make_unique<ReferenceTarget>(); }

}  // namespace plinth::cases
