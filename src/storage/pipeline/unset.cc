#include "storage/pipeline/project.h"

namespace plinth::storage::pipeline {
namespace {

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

}  // namespace

// $unset: $project of the same fields excluded.
base::Result<std::unique_ptr<const Stage>> ParseUnset(const doc::Value& arg,
                                                      const StageParseContext& ctx) {
  PLINTH_ASSIGN_OR_RETURN(doc::Document spec, UnsetAsProjection(arg));
  return ParseProject(doc::Value(std::move(spec)), ctx);
}

}  // namespace plinth::storage::pipeline
