#pragma once

#include "doc/value.h"

namespace plinth::matcher {

// A compiled test of one value, for operators whose whole meaning fits in one
// self-contained object ($mod, $bitsAllSet and friends). Keeping them behind
// this interface lets each operator live in its own file instead of growing
// the Node struct and the evaluator's switch. Built once by the parser, then
// immutable: Test is const and thread-safe. Held by shared_ptr in the node.
class ValuePredicate {
 public:
  virtual ~ValuePredicate() = default;
  // Whether `value` (never missing; arrays are expanded by the caller like
  // any other leaf) satisfies the operator.
  virtual bool Test(const doc::Value& value) const = 0;
};

// A compiled test of a whole document ($jsonSchema), for operators that are
// not applied at a path. Immutable after construction; Test is thread-safe.
class DocumentPredicate {
 public:
  virtual ~DocumentPredicate() = default;
  virtual bool Test(const doc::Document& document) const = 0;
};

}  // namespace plinth::matcher
