#include "storage/pipeline/project.h"

#include "expr/expression_object.h"
#include "matcher/projection.h"

namespace plinth::storage::pipeline {
namespace {

// $project of inclusions/exclusions only: the find projection (matcher/).
class ProjectionStage : public Stage {
 public:
  explicit ProjectionStage(matcher::Projection projection) : projection_(std::move(projection)) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext&) const override {
    for (auto& d : docs) d = projection_.Apply(d);
    return docs;
  }

 private:
  matcher::Projection projection_;
};

// Evaluated expressions (expr/) applied to each document.
class ExpressionFieldsStage : public Stage {
 public:
  explicit ExpressionFieldsStage(expr::ExpressionObject fields) : fields_(std::move(fields)) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    for (auto& d : docs) {
      PLINTH_ASSIGN_OR_RETURN(doc::Document out, fields_.Apply(d, ctx.Eval(d)));
      d = std::move(out);
    }
    return docs;
  }

 private:
  expr::ExpressionObject fields_;
};

}  // namespace

std::unique_ptr<const Stage> MakeExpressionFieldsStage(expr::ExpressionObject fields) {
  return std::make_unique<ExpressionFieldsStage>(std::move(fields));
}

base::Result<std::unique_ptr<const Stage>> ParseProject(const doc::Value& arg,
                                                        const StageParseContext&) {
  if (!arg.is_document()) return base::BadValue("$project specification must be an object");
  if (expr::ExpressionObject::ProjectHasExpressions(arg.as_document())) {
    PLINTH_ASSIGN_OR_RETURN(
        expr::ExpressionObject fields,
        expr::ExpressionObject::Parse(arg.as_document(), expr::ExpressionObject::Mode::kProject));
    return MakeExpressionFieldsStage(std::move(fields));
  }
  PLINTH_ASSIGN_OR_RETURN(matcher::Projection projection,
                          matcher::Projection::Parse(arg.as_document()));
  return std::unique_ptr<const Stage>(std::make_unique<ProjectionStage>(std::move(projection)));
}

}  // namespace plinth::storage::pipeline
