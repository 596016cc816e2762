#include <cstdint>
#include <string>

#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $count: one document {field: number of input documents}, Int32 while it
// fits; no document at all for empty input (as MongoDB).
class CountStage : public Stage {
 public:
  explicit CountStage(std::string field) : field_(std::move(field)) {}
  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext&) const override {
    const auto count = static_cast<std::int64_t>(docs.size());
    docs.clear();
    if (count > 0) {
      doc::Document out;
      if (count <= INT32_MAX) {
        out.Append(field_, static_cast<std::int32_t>(count));
      } else {
        out.Append(field_, count);
      }
      docs.push_back(std::move(out));
    }
    return docs;
  }

 private:
  std::string field_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseCount(const doc::Value& arg,
                                                      const StageParseContext&) {
  if (!arg.is_string() || arg.as_string().empty()) {
    return base::BadValue("the count field must be a non-empty string");
  }
  const std::string& field = arg.as_string();
  if (field[0] == '$') return base::BadValue("the count field cannot be a $-prefixed path");
  if (field.find('.') != std::string::npos) {
    return base::BadValue("the count field cannot contain '.'");
  }
  return std::unique_ptr<const Stage>(std::make_unique<CountStage>(field));
}

}  // namespace plinth::storage::pipeline
