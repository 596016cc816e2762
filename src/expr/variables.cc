#include "expr/variables.h"

namespace plinth::expr {

void Variables::Set(std::string name, doc::Value value) {
  for (auto& [n, v] : values_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::move(name), std::move(value));
}

const doc::Value* Variables::Get(std::string_view name) const {
  // Few variables per scope: a linear scan beats hashing here.
  for (const auto& [n, v] : values_) {
    if (n == name) return &v;
  }
  return parent_ != nullptr ? parent_->Get(name) : nullptr;
}

}  // namespace plinth::expr
