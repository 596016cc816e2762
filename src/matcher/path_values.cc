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

// The indexed walk: `first` is the position in the first array crossed by a
// field name so far (empty before any).
void WalkIndexed(const doc::Value* value, const doc::FieldPath& path, std::size_t i,
                 std::optional<std::size_t> first, std::vector<ReachedValue>* out);

void WalkDocumentIndexed(const doc::Document& document, const doc::FieldPath& path, std::size_t i,
                         std::optional<std::size_t> first, std::vector<ReachedValue>* out) {
  const doc::Value* child = document.Get(path[i]);
  if (child == nullptr) {
    out->push_back({nullptr, first});
  } else {
    WalkIndexed(child, path, i + 1, first, out);
  }
}

void WalkIndexed(const doc::Value* value, const doc::FieldPath& path, std::size_t i,
                 std::optional<std::size_t> first, std::vector<ReachedValue>* out) {
  if (i == path.size()) {
    out->push_back({value, first});
    return;
  }
  if (const auto* d = value->get_if<doc::Document>()) {
    WalkDocumentIndexed(*d, path, i, first, out);
    return;
  }
  if (const auto* a = value->get_if<doc::Array>()) {
    std::optional<std::size_t> index = doc::ArrayIndexOf(path[i]);
    if (a->empty() && !index) out->push_back({nullptr, first});
    for (std::size_t k = 0; k < a->size(); ++k) {
      const doc::Value& element = a->values()[k];
      const std::optional<std::size_t> here = first ? first : std::optional<std::size_t>(k);
      if (const auto* d = element.get_if<doc::Document>()) {
        const doc::Value* child = d->Get(path[i]);
        if (child != nullptr) {
          WalkIndexed(child, path, i + 1, here, out);
        } else if (!index) {
          out->push_back({nullptr, here});
        }
      } else if (!index) {
        out->push_back({nullptr, here});
      }
    }
    if (index) {
      if (*index < a->size()) {
        WalkIndexed(&a->values()[*index], path, i + 1, first, out);
      } else {
        out->push_back({nullptr, first});
      }
    }
    return;
  }
  out->push_back({nullptr, first});
}

}  // namespace

void CollectWithMissingIndexed(const doc::Document& document, const doc::FieldPath& path,
                               std::vector<ReachedValue>* out) {
  WalkDocumentIndexed(document, path, 0, std::nullopt, out);
}

void CollectWithMissing(const doc::Document& document, const doc::FieldPath& path,
                        std::vector<const doc::Value*>* out) {
  WalkDocument(document, path, 0, out);
}

}  // namespace plinth::matcher
