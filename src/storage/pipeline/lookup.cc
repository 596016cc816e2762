// $lookup: joins each input document with documents of another collection of
// the same database, read through StageContext::foreign.
//
// Forms (MongoDB 5.0+):
// - {from, localField, foreignField, as}: equality join. The local values are
//   the values at localField (an array contributes each element; missing,
//   null or an empty array stand for null, which matches foreign documents
//   whose foreignField is null or missing). A foreign document matches when
//   one of its values at foreignField (array elements and the array itself)
//   equals a local value by MongoDB's comparison.
// - {from, let, pipeline, as}: the sub-pipeline runs over the foreign
//   collection once per input document, with let's variables ($$name,
//   evaluated against the input document) bound in its expressions and in
//   $match's $expr.
// - both: the equality join first, then the sub-pipeline over the matches.
//
// Reads: the equality form reads the foreign collection once per batch of
// kKeysPerRead distinct local keys ({foreignField: {$in: [...]}}, which an
// engine answers from an index on foreignField) and joins in memory through
// an ordered map of keys, instead of one read per input document. Matches
// keep the foreign collection's natural order within one read; with more
// distinct keys than one batch holds, they are ordered by batch, then
// natural order. The pipeline form reads with its leading $match when it
// has one (per input document, as the variables change it), else reads the
// whole collection once.
//
// Variables: let's values are substituted into the sub-pipeline's
// specification as {$literal: value} before it is parsed (per input
// document), because $match's $expr is parsed by matcher/, which has no
// variable scope. A $let/$map/$filter inside the sub-pipeline that rebinds
// the same name is therefore not honoured (the outer value wins).

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "doc/compare.h"
#include "doc/ejson.h"
#include "doc/field_path.h"
#include "doc/limits.h"
#include "expr/expression.h"
#include "matcher/path_values.h"
#include "storage/pipeline/stage.h"
#include "storage/pipeline/stage_table.h"

namespace plinth::storage::pipeline {
namespace {

using base::Status;
using doc::Document;
using doc::Value;

// Distinct local keys per foreign read ({$in: [...]} size). The matcher
// tests $in values one by one, so a read costs (documents read x keys);
// 100 keeps that small while one read still serves many input documents
// (bench/storage/lookup_bench.cc measured 1000 at twice the time of 100).
constexpr std::size_t kKeysPerRead = 100;

struct ValueLess {
  bool operator()(const Value& a, const Value& b) const { return doc::Compare(a, b) < 0; }
};

// The values of `document` at `path` a join compares: each value reached,
// an array as its elements (and, with `keep_arrays`, also as itself, as an
// equality query on the foreign side sees it); null when nothing is
// reached or for a missing path.
std::vector<Value> JoinKeys(const Document& document, const doc::FieldPath& path,
                            bool keep_arrays) {
  std::vector<const Value*> reached;
  matcher::CollectWithMissing(document, path, &reached);
  std::vector<Value> keys;
  for (const Value* v : reached) {
    if (v == nullptr) {
      keys.emplace_back();
      continue;
    }
    if (v->is_array()) {
      for (const Value& e : v->as_array()) keys.push_back(e);
      if (!keep_arrays) continue;
    }
    keys.push_back(*v);
  }
  if (keys.empty()) keys.emplace_back();
  return keys;
}

// The join keys of a local document: array elements for arrays.
std::vector<Value> LocalKeys(const Document& document, const doc::FieldPath& path) {
  return JoinKeys(document, path, /*keep_arrays=*/false);
}

// The values a foreign document offers for matching: array elements and the
// array itself.
std::vector<Value> ForeignKeys(const Document& document, const doc::FieldPath& path) {
  return JoinKeys(document, path, /*keep_arrays=*/true);
}

// Sets `value` at the dotted `path` of *document, replacing what is there
// and making sub-documents on the way (a non-document on the way is
// replaced), as $lookup's "as" does.
void SetPath(Document* document, const doc::FieldPath& path, std::size_t i, Value value) {
  const std::string& name = path[i];
  if (i + 1 == path.size()) {
    document->Set(name, std::move(value));
    return;
  }
  Value* child = document->GetMutable(name);
  if (child == nullptr || !child->is_document()) {
    document->Set(name, Value(Document{}));
    child = document->GetMutable(name);
  }
  SetPath(&child->as_document(), path, i + 1, std::move(value));
}

// --- Variables ------------------------------------------------------------

using Bindings = std::vector<std::pair<std::string, Value>>;

// The value at `rest` (dotted, may be empty) below `v`; nullopt: missing.
std::optional<Value> Descend(const Value& v, std::string_view rest) {
  if (rest.empty()) return v;
  const std::size_t dot = rest.find('.');
  const std::string_view head = rest.substr(0, dot);
  const std::string_view tail = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
  if (v.is_document()) {
    const Value* child = v.as_document().Get(head);
    if (child == nullptr) return std::nullopt;
    return Descend(*child, tail);
  }
  if (v.is_array()) {
    doc::Array out;
    for (const Value& e : v.as_array()) {
      if (!e.is_document()) continue;
      if (std::optional<Value> x = Descend(e, rest)) out.Append(std::move(*x));
    }
    return Value(std::move(out));
  }
  return std::nullopt;
}

Value Substitute(const Value& v, const Bindings& let);

Document SubstituteDocument(const Document& d, const Bindings& let) {
  Document out;
  for (const auto& [name, value] : d) {
    // A literal's argument is data, not an expression.
    out.Append(name, name == "$literal" ? value : Substitute(value, let));
  }
  return out;
}

// `v` with every "$$name" / "$$name.path" of a bound name replaced by the
// value as a literal ($$REMOVE when the path reaches nothing).
Value Substitute(const Value& v, const Bindings& let) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.size() < 3 || s[0] != '$' || s[1] != '$') return v;
    const std::string_view ref = std::string_view(s).substr(2);
    const std::size_t dot = ref.find('.');
    const std::string_view name = ref.substr(0, dot);
    for (const auto& [bound, value] : let) {
      if (bound != name) continue;
      std::optional<Value> reached =
          Descend(value, dot == std::string_view::npos ? "" : ref.substr(dot + 1));
      if (!reached) return Value("$$REMOVE");
      return Value(Document{{"$literal", std::move(*reached)}});
    }
    return v;
  }
  if (v.is_document()) return Value(SubstituteDocument(v.as_document(), let));
  if (v.is_array()) {
    doc::Array out;
    for (const Value& e : v.as_array()) out.Append(Substitute(e, let));
    return Value(std::move(out));
  }
  return v;
}

// A $match filter with variables substituted only inside $expr (elsewhere
// "$$x" is a plain string to the query language).
Document SubstituteMatch(const Document& filter, const Bindings& let) {
  Document out;
  for (const auto& [name, value] : filter) {
    if (name == "$expr") {
      out.Append(name, Substitute(value, let));
    } else if ((name == "$and" || name == "$or" || name == "$nor") && value.is_array()) {
      doc::Array branches;
      for (const Value& b : value.as_array()) {
        branches.Append(b.is_document() ? Value(SubstituteMatch(b.as_document(), let)) : b);
      }
      out.Append(name, Value(std::move(branches)));
    } else {
      out.Append(name, value);
    }
  }
  return out;
}

std::vector<Document> SubstituteStages(const std::vector<Document>& stages, const Bindings& let) {
  std::vector<Document> out;
  out.reserve(stages.size());
  for (const Document& stage : stages) {
    if (stage.size() == 1 && stage.fields()[0].first == "$match" &&
        stage.fields()[0].second.is_document()) {
      out.push_back(Document{
          {"$match", Value(SubstituteMatch(stage.fields()[0].second.as_document(), let))}});
    } else {
      out.push_back(SubstituteDocument(stage, let));
    }
  }
  return out;
}

bool ValidVariableName(const std::string& name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || static_cast<unsigned char>(c) >= 0x80;
    if (!ok) return false;
  }
  return true;
}

// --- The stage -------------------------------------------------------------

class LookupStage : public Stage {
 public:
  std::string from;
  std::optional<doc::FieldPath> local_field;
  std::optional<doc::FieldPath> foreign_field;
  std::string foreign_field_text;
  std::optional<doc::FieldPath> as;  // always set by ParseLookup
  std::vector<std::pair<std::string, expr::Expression>> let;
  std::optional<std::vector<Document>> pipeline;
  // The parsed sub-pipeline when it needs no per-document substitution.
  std::vector<std::unique_ptr<const Stage>> fixed_stages;
  StageParseContext parse_ctx;

  base::Result<std::vector<Document>> Run(std::vector<Document> docs,
                                          StageContext& ctx) const override {
    if (ctx.foreign == nullptr) {
      return base::BadValue("$lookup cannot read collection '" + from +
                            "': this pipeline has no access to other collections");
    }
    std::vector<std::vector<Document>> matches(docs.size());
    if (local_field) {
      PLINTH_RETURN_IF_ERROR(EqualityJoin(docs, ctx, &matches));
    }
    if (pipeline) {
      PLINTH_RETURN_IF_ERROR(RunSubPipeline(docs, ctx, &matches));
    }
    for (std::size_t i = 0; i < docs.size(); ++i) {
      doc::Array joined;
      for (Document& m : matches[i]) joined.Append(Value(std::move(m)));
      SetPath(&docs[i], *as, 0, Value(std::move(joined)));
      // MongoDB's limit on a joined document (16 MiB, 100 levels).
      PLINTH_RETURN_IF_ERROR(doc::CheckLimits(docs[i], doc::Limits{}));
    }
    return docs;
  }

 private:
  Status EqualityJoin(const std::vector<Document>& docs, StageContext& ctx,
                      std::vector<std::vector<Document>>* matches) const {
    std::vector<std::vector<Value>> local(docs.size());
    std::map<Value, bool, ValueLess> distinct;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      local[i] = LocalKeys(docs[i], *local_field);
      for (const Value& k : local[i]) distinct.emplace(k, true);
    }
    // Foreign documents, each once (by _id), and the ones each key reaches.
    std::vector<Document> foreign;
    std::map<Value, std::size_t, ValueLess> by_id;
    std::map<Value, std::vector<std::size_t>, ValueLess> by_key;
    auto it = distinct.begin();
    while (it != distinct.end()) {
      doc::Array batch;
      for (std::size_t n = 0; n < kKeysPerRead && it != distinct.end(); ++n, ++it) {
        batch.Append(it->first);
      }
      Document filter{{foreign_field_text, Value(Document{{"$in", Value(std::move(batch))}})}};
      PLINTH_ASSIGN_OR_RETURN(std::vector<Document> read, ctx.foreign->Read(from, filter));
      for (Document& d : read) {
        const Value* id = d.Get("_id");
        if (id != nullptr && by_id.count(*id) > 0) continue;
        const std::size_t index = foreign.size();
        if (id != nullptr) by_id.emplace(*id, index);
        for (const Value& k : ForeignKeys(d, *foreign_field)) {
          std::vector<std::size_t>& bucket = by_key[k];
          if (bucket.empty() || bucket.back() != index) bucket.push_back(index);
        }
        foreign.push_back(std::move(d));
      }
    }
    for (std::size_t i = 0; i < docs.size(); ++i) {
      std::vector<std::size_t> hits;
      for (const Value& k : local[i]) {
        auto b = by_key.find(k);
        if (b != by_key.end()) hits.insert(hits.end(), b->second.begin(), b->second.end());
      }
      std::sort(hits.begin(), hits.end());
      hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
      for (std::size_t h : hits) (*matches)[i].push_back(foreign[h]);
    }
    return Status::Ok();
  }

  Status RunSubPipeline(const std::vector<Document>& docs, StageContext& ctx,
                        std::vector<std::vector<Document>>* matches) const {
    // Without an equality join, the sub-pipeline reads the collection: with
    // its leading $match when it has one, else all of it, once.
    std::optional<std::vector<Document>> whole;
    // Uncorrelated (no let, no equality join): one result for every input
    // document, computed once.
    const bool uncorrelated = let.empty() && !local_field;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      if (uncorrelated && i > 0) {
        (*matches)[i] = (*matches)[0];
        continue;
      }
      Bindings bound;
      for (const auto& [name, e] : let) {
        expr::EvalContext eval = ctx.Eval(docs[i]);
        PLINTH_ASSIGN_OR_RETURN(std::optional<Value> v, e.Evaluate(eval));
        bound.emplace_back(name, v.has_value() ? std::move(*v) : Value());
      }
      std::vector<Document> specs = let.empty() ? *pipeline : SubstituteStages(*pipeline, bound);
      std::vector<std::unique_ptr<const Stage>> parsed;
      const std::vector<std::unique_ptr<const Stage>>* stages = &fixed_stages;
      if (!let.empty()) {
        PLINTH_ASSIGN_OR_RETURN(parsed, ParseStages(specs, parse_ctx));
        stages = &parsed;
      }
      std::vector<Document> input;
      std::size_t skip = 0;
      if (local_field) {
        input = std::move((*matches)[i]);
      } else if (!specs.empty() && specs.front().Has("$match") &&
                 specs.front().Get("$match")->is_document()) {
        PLINTH_ASSIGN_OR_RETURN(
            input, ctx.foreign->Read(from, specs.front().Get("$match")->as_document()));
        skip = 1;  // the read applied it
      } else {
        if (!whole) {
          PLINTH_ASSIGN_OR_RETURN(whole, ctx.foreign->Read(from, Document{}));
        }
        input = *whole;
      }
      for (std::size_t s = skip; s < stages->size(); ++s) {
        PLINTH_ASSIGN_OR_RETURN(input, (*stages)[s]->Run(std::move(input), ctx));
      }
      (*matches)[i] = std::move(input);
    }
    return Status::Ok();
  }
};

base::Result<std::string> StringOption(const Document& spec, const char* name) {
  const Value* v = spec.Get(name);
  if (v == nullptr) return std::string();
  if (!v->is_string()) {
    return Status(base::ErrorCode::kFailedToParse,
                  std::string("$lookup argument '") + name + ": " + doc::ToRelaxedJson(*v) +
                      "' must be a string, is type " + std::string(doc::TypeName(v->type())));
  }
  return v->as_string();
}

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseLookup(const Value& arg,
                                                       const StageParseContext& ctx) {
  if (!arg.is_document()) {
    return Status(base::ErrorCode::kFailedToParse,
                  "the $lookup specification must be an Object, but found " +
                      std::string(doc::TypeName(arg.type())));
  }
  const Document& spec = arg.as_document();
  auto stage = std::make_unique<LookupStage>();
  stage->parse_ctx = ctx;
  for (const auto& [name, value] : spec) {
    if (name != "from" && name != "localField" && name != "foreignField" && name != "as" &&
        name != "let" && name != "pipeline") {
      return Status(base::ErrorCode::kFailedToParse, "unknown argument to $lookup: " + name);
    }
  }
  PLINTH_ASSIGN_OR_RETURN(stage->from, StringOption(spec, "from"));
  PLINTH_ASSIGN_OR_RETURN(std::string as, StringOption(spec, "as"));
  PLINTH_ASSIGN_OR_RETURN(std::string local, StringOption(spec, "localField"));
  PLINTH_ASSIGN_OR_RETURN(std::string foreign, StringOption(spec, "foreignField"));
  if (!spec.Has("from")) {
    return Status(base::ErrorCode::kFailedToParse, "must specify 'from' field for a $lookup");
  }
  if (as.empty()) {
    return Status(base::ErrorCode::kFailedToParse, "must specify 'as' field for a $lookup");
  }
  PLINTH_ASSIGN_OR_RETURN(stage->as, doc::FieldPath::Parse(as));
  const bool has_local = spec.Has("localField");
  const bool has_foreign = spec.Has("foreignField");
  if (has_local != has_foreign) {
    return Status(base::ErrorCode::kFailedToParse,
                  "$lookup requires both or neither of 'localField' and 'foreignField' to be "
                  "specified");
  }
  if (has_local) {
    PLINTH_ASSIGN_OR_RETURN(stage->local_field, doc::FieldPath::Parse(local));
    PLINTH_ASSIGN_OR_RETURN(stage->foreign_field, doc::FieldPath::Parse(foreign));
    stage->foreign_field_text = foreign;
  }
  const Value* pipeline = spec.Get("pipeline");
  const Value* let = spec.Get("let");
  if (pipeline == nullptr && !has_local) {
    return Status(base::ErrorCode::kFailedToParse,
                  "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' "
                  "to be specified");
  }
  if (let != nullptr && pipeline == nullptr) {
    return Status(base::ErrorCode::kFailedToParse,
                  "$lookup with 'let' must also specify 'pipeline'");
  }
  if (let != nullptr) {
    if (!let->is_document()) {
      return Status(base::ErrorCode::kFailedToParse,
                    "$lookup argument 'let' must be an object, is type " +
                        std::string(doc::TypeName(let->type())));
    }
    for (const auto& [name, value] : let->as_document()) {
      if (!ValidVariableName(name)) {
        return base::BadValue("'" + name +
                              "' starts with an invalid character for a user "
                              "variable name");
      }
      PLINTH_ASSIGN_OR_RETURN(expr::Expression e, expr::Expression::Parse(value));
      stage->let.emplace_back(name, std::move(e));
    }
  }
  if (pipeline != nullptr) {
    if (!pipeline->is_array()) {
      return Status(base::ErrorCode::kFailedToParse,
                    "$lookup argument 'pipeline' must be an array, is type " +
                        std::string(doc::TypeName(pipeline->type())));
    }
    std::vector<Document> stages;
    for (const Value& s : pipeline->as_array()) {
      if (!s.is_document()) {
        return Status(base::ErrorCode::kFailedToParse,
                      "each element of the 'pipeline' array must be an object");
      }
      stages.push_back(s.as_document());
    }
    // Parsed once to report errors now; with variables, parsed again per
    // input document after substitution (placeholders keep the parse
    // valid: every bound name becomes null).
    Bindings placeholders;
    for (const auto& [name, unused] : stage->let) placeholders.emplace_back(name, Value());
    PLINTH_ASSIGN_OR_RETURN(stage->fixed_stages,
                            ParseStages(SubstituteStages(stages, placeholders), ctx));
    stage->pipeline = std::move(stages);
  }
  return std::unique_ptr<const Stage>(std::move(stage));
}

}  // namespace plinth::storage::pipeline
