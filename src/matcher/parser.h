#pragma once

#include <cstddef>
#include <memory>

#include "base/result.h"
#include "doc/value.h"
#include "matcher/expression.h"

namespace plinth::matcher {

// Parses a filter document into a node tree (see expression.h). Errors are
// kBadValue with MongoDB's messages, or kDepthLimitExceeded beyond max_depth
// levels. Reentrant.
base::Result<std::unique_ptr<const Node>> ParseFilter(const doc::Document& filter,
                                                      std::size_t max_depth);

}  // namespace plinth::matcher
