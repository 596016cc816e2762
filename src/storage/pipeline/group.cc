#include <optional>
#include <string>

#include "storage/pipeline/accumulator.h"
#include "storage/pipeline/grouper.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $group: one output document per distinct value of the _id expression
// (missing counts as null), {_id, <accumulators>}, in the order each group's
// first document arrived (MongoDB promises no order).
class GroupStage : public Stage {
 public:
  GroupStage(expr::Expression id, std::vector<AccumulatorSpec> specs)
      : id_(std::move(id)), specs_(std::move(specs)) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    Grouper grouper(specs_, "$group", ctx);
    for (const doc::Document& d : docs) {
      PLINTH_ASSIGN_OR_RETURN(std::optional<doc::Value> key, id_.Evaluate(ctx.Eval(d)));
      PLINTH_RETURN_IF_ERROR(grouper.Add(key.value_or(doc::Value()), d, ctx));
    }
    docs.clear();
    return grouper.Finish();
  }

 private:
  expr::Expression id_;
  std::vector<AccumulatorSpec> specs_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseGroup(const doc::Value& arg,
                                                      const StageParseContext&) {
  if (!arg.is_document()) return base::BadValue("a group's fields must be specified in an object");
  const doc::Value* id = arg.as_document().Get("_id");
  if (id == nullptr) return base::BadValue("a group specification must include an _id");
  PLINTH_ASSIGN_OR_RETURN(expr::Expression id_expression, expr::Expression::Parse(*id));
  PLINTH_ASSIGN_OR_RETURN(std::vector<AccumulatorSpec> specs,
                          ParseAccumulators(arg.as_document(), /*skip_id=*/true));
  return std::unique_ptr<const Stage>(
      std::make_unique<GroupStage>(std::move(id_expression), std::move(specs)));
}

}  // namespace plinth::storage::pipeline
