#include <string>

#include "expr/expression_object.h"
#include "storage/pipeline/project.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

base::Result<std::unique_ptr<const Stage>> ParseFields(const std::string& name,
                                                       const doc::Value& arg) {
  if (!arg.is_document()) {
    return base::BadValue(name + " specification stage must be an object, got " +
                          std::string(doc::TypeName(arg.type())));
  }
  PLINTH_ASSIGN_OR_RETURN(
      expr::ExpressionObject fields,
      expr::ExpressionObject::Parse(arg.as_document(), expr::ExpressionObject::Mode::kAddFields));
  return MakeExpressionFieldsStage(std::move(fields));
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
