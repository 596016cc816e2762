#include "matcher/sort.h"

#include "doc/compare.h"
#include "matcher/path_values.h"

namespace plinth::matcher {

base::Result<SortSpec> SortSpec::Parse(const doc::Document& sort) {
  SortSpec spec;
  for (const auto& [name, value] : sort) {
    auto path = doc::FieldPath::Parse(name);
    if (!path.ok()) return path.status();
    if (const auto* d = value.get_if<doc::Document>(); d != nullptr && d->Has("$meta")) {
      return base::BadValue("$meta sort is not supported yet");
    }
    int direction = 0;
    if (value.is_number() && doc::ValuesEqual(value, doc::Value(1))) direction = 1;
    if (value.is_number() && doc::ValuesEqual(value, doc::Value(-1))) direction = -1;
    if (direction == 0) {
      return base::BadValue("$sort key ordering must be 1 (for ascending) or -1 (for descending)");
    }
    for (const auto& [existing, unused] : spec.keys_) {
      if (existing == *path) return base::BadValue("$sort key " + name + " given twice");
    }
    spec.keys_.emplace_back(std::move(path).value(), direction);
  }
  return spec;
}

doc::Value SortSpec::SortKey(const doc::Document& document, const doc::FieldPath& path,
                             int direction) {
  std::vector<const doc::Value*> reached;
  CollectWithMissing(document, path, &reached);
  static const doc::Value kNull;
  static const doc::Value kUndefined{doc::Undefined{}};
  const doc::Value* best = nullptr;
  auto consider = [&](const doc::Value* v) {
    if (best == nullptr) {
      best = v;
      return;
    }
    const int c = doc::Compare(*v, *best);
    if (direction > 0 ? c < 0 : c > 0) best = v;
  };
  for (const doc::Value* v : reached) {
    if (v == nullptr) {
      consider(&kNull);
    } else if (const auto* a = v->get_if<doc::Array>()) {
      if (a->empty()) consider(&kUndefined);
      for (const doc::Value& e : *a) consider(&e);
    } else {
      consider(v);
    }
  }
  return best == nullptr ? kNull : *best;
}

int SortSpec::Compare(const doc::Document& a, const doc::Document& b) const {
  for (const auto& [path, direction] : keys_) {
    const int c = doc::Compare(SortKey(a, path, direction), SortKey(b, path, direction));
    if (c != 0) return direction * c;
  }
  return 0;
}

}  // namespace plinth::matcher
