#include "storage/aggregate.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <optional>
#include <string_view>

#include "doc/ejson.h"
#include "expr/expression.h"
#include "expr/expression_object.h"
#include "matcher/projection.h"
#include "matcher/sort.h"

namespace plinth::storage {

struct Pipeline::StageSpec {
  enum class Kind { kMatch, kProject, kSort, kSkip, kLimit, kCount, kFields, kReplaceRoot };
  Kind kind = Kind::kMatch;
  std::optional<expr::ExpressionObject> fields;  // kFields: $addFields/$set, computed $project
  expr::Expression new_root;                     // kReplaceRoot
  std::shared_ptr<const matcher::Matcher> match;
  std::shared_ptr<const matcher::Projection> project;
  std::shared_ptr<const matcher::SortSpec> sort;
  std::int64_t n = 0;
  std::string count_field;
};

namespace {

constexpr std::array<std::string_view, 25> kLaterStages = {
    "$group",        "$lookup",      "$unwind",          "$facet",       "$bucket",
    "$bucketAuto",   "$sortByCount", "$sample",          "$graphLookup", "$unionWith",
    "$densify",      "$fill",        "$setWindowFields", "$redact",      "$geoNear",
    "$out",          "$merge",       "$indexStats",      "$collStats",   "$documents",
    "$changeStream", "$search",      "$listSessions",    "$currentOp",   "$planCacheStats"};

// $unset's argument as the equivalent exclusion projection.
base::Result<doc::Document> UnsetAsProjection(const doc::Value& arg) {
  doc::Document spec;
  if (arg.is_string()) {
    spec.Append(arg.as_string(), doc::Value(0));
    return spec;
  }
  if (!arg.is_array()) {
    return base::BadValue("$unset specification must be a string or an array");
  }
  if (arg.as_array().empty()) {
    return base::BadValue(
        "$unset specification must be a string or an array with at least one "
        "field");
  }
  for (const doc::Value& v : arg.as_array()) {
    if (!v.is_string()) {
      return base::BadValue(
          "$unset specification must be a string or an array containing only "
          "string values");
    }
    spec.Append(v.as_string(), doc::Value(0));
  }
  return spec;
}

base::Result<std::int64_t> NonNegativeInteger(const doc::Value& v, std::string_view stage) {
  std::int64_t n = 0;
  if (v.type() == doc::Type::kInt32) {
    n = v.as_int32();
  } else if (v.type() == doc::Type::kInt64) {
    n = v.as_int64();
  } else if (v.type() == doc::Type::kDouble && std::trunc(v.as_double()) == v.as_double() &&
             std::fabs(v.as_double()) < 9.0e18) {
    n = static_cast<std::int64_t>(v.as_double());
  } else {
    return base::BadValue("invalid argument to " + std::string(stage) +
                          " stage: Expected an integer");
  }
  if (n < 0) {
    return base::BadValue("invalid argument to " + std::string(stage) +
                          " stage: Expected a non-negative number");
  }
  return n;
}

}  // namespace

base::Result<Pipeline> Pipeline::Parse(const std::vector<doc::Document>& stages) {
  Pipeline pipeline;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const doc::Document& stage = stages[i];
    if (stage.size() != 1) {
      return base::Status(base::ErrorCode::kFailedToParse,
                          "A pipeline stage specification object must contain exactly one field.");
    }
    const auto& [name, arg] = stage.fields()[0];
    auto spec = std::make_shared<StageSpec>();
    if (name == "$match") {
      if (!arg.is_document())
        return base::BadValue("the match filter must be an expression in an object");
      PLINTH_ASSIGN_OR_RETURN(spec->match, matcher::Matcher::Parse(arg.as_document()));
      if (i == 0) {
        pipeline.first_match_ = spec->match;
        continue;
      }
      spec->kind = StageSpec::Kind::kMatch;
    } else if (name == "$project") {
      if (!arg.is_document()) return base::BadValue("$project specification must be an object");
      if (expr::ExpressionObject::ProjectHasExpressions(arg.as_document())) {
        spec->kind = StageSpec::Kind::kFields;
        PLINTH_ASSIGN_OR_RETURN(
            spec->fields, expr::ExpressionObject::Parse(arg.as_document(),
                                                        expr::ExpressionObject::Mode::kProject));
      } else {
        PLINTH_ASSIGN_OR_RETURN(auto projection, matcher::Projection::Parse(arg.as_document()));
        spec->kind = StageSpec::Kind::kProject;
        spec->project = std::make_shared<const matcher::Projection>(std::move(projection));
      }
    } else if (name == "$addFields" || name == "$set") {
      if (!arg.is_document()) {
        return base::BadValue(name + " specification stage must be an object, got " +
                              std::string(doc::TypeName(arg.type())));
      }
      spec->kind = StageSpec::Kind::kFields;
      PLINTH_ASSIGN_OR_RETURN(
          spec->fields, expr::ExpressionObject::Parse(arg.as_document(),
                                                      expr::ExpressionObject::Mode::kAddFields));
    } else if (name == "$unset") {
      PLINTH_ASSIGN_OR_RETURN(doc::Document unset, UnsetAsProjection(arg));
      PLINTH_ASSIGN_OR_RETURN(auto projection, matcher::Projection::Parse(unset));
      spec->kind = StageSpec::Kind::kProject;
      spec->project = std::make_shared<const matcher::Projection>(std::move(projection));
    } else if (name == "$replaceRoot" || name == "$replaceWith") {
      const doc::Value* root = &arg;
      if (name == "$replaceRoot") {
        if (!arg.is_document()) {
          return base::BadValue("$replaceRoot stage must be an object, got " +
                                std::string(doc::TypeName(arg.type())));
        }
        const doc::Document& d = arg.as_document();
        for (const auto& [field, unused] : d) {
          if (field != "newRoot") {
            return base::BadValue("unrecognized option to $replaceRoot stage: " + field +
                                  ", only valid option is 'newRoot'.");
          }
        }
        root = d.Get("newRoot");
        if (root == nullptr)
          return base::BadValue("no newRoot specified for the $replaceRoot stage");
      }
      spec->kind = StageSpec::Kind::kReplaceRoot;
      PLINTH_ASSIGN_OR_RETURN(spec->new_root, expr::Expression::Parse(*root));
    } else if (name == "$sort") {
      if (!arg.is_document())
        return base::BadValue("the $sort key specification must be an object");
      PLINTH_ASSIGN_OR_RETURN(auto sort, matcher::SortSpec::Parse(arg.as_document()));
      if (sort.empty()) return base::BadValue("$sort stage must have at least one sort key");
      spec->kind = StageSpec::Kind::kSort;
      spec->sort = std::make_shared<const matcher::SortSpec>(std::move(sort));
    } else if (name == "$skip") {
      spec->kind = StageSpec::Kind::kSkip;
      PLINTH_ASSIGN_OR_RETURN(spec->n, NonNegativeInteger(arg, "$skip"));
    } else if (name == "$limit") {
      spec->kind = StageSpec::Kind::kLimit;
      PLINTH_ASSIGN_OR_RETURN(spec->n, NonNegativeInteger(arg, "$limit"));
      if (spec->n == 0) return base::BadValue("the limit must be positive");
    } else if (name == "$count") {
      if (!arg.is_string() || arg.as_string().empty()) {
        return base::BadValue("the count field must be a non-empty string");
      }
      const std::string& field = arg.as_string();
      if (field[0] == '$') return base::BadValue("the count field cannot be a $-prefixed path");
      if (field.find('.') != std::string::npos) {
        return base::BadValue("the count field cannot contain '.'");
      }
      spec->kind = StageSpec::Kind::kCount;
      spec->count_field = field;
    } else if (std::find(kLaterStages.begin(), kLaterStages.end(), name) != kLaterStages.end()) {
      return base::BadValue("pipeline stage '" + name + "' is not supported yet");
    } else {
      return base::BadValue("Unrecognized pipeline stage name: '" + name + "'");
    }
    pipeline.stages_.push_back(std::move(spec));
  }
  if (!pipeline.first_match_) {
    PLINTH_ASSIGN_OR_RETURN(pipeline.first_match_, matcher::Matcher::Parse(doc::Document{}));
  }
  return pipeline;
}

std::int64_t Pipeline::CurrentMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

base::Result<std::vector<doc::Document>> Pipeline::Run(std::vector<doc::Document> docs,
                                                       std::int64_t now_millis) const {
  for (const auto& stage : stages_) {
    switch (stage->kind) {
      case StageSpec::Kind::kFields:
        for (auto& d : docs) {
          expr::EvalContext ctx;
          ctx.root = &d;
          ctx.now_millis = now_millis;
          PLINTH_ASSIGN_OR_RETURN(doc::Document out, stage->fields->Apply(d, ctx));
          d = std::move(out);
        }
        break;
      case StageSpec::Kind::kReplaceRoot:
        for (auto& d : docs) {
          expr::EvalContext ctx;
          ctx.root = &d;
          ctx.now_millis = now_millis;
          PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> v, stage->new_root.Evaluate(ctx));
          if (!v.has_value() || !v->is_document()) {
            return base::BadValue(
                "'newRoot' expression must evaluate to an object, but resulting value was: " +
                std::string(v.has_value() ? doc::ToRelaxedJson(*v) : "MISSING") +
                ". Type of resulting value: '" +
                std::string(v.has_value() ? doc::TypeName(v->type()) : "missing") + "'.");
          }
          doc::Document out = std::move(v->as_document());
          d = std::move(out);
        }
        break;
      case StageSpec::Kind::kMatch: {
        std::vector<doc::Document> kept;
        for (auto& d : docs) {
          if (stage->match->Matches(d)) kept.push_back(std::move(d));
        }
        docs = std::move(kept);
        break;
      }
      case StageSpec::Kind::kProject:
        for (auto& d : docs) d = stage->project->Apply(d);
        break;
      case StageSpec::Kind::kSort:
        std::stable_sort(docs.begin(), docs.end(),
                         [&](const doc::Document& a, const doc::Document& b) {
                           return stage->sort->Compare(a, b) < 0;
                         });
        break;
      case StageSpec::Kind::kSkip: {
        const auto n = static_cast<std::size_t>(
            std::min<std::int64_t>(stage->n, static_cast<std::int64_t>(docs.size())));
        docs.erase(docs.begin(), docs.begin() + static_cast<std::ptrdiff_t>(n));
        break;
      }
      case StageSpec::Kind::kLimit:
        if (static_cast<std::int64_t>(docs.size()) > stage->n) {
          docs.resize(static_cast<std::size_t>(stage->n));
        }
        break;
      case StageSpec::Kind::kCount: {
        const auto count = static_cast<std::int64_t>(docs.size());
        docs.clear();
        if (count > 0) {
          doc::Document out;
          if (count <= INT32_MAX) {
            out.Append(stage->count_field, static_cast<std::int32_t>(count));
          } else {
            out.Append(stage->count_field, count);
          }
          docs.push_back(std::move(out));
        }
        break;
      }
    }
  }
  return docs;
}

}  // namespace plinth::storage
