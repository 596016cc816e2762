#include <optional>
#include <string>

#include "doc/field_path.h"
#include "storage/pipeline/stage.h"

namespace plinth::storage::pipeline {
namespace {

// $unwind: one output document per element of the array at `path`, the
// element in place of the array. A non-array value passes through as is.
// Missing, null and empty arrays are dropped, or with
// preserveNullAndEmptyArrays kept (an empty array's field removed, as
// MongoDB). includeArrayIndex stores the element's index (Int64), null for
// documents that were not unwound from an array.
class UnwindStage : public Stage {
 public:
  UnwindStage(doc::FieldPath path, std::optional<doc::FieldPath> index, bool preserve)
      : path_(std::move(path)), index_(std::move(index)), preserve_(preserve) {}

  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext&) const override {
    std::vector<doc::Document> out;
    out.reserve(docs.size());
    for (doc::Document& d : docs) {
      const doc::Value* value = doc::GetPath(d, path_);
      if (value != nullptr && value->is_array() && !value->as_array().empty()) {
        const doc::Array elements = value->as_array();
        for (std::size_t i = 0; i < elements.size(); ++i) {
          doc::Document copy = d;
          PLINTH_RETURN_IF_ERROR(doc::SetPath(&copy, path_, elements.values()[i]));
          if (index_) {
            PLINTH_RETURN_IF_ERROR(
                doc::SetPath(&copy, *index_, doc::Value(static_cast<std::int64_t>(i))));
          }
          out.push_back(std::move(copy));
        }
        continue;
      }
      const bool absent = value == nullptr || value->is_null() || value->is_array();
      if (absent && !preserve_) continue;
      if (value != nullptr && value->is_array()) doc::RemovePath(&d, path_);
      if (index_) PLINTH_RETURN_IF_ERROR(doc::SetPath(&d, *index_, doc::Value()));
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  doc::FieldPath path_;
  std::optional<doc::FieldPath> index_;
  bool preserve_;
};

base::Result<doc::FieldPath> UnwindPath(const doc::Value& path) {
  if (!path.is_string()) {
    return base::BadValue("expected a string as the path for $unwind stage, got " +
                          std::string(doc::TypeName(path.type())));
  }
  const std::string& s = path.as_string();
  if (s.empty()) return base::BadValue("no path specified to $unwind stage");
  if (s[0] != '$') {
    return base::BadValue("path option to $unwind stage should be prefixed with a '$': " + s);
  }
  return doc::FieldPath::Parse(std::string_view(s).substr(1));
}

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseUnwind(const doc::Value& arg,
                                                       const StageParseContext&) {
  if (arg.is_string()) {
    PLINTH_ASSIGN_OR_RETURN(doc::FieldPath path, UnwindPath(arg));
    return std::unique_ptr<const Stage>(
        std::make_unique<UnwindStage>(std::move(path), std::nullopt, false));
  }
  if (!arg.is_document()) {
    return base::BadValue(
        "expected either a string or an object as specification for $unwind stage, got " +
        std::string(doc::TypeName(arg.type())));
  }
  std::optional<doc::FieldPath> path;
  std::optional<doc::FieldPath> index;
  bool preserve = false;
  for (const auto& [name, value] : arg.as_document()) {
    if (name == "path") {
      PLINTH_ASSIGN_OR_RETURN(path, UnwindPath(value));
    } else if (name == "preserveNullAndEmptyArrays") {
      if (!value.is_bool()) {
        return base::BadValue(
            "expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage, "
            "got " +
            std::string(doc::TypeName(value.type())));
      }
      preserve = value.as_bool();
    } else if (name == "includeArrayIndex") {
      if (!value.is_string() || value.as_string().empty()) {
        return base::BadValue(
            "expected a non-empty string for the includeArrayIndex option to $unwind stage, "
            "got " +
            std::string(doc::TypeName(value.type())));
      }
      if (value.as_string()[0] == '$') {
        return base::BadValue(
            "includeArrayIndex option to $unwind stage should not be prefixed with a '$': " +
            value.as_string());
      }
      PLINTH_ASSIGN_OR_RETURN(index, doc::FieldPath::Parse(value.as_string()));
    } else {
      return base::BadValue("unrecognized option to $unwind stage: " + name);
    }
  }
  if (!path) return base::BadValue("no path specified to $unwind stage");
  return std::unique_ptr<const Stage>(
      std::make_unique<UnwindStage>(std::move(*path), std::move(index), preserve));
}

}  // namespace plinth::storage::pipeline
