#include <optional>
#include <string>

#include "doc/ejson.h"
#include "expr/expression_object.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $replaceRoot and its shorthand $replaceWith: each document becomes the
// value of an expression, which must be a document.
class ReplaceRootStage : public Stage {
 public:
  explicit ReplaceRootStage(expr::Expression new_root) : new_root_(std::move(new_root)) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    for (auto& d : docs) {
      PLINTH_ASSIGN_OR_RETURN(doc::Document out, expr::EvaluateNewRoot(new_root_, ctx.Eval(d)));
      d = std::move(out);
    }
    return docs;
  }

 private:
  expr::Expression new_root_;
};

base::Result<std::unique_ptr<const Stage>> MakeReplaceRoot(const doc::Value& root) {
  PLINTH_ASSIGN_OR_RETURN(expr::Expression new_root, expr::Expression::Parse(root));
  return std::unique_ptr<const Stage>(std::make_unique<ReplaceRootStage>(std::move(new_root)));
}

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseReplaceRoot(const doc::Value& arg,
                                                            const StageParseContext&) {
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
  const doc::Value* root = d.Get("newRoot");
  if (root == nullptr) return base::BadValue("no newRoot specified for the $replaceRoot stage");
  return MakeReplaceRoot(*root);
}

base::Result<std::unique_ptr<const Stage>> ParseReplaceWith(const doc::Value& arg,
                                                            const StageParseContext&) {
  return MakeReplaceRoot(arg);
}

}  // namespace plinth::storage::pipeline
