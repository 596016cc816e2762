#include "matcher/path_values.h"

#include <optional>

namespace plinth::matcher {
namespace {

void Walk(const doc::Value* value, const doc::FieldPath& path, std::size_t i,
          std::vector<const doc::Value*>* out);

void WalkDocument(const doc::Document& document, const doc::FieldPath& path, std::size_t i,
                  std::vector<const doc::Value*>* out) {
  const doc::Value* child = document.Get(path[i]);
  if (child == nullptr) {
    out->push_back(nullptr);
  } else {
    Walk(child, path, i + 1, out);
  }
}

void Walk(const doc::Value* value, const doc::FieldPath& path, std::size_t i,
          std::vector<const doc::Value*>* out) {
  if (i == path.size()) {
    out->push_back(value);
    return;
  }
  if (const auto* d = value->get_if<doc::Document>()) {
    WalkDocument(*d, path, i, out);
    return;
  }
  if (const auto* a = value->get_if<doc::Array>()) {
    std::optional<std::size_t> index = doc::ArrayIndexOf(path[i]);
    if (a->empty() && !index) out->push_back(nullptr);
    for (const doc::Value& element : *a) {
      if (const auto* d = element.get_if<doc::Document>()) {
        const doc::Value* child = d->Get(path[i]);
        if (child != nullptr) {
          Walk(child, path, i + 1, out);
        } else if (!index) {
          out->push_back(nullptr);
        }
      } else if (!index) {
        out->push_back(nullptr);  // a scalar or nested array has no such field
      }
    }
    if (index) {
      if (*index < a->size()) {
        Walk(&a->values()[*index], path, i + 1, out);
      } else {
        out->push_back(nullptr);
      }
    }
    return;
  }
  out->push_back(nullptr);
}

}  // namespace

void CollectWithMissing(const doc::Document& document, const doc::FieldPath& path,
                        std::vector<const doc::Value*>* out) {
  WalkDocument(document, path, 0, out);
}

}  // namespace plinth::matcher
