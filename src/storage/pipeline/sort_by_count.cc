#include <algorithm>
#include <optional>

#include "storage/pipeline/grouper.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $sortByCount: $group by the expression with count: {$sum: 1}, then $sort
// by count descending; equal counts keep the order their groups first
// appeared.
class SortByCountStage : public Stage {
 public:
  SortByCountStage(expr::Expression key, std::vector<AccumulatorSpec> specs)
      : key_(std::move(key)), specs_(std::move(specs)) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    Grouper grouper(specs_, "$sortByCount", ctx);
    for (const doc::Document& d : docs) {
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> key, key_.Evaluate(ctx.Eval(d)));
      PLINTH_RETURN_IF_ERROR(grouper.Add(key.value_or(doc::Value()), d, ctx));
    }
    docs.clear();
    std::vector<doc::Document> out = grouper.Finish();
    std::stable_sort(out.begin(), out.end(), [](const doc::Document& a, const doc::Document& b) {
      return doc::Compare(*a.Get("count"), *b.Get("count")) > 0;
    });
    return out;
  }

 private:
  expr::Expression key_;
  std::vector<AccumulatorSpec> specs_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseSortByCount(const doc::Value& arg,
                                                            const StageParseContext&) {
  const bool path = arg.is_string() && !arg.as_string().empty() && arg.as_string()[0] == '$';
  const bool operator_object = arg.is_document() && arg.as_document().size() == 1 &&
                               !arg.as_document().fields()[0].first.empty() &&
                               arg.as_document().fields()[0].first[0] == '$';
  if (!path && !operator_object) {
    return base::BadValue(
        "the sortByCount field must be defined as a $-prefixed path or an expression");
  }
  PLINTH_ASSIGN_OR_RETURN(expr::Expression key, expr::Expression::Parse(arg));
  PLINTH_ASSIGN_OR_RETURN(
      std::vector<AccumulatorSpec> specs,
      ParseAccumulators(doc::Document{{"count", doc::Document{{"$sum", 1}}}}, false));
  return std::unique_ptr<const Stage>(
      std::make_unique<SortByCountStage>(std::move(key), std::move(specs)));
}

}  // namespace plinth::storage::pipeline
