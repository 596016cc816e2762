#include "update/update_pipeline.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "doc/ejson.h"
#include "expr/expression.h"
#include "expr/expression_object.h"
#include "matcher/projection.h"

namespace plinth::update {

using base::ErrorCode;
using base::Status;
using doc::Document;
using doc::Value;

struct UpdatePipeline::Stage {
  std::optional<expr::ExpressionObject> fields;   // $set/$addFields, computed $project
  std::optional<matcher::Projection> projection;  // plain $project, $unset
  std::optional<expr::Expression> new_root;       // $replaceRoot/$replaceWith
};

namespace {

// Aggregation stages MongoDB knows but refuses inside an update.
constexpr std::array<std::string_view, 30> kRefusedStages = {
    "$match",     "$sort",         "$skip",      "$limit",        "$count",      "$group",
    "$lookup",    "$unwind",       "$facet",     "$bucket",       "$bucketAuto", "$sortByCount",
    "$sample",    "$graphLookup",  "$unionWith", "$densify",      "$fill",       "$setWindowFields",
    "$redact",    "$geoNear",      "$out",       "$merge",        "$indexStats", "$collStats",
    "$documents", "$changeStream", "$search",    "$listSessions", "$currentOp",  "$planCacheStats"};

// $unset's argument as the equivalent exclusion projection (the same rule as
// the aggregation stage: a string or a non-empty array of strings).
base::Result<Document> UnsetAsProjection(const Value& arg) {
  Document spec;
  if (arg.is_string()) {
    spec.Append(arg.as_string(), Value(0));
    return spec;
  }
  if (!arg.is_array()) {
    return base::BadValue("$unset specification must be a string or an array");
  }
  if (arg.as_array().empty()) {
    return base::BadValue(
        "$unset specification must be a string or an array with at least one field");
  }
  for (const Value& v : arg.as_array()) {
    if (!v.is_string()) {
      return base::BadValue(
          "$unset specification must be a string or an array containing only string values");
    }
    spec.Append(v.as_string(), Value(0));
  }
  return spec;
}

base::Result<expr::Expression> ParseNewRoot(const std::string& name, const Value& arg) {
  if (name == "$replaceWith") return expr::Expression::Parse(arg);
  if (!arg.is_document()) {
    return base::BadValue("$replaceRoot stage must be an object, got " +
                          std::string(doc::TypeName(arg.type())));
  }
  const Document& d = arg.as_document();
  for (const auto& [field, unused] : d) {
    if (field != "newRoot") {
      return base::BadValue("unrecognized option to $replaceRoot stage: " + field +
                            ", only valid option is 'newRoot'.");
    }
  }
  const Value* root = d.Get("newRoot");
  if (root == nullptr) return base::BadValue("no newRoot specified for the $replaceRoot stage");
  return expr::Expression::Parse(*root);
}

}  // namespace

base::Result<UpdatePipeline> UpdatePipeline::Parse(const std::vector<Document>& stages) {
  UpdatePipeline out;
  for (const Document& spec : stages) {
    if (spec.size() != 1) {
      return Status(ErrorCode::kFailedToParse,
                    "A pipeline stage specification object must contain exactly one field.");
    }
    const auto& [name, arg] = spec.fields()[0];
    auto stage = std::make_shared<Stage>();
    if (name == "$set" || name == "$addFields") {
      if (!arg.is_document()) {
        return base::BadValue(name + " specification stage must be an object, got " +
                              std::string(doc::TypeName(arg.type())));
      }
      PLINTH_ASSIGN_OR_RETURN(
          stage->fields, expr::ExpressionObject::Parse(arg.as_document(),
                                                       expr::ExpressionObject::Mode::kAddFields));
    } else if (name == "$project") {
      if (!arg.is_document()) return base::BadValue("$project specification must be an object");
      if (expr::ExpressionObject::ProjectHasExpressions(arg.as_document())) {
        PLINTH_ASSIGN_OR_RETURN(
            stage->fields, expr::ExpressionObject::Parse(arg.as_document(),
                                                         expr::ExpressionObject::Mode::kProject));
      } else {
        PLINTH_ASSIGN_OR_RETURN(stage->projection, matcher::Projection::Parse(arg.as_document()));
      }
    } else if (name == "$unset") {
      PLINTH_ASSIGN_OR_RETURN(Document unset, UnsetAsProjection(arg));
      PLINTH_ASSIGN_OR_RETURN(stage->projection, matcher::Projection::Parse(unset));
    } else if (name == "$replaceRoot" || name == "$replaceWith") {
      PLINTH_ASSIGN_OR_RETURN(stage->new_root, ParseNewRoot(name, arg));
    } else if (std::find(kRefusedStages.begin(), kRefusedStages.end(), name) !=
               kRefusedStages.end()) {
      return Status(ErrorCode::kInvalidOptions,
                    name + " is not allowed to be used within an update");
    } else {
      return base::BadValue("Unrecognized pipeline stage name: '" + name + "'");
    }
    out.stages_.push_back(std::move(stage));
  }
  return out;
}

base::Result<Document> UpdatePipeline::Run(const Document& input, std::int64_t now_millis) const {
  Document current = input;
  for (const auto& stage : stages_) {
    if (stage->projection) {
      current = stage->projection->Apply(current);
      continue;
    }
    expr::EvalContext ctx;
    ctx.root = &current;
    ctx.now_millis = now_millis;
    if (stage->fields) {
      PLINTH_ASSIGN_OR_RETURN(Document next, stage->fields->Apply(current, ctx));
      current = std::move(next);
      continue;
    }
    PLINTH_ASSIGN_OR_RETURN(Document next, expr::EvaluateNewRoot(*stage->new_root, ctx));
    current = std::move(next);
  }
  return current;
}

}  // namespace plinth::update
