#include <algorithm>
#include <optional>
#include <string>

#include "doc/compare.h"
#include "storage/pipeline/grouper.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $bucket: documents grouped by which [boundaries[i], boundaries[i+1])
// range their groupBy value falls in (_id: the lower boundary), or into the
// `default` bucket (_id: that value); output sorted by _id, as MongoDB's
// $group + $sort rewrite of it does. A value in no bucket without a
// default fails the run.
class BucketStage : public Stage {
 public:
  BucketStage(expr::Expression group_by, std::vector<doc::Value> boundaries,
              std::optional<doc::Value> fallback, std::vector<AccumulatorSpec> specs)
      : group_by_(std::move(group_by)),
        boundaries_(std::move(boundaries)),
        default_(std::move(fallback)),
        specs_(std::move(specs)) {}

  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    Grouper grouper(specs_, "$bucket", ctx);
    for (const doc::Document& d : docs) {
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> value, group_by_.Evaluate(ctx.Eval(d)));
      const doc::Value v = value.value_or(doc::Value());
      // The first boundary above v; v's bucket starts just before it.
      auto above = std::upper_bound(
          boundaries_.begin(), boundaries_.end(), v,
          [](const doc::Value& a, const doc::Value& b) { return doc::Compare(a, b) < 0; });
      const bool comparable =
          doc::CanonicalTypeRank(v.type()) == doc::CanonicalTypeRank(boundaries_.front().type());
      const doc::Value* key = nullptr;
      if (comparable && above != boundaries_.begin() && above != boundaries_.end()) {
        key = &*(above - 1);
      } else if (default_) {
        key = &*default_;
      } else {
        return base::BadValue(
            "$switch could not find a matching branch for an input, and no default was "
            "specified.");
      }
      PLINTH_RETURN_IF_ERROR(grouper.Add(*key, d, ctx));
    }
    docs.clear();
    std::vector<doc::Document> out = grouper.Finish();
    std::stable_sort(out.begin(), out.end(), [](const doc::Document& a, const doc::Document& b) {
      return doc::Compare(*a.Get("_id"), *b.Get("_id")) < 0;
    });
    return out;
  }

 private:
  expr::Expression group_by_;
  std::vector<doc::Value> boundaries_;
  std::optional<doc::Value> default_;
  std::vector<AccumulatorSpec> specs_;
};

bool IsExpressionArgument(const doc::Value& v) {
  return (v.is_string() && !v.as_string().empty() && v.as_string()[0] == '$') ||
         (v.is_document() && v.as_document().size() == 1 &&
          !v.as_document().fields()[0].first.empty() &&
          v.as_document().fields()[0].first[0] == '$');
}

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseBucket(const doc::Value& arg,
                                                       const StageParseContext&) {
  if (!arg.is_document()) {
    return base::BadValue("Argument to $bucket stage must be an object, but found type: " +
                          std::string(doc::TypeName(arg.type())) + ".");
  }
  const doc::Value* group_by = nullptr;
  const doc::Value* boundaries = nullptr;
  std::optional<doc::Value> fallback;
  doc::Document output{{"count", doc::Document{{"$sum", 1}}}};
  for (const auto& [name, value] : arg.as_document()) {
    if (name == "groupBy") {
      group_by = &value;
    } else if (name == "boundaries") {
      boundaries = &value;
    } else if (name == "default") {
      fallback = value;
    } else if (name == "output") {
      if (!value.is_document()) {
        return base::BadValue("The $bucket 'output' field must be an object, but found type: " +
                              std::string(doc::TypeName(value.type())) + ".");
      }
      output = value.as_document();
    } else {
      return base::BadValue("Unrecognized option to $bucket: " + name + ".");
    }
  }
  if (group_by == nullptr || boundaries == nullptr) {
    return base::BadValue("$bucket requires 'groupBy' and 'boundaries' to be specified.");
  }
  if (!IsExpressionArgument(*group_by)) {
    return base::BadValue(
        "The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression, but "
        "found: " +
        std::string(doc::TypeName(group_by->type())) + ".");
  }
  if (!boundaries->is_array() || boundaries->as_array().size() < 2) {
    return base::BadValue(
        "The $bucket 'boundaries' field must be an array with at least 2 values.");
  }
  const std::vector<doc::Value>& bounds = boundaries->as_array().values();
  for (std::size_t i = 1; i < bounds.size(); ++i) {
    if (doc::CanonicalTypeRank(bounds[i].type()) != doc::CanonicalTypeRank(bounds[0].type())) {
      return base::BadValue(
          "All values in the the 'boundaries' option to $bucket must have the same type.");
    }
    if (doc::Compare(bounds[i - 1], bounds[i]) >= 0) {
      return base::BadValue(
          "The 'boundaries' option to $bucket must be sorted in ascending order.");
    }
  }
  if (fallback &&
      doc::CanonicalTypeRank(fallback->type()) == doc::CanonicalTypeRank(bounds[0].type())) {
    if (doc::Compare(*fallback, bounds.front()) >= 0 &&
        doc::Compare(*fallback, bounds.back()) < 0) {
      return base::BadValue(
          "The $bucket 'default' field must be less than the lowest boundary or greater than "
          "or equal to the highest boundary.");
    }
  }
  PLINTH_ASSIGN_OR_RETURN(expr::Expression group_by_expression, expr::Expression::Parse(*group_by));
  PLINTH_ASSIGN_OR_RETURN(std::vector<AccumulatorSpec> specs, ParseAccumulators(output, false));
  return std::unique_ptr<const Stage>(std::make_unique<BucketStage>(
      std::move(group_by_expression), bounds, std::move(fallback), std::move(specs)));
}

}  // namespace plinth::storage::pipeline
