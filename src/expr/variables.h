#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "doc/value.h"

namespace plinth::expr {

// User variables visible to an expression: those of $let, the "as" names of
// $map/$filter (and $$this/$$value of $reduce), and a $lookup stage's "let".
// System variables ($$ROOT, $$CURRENT, $$NOW, $$REMOVE) are not stored here;
// EvalContext carries them.
//
// Scopes chain: a Variables made with a parent sees the parent's variables
// unless it sets the same name itself. The parent must outlive the child
// (scopes are stack-allocated during evaluation). Owns its values.
// Thread-compatible: const methods may run concurrently; Set needs exclusive
// access.
class Variables {
 public:
  Variables() = default;
  explicit Variables(const Variables* parent) : parent_(parent) {}

  // Binds `name` in this scope, replacing an earlier binding of this scope.
  void Set(std::string name, doc::Value value);
  // The innermost binding of `name`, or nullptr. The pointer stays valid
  // until this scope (or the parent holding it) is changed or destroyed.
  const doc::Value* Get(std::string_view name) const;

 private:
  const Variables* parent_ = nullptr;
  std::vector<std::pair<std::string, doc::Value>> values_;
};

}  // namespace plinth::expr
