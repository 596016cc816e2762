#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "doc/limits.h"
#include "storage/pipeline/arguments.h"
#include "storage/pipeline/stage_table.h"

namespace plinth::storage::pipeline {
namespace {

// Stages MongoDB refuses inside a $facet sub-pipeline.
constexpr std::array<std::string_view, 11> kNotInFacet = {
    "$facet",        "$out",       "$merge",        "$indexStats",     "$collStats", "$geoNear",
    "$changeStream", "$currentOp", "$listSessions", "$planCacheStats", "$documents"};

// $facet: every sub-pipeline runs over the same input; the output is one
// document {name: [its results], ...}. The results it holds count against
// the memory budget (MongoDB's 100 MiB for the stage).
class FacetStage : public Stage {
 public:
  using Facets = std::vector<std::pair<std::string, std::vector<std::unique_ptr<const Stage>>>>;
  explicit FacetStage(Facets facets) : facets_(std::move(facets)) {}

  base::Result<std::vector<doc::Document>> Run(std::vector<doc::Document> docs,
                                               StageContext& ctx) const override {
    doc::Document out;
    std::size_t used = 0;
    for (std::size_t i = 0; i < facets_.size(); ++i) {
      // The last facet may consume the input; the others work on copies.
      std::vector<doc::Document> input = i + 1 == facets_.size() ? std::move(docs) : docs;
      PLINTH_ASSIGN_OR_RETURN(std::vector<doc::Document> results,
                              RunStages(facets_[i].second, std::move(input), ctx));
      doc::Array array;
      array.mutable_values().reserve(results.size());
      for (doc::Document& d : results) {
        used += doc::BsonSize(d);
        if (used > ctx.memory_limit_bytes) {
          return MemoryLimitError("$facet", ctx.memory_limit_bytes);
        }
        array.Append(doc::Value(std::move(d)));
      }
      out.Append(facets_[i].first, doc::Value(std::move(array)));
    }
    std::vector<doc::Document> result;
    result.push_back(std::move(out));
    return result;
  }

 private:
  Facets facets_;
};

}  // namespace

base::Result<std::unique_ptr<const Stage>> ParseFacet(const doc::Value& arg,
                                                      const StageParseContext& ctx) {
  if (!arg.is_document() || arg.as_document().empty()) {
    return base::BadValue("the $facet specification must be a non-empty object");
  }
  StageParseContext inner = ctx;
  inner.in_facet = true;
  FacetStage::Facets facets;
  for (const auto& [name, value] : arg.as_document()) {
    if (name.empty() || name[0] == '$' || name.find('.') != std::string::npos) {
      return base::BadValue("$facet output field name '" + name +
                            "' must not be empty, start with '$' or contain '.'");
    }
    if (!value.is_array()) {
      return base::BadValue("arguments to $facet must be arrays, " + name + " is type " +
                            std::string(doc::TypeName(value.type())));
    }
    if (value.as_array().empty()) {
      return base::BadValue("sub-pipeline in $facet stage cannot be empty");
    }
    std::vector<doc::Document> specs;
    for (const doc::Value& stage : value.as_array()) {
      if (!stage.is_document()) {
        return base::BadValue("subpipeline of $facet stage must consist of documents, found " +
                              std::string(doc::TypeName(stage.type())));
      }
      const doc::Document& spec = stage.as_document();
      if (spec.size() == 1) {
        const std::string& stage_name = spec.fields()[0].first;
        for (std::string_view refused : kNotInFacet) {
          if (stage_name == refused) {
            return base::BadValue(stage_name + " is not allowed to be used within a $facet stage");
          }
        }
      }
      specs.push_back(spec);
    }
    PLINTH_ASSIGN_OR_RETURN(std::vector<std::unique_ptr<const Stage>> stages,
                            ParseStages(specs, inner));
    facets.emplace_back(name, std::move(stages));
  }
  return std::unique_ptr<const Stage>(std::make_unique<FacetStage>(std::move(facets)));
}

}  // namespace plinth::storage::pipeline
