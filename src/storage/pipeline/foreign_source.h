#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "doc/value.h"

namespace plinth::storage::pipeline {

// Reads another collection of the pipeline's database for $lookup/$unionWith-like stages.
// The caller of Pipeline::Run owns it and keeps it alive for the run; stages
// borrow it through StageContext::foreign (null when the caller gives none, and
// such stages then fail). Used from the running thread only.
class ForeignSource {
 public:
  virtual ~ForeignSource() = default;
  // Documents of `collection` matching `filter`, natural order, as the caller may see them.
  virtual base::Result<std::vector<doc::Document>> Read(const std::string& collection,
                                                        const doc::Document& filter) = 0;
};

}  // namespace plinth::storage::pipeline
