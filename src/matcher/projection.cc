#include "matcher/projection.h"

#include <string_view>

#include "doc/compare.h"
#include "doc/field_path.h"

namespace plinth::matcher {
namespace {

using Tree = Projection::Tree;

struct Entry {
  std::string path;
  bool include;
};

bool IsInclusionValue(const doc::Value& v) {
  if (v.is_bool()) return v.as_bool();
  return !doc::ValuesEqual(v, doc::Value(0));
}

base::Status Flatten(const std::string& prefix, const doc::Document& spec, std::vector<Entry>* out,
                     std::size_t depth) {
  if (depth > 100) return base::BadValue("projection is nested too deeply");
  for (const auto& [name, value] : spec) {
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (name.find('$') != std::string::npos) {
      if (name.size() >= 2 && name.compare(name.size() - 2, 2, ".$") == 0) {
        return base::BadValue("positional projection (" + path + ") is not supported yet");
      }
      if (name == "$") {
        return base::BadValue("positional projection (" + path + ") is not supported yet");
      }
      return base::BadValue("projection operator " + name + " is not supported yet");
    }
    if (value.is_bool() || value.is_number()) {
      out->push_back({path, IsInclusionValue(value)});
      continue;
    }
    if (const auto* d = value.get_if<doc::Document>()) {
      if (d->empty()) {
        return base::BadValue(
            "An empty sub-projection is not a valid value. Found empty object at path " + path);
      }
      const std::string& first = d->fields()[0].first;
      if (!first.empty() && first[0] == '$') {
        return base::BadValue("projection operator " + first + " (on " + path +
                              ") is not supported yet");
      }
      PLINTH_RETURN_IF_ERROR(Flatten(path, *d, out, depth + 1));
      continue;
    }
    return base::BadValue("projection expression values (on " + path +
                          ") are not supported yet; use 0, 1, true or false");
  }
  return base::Status::Ok();
}

base::Status Insert(Tree* root, const std::string& dotted) {
  auto path = doc::FieldPath::Parse(dotted);
  if (!path.ok()) return path.status();
  Tree* node = root;
  for (std::size_t i = 0; i < path->size(); ++i) {
    const std::string& name = (*path)[i];
    Tree* child = nullptr;
    for (auto& [n, t] : node->children) {
      if (n == name) child = &t;
    }
    if (child == nullptr) {
      node->children.emplace_back(name, Tree{});
      child = &node->children.back().second;
    } else if (child->leaf || i + 1 == path->size()) {
      return base::BadValue("Path collision at " + dotted);
    }
    node = child;
  }
  node->leaf = true;
  return base::Status::Ok();
}

const Tree* Find(const Tree& tree, std::string_view name) {
  for (const auto& [n, t] : tree.children) {
    if (n == name) return &t;
  }
  return nullptr;
}

doc::Document Include(const doc::Document& document, const Tree& tree);
doc::Document Exclude(const doc::Document& document, const Tree& tree);

doc::Array IncludeArray(const doc::Array& array, const Tree& tree) {
  doc::Array out;
  for (const doc::Value& e : array) {
    if (const auto* d = e.get_if<doc::Document>()) {
      out.Append(Include(*d, tree));
    } else if (const auto* a = e.get_if<doc::Array>()) {
      out.Append(IncludeArray(*a, tree));
    }
  }
  return out;
}

doc::Array ExcludeArray(const doc::Array& array, const Tree& tree) {
  doc::Array out;
  for (const doc::Value& e : array) {
    if (const auto* d = e.get_if<doc::Document>()) {
      out.Append(Exclude(*d, tree));
    } else if (const auto* a = e.get_if<doc::Array>()) {
      out.Append(ExcludeArray(*a, tree));
    } else {
      out.Append(e);
    }
  }
  return out;
}

doc::Document Include(const doc::Document& document, const Tree& tree) {
  doc::Document out;
  for (const auto& [name, value] : document) {
    const Tree* child = Find(tree, name);
    if (child == nullptr) continue;
    if (child->leaf) {
      out.Append(name, value);
    } else if (const auto* d = value.get_if<doc::Document>()) {
      out.Append(name, Include(*d, *child));
    } else if (const auto* a = value.get_if<doc::Array>()) {
      out.Append(name, IncludeArray(*a, *child));
    }
  }
  return out;
}

doc::Document Exclude(const doc::Document& document, const Tree& tree) {
  doc::Document out;
  for (const auto& [name, value] : document) {
    const Tree* child = Find(tree, name);
    if (child == nullptr) {
      out.Append(name, value);
    } else if (child->leaf) {
      continue;
    } else if (const auto* d = value.get_if<doc::Document>()) {
      out.Append(name, Exclude(*d, *child));
    } else if (const auto* a = value.get_if<doc::Array>()) {
      out.Append(name, ExcludeArray(*a, *child));
    } else {
      out.Append(name, value);
    }
  }
  return out;
}

}  // namespace

base::Result<Projection> Projection::Parse(const doc::Document& spec) {
  Projection projection;
  if (spec.empty()) return projection;
  std::vector<Entry> entries;
  PLINTH_RETURN_IF_ERROR(Flatten("", spec, &entries, 0));
  int id_mode = -1;  // -1 unspecified, 0 excluded, 1 included
  int mode = -1;     // -1 unknown, 0 exclusion, 1 inclusion
  for (const Entry& e : entries) {
    if (e.path == "_id") {
      id_mode = e.include ? 1 : 0;
      continue;
    }
    if (mode == -1) {
      mode = e.include ? 1 : 0;
    } else if (mode == 1 && !e.include) {
      return base::BadValue("Cannot do exclusion on field " + e.path + " in inclusion projection");
    } else if (mode == 0 && e.include) {
      return base::BadValue("Cannot do inclusion on field " + e.path + " in exclusion projection");
    }
  }
  if (mode == -1) mode = id_mode == 0 ? 0 : 1;
  auto root = std::make_shared<Tree>();
  for (const Entry& e : entries) {
    if (e.path == "_id") continue;
    PLINTH_RETURN_IF_ERROR(Insert(root.get(), e.path));
  }
  if (mode == 1 && id_mode != 0 && Find(*root, "_id") == nullptr) {
    PLINTH_RETURN_IF_ERROR(Insert(root.get(), "_id"));
  }
  if (mode == 0 && id_mode == 0) PLINTH_RETURN_IF_ERROR(Insert(root.get(), "_id"));
  projection.inclusion_ = mode == 1;
  projection.root_ = std::move(root);
  return projection;
}

doc::Document Projection::Apply(const doc::Document& document) const {
  if (root_ == nullptr) return document;
  return inclusion_ ? Include(document, *root_) : Exclude(document, *root_);
}

}  // namespace plinth::matcher
