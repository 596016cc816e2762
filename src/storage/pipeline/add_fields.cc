#include <string>

#include "expr/expression_object.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $addFields and its alias $set: evaluated fields added to (or replacing
// those of) each document.
class AddFieldsStage : public Stage {
 public:
  explicit AddFieldsStage(expr::ExpressionObject fields) : fields_(std::move(fields)) {}
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

base::Result<std::unique_ptr<const Stage>> ParseFields(const std::string& name,
                                                       const doc::Value& arg) {
  if (!arg.is_document()) {
    return base::BadValue(name + " specification stage must be an object, got " +
                          std::string(doc::TypeName(arg.type())));
  }
  PLINTH_ASSIGN_OR_RETURN(
      expr::ExpressionObject fields,
      expr::ExpressionObject::Parse(arg.as_document(), expr::ExpressionObject::Mode::kAddFields));
  return std::unique_ptr<const Stage>(std::make_unique<AddFieldsStage>(std::move(fields)));
}

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseAddFields(const doc::Value& arg,
                                                          const StageParseContext&) {
  return ParseFields("$addFields", arg);
}

base::Result<std::unique_ptr<const Stage>> ParseSet(const doc::Value& arg,
                                                    const StageParseContext&) {
  return ParseFields("$set", arg);
}

}  // namespace plinth::storage::pipeline
