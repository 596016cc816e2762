#include "matcher/projection.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string_view>

#include "doc/compare.h"
#include "doc/field_path.h"
#include "matcher/matcher.h"

namespace plinth::matcher {
namespace {

using Slice = Projection::Slice;
using Tree = Projection::Tree;

enum class EntryKind { kInclude, kExclude, kSlice, kElemMatch, kPositional, kComputed };

struct Entry {
  std::string path;
  EntryKind kind;
  Slice slice;
  std::shared_ptr<const Matcher> elem_match;
  std::shared_ptr<const expr::Expression> computed = nullptr;
};

// Parses an aggregation expression at `path` (MongoDB 4.4+ find
// projections); only find projections (with a query) take them.
base::Status ParseComputed(const std::string& path, const doc::Value& value, bool allowed,
                           std::vector<Entry>* out) {
  if (!allowed) {
    return base::BadValue("projection expression values (on " + path +
                          ") are not supported here; use 0, 1, true or false");
  }
  PLINTH_ASSIGN_OR_RETURN(expr::Expression e, expr::Expression::Parse(value));
  out->push_back({path,
                  EntryKind::kComputed,
                  {},
                  nullptr,
                  std::make_shared<const expr::Expression>(std::move(e))});
  return base::Status::Ok();
}

bool IsInclusionValue(const doc::Value& v) {
  if (v.is_bool()) return v.as_bool();
  return !doc::ValuesEqual(v, doc::Value(0));
}

// A $slice count: any number, truncated toward zero and clamped to Int64.
std::int64_t SliceNumber(const doc::Value& v) {
  if (const auto* i = v.get_if<std::int32_t>()) return *i;
  if (const auto* i = v.get_if<std::int64_t>()) return *i;
  double d = 0;
  if (const auto* x = v.get_if<double>()) d = *x;
  if (std::isnan(d)) return 0;
  d = std::clamp(std::trunc(d), -9.0e18, 9.0e18);
  return static_cast<std::int64_t>(d);
}

base::Result<Slice> ParseSlice(const doc::Value& arg) {
  Slice slice;
  if (arg.type() == doc::Type::kInt32 || arg.type() == doc::Type::kInt64 ||
      arg.type() == doc::Type::kDouble) {
    slice.first = SliceNumber(arg);
    return slice;
  }
  if (const auto* a = arg.get_if<doc::Array>()) {
    if (a->size() != 2) return base::BadValue("$slice array wrong size");
    for (const doc::Value& v : *a) {
      if (v.type() != doc::Type::kInt32 && v.type() != doc::Type::kInt64 &&
          v.type() != doc::Type::kDouble) {
        return base::BadValue("$slice array argument must be two numbers");
      }
    }
    slice.pair = true;
    slice.first = SliceNumber((*a)[0]);
    slice.limit = SliceNumber((*a)[1]);
    if (slice.limit <= 0) return base::BadValue("$slice limit must be positive");
    return slice;
  }
  return base::BadValue("$slice only supports numbers and [skip, limit] arrays");
}

// Parses {$slice: ...} or {$elemMatch: ...} at `path` into an entry.
base::Status ParseOperator(const std::string& path, const doc::Document& d, bool expressions,
                           std::vector<Entry>* out) {
  const auto& [name, arg] = d.fields()[0];
  if (d.size() != 1) {
    return base::BadValue("projection operator " + name + " (on " + path +
                          ") must be the only field of its object");
  }
  if (name == "$slice") {
    PLINTH_ASSIGN_OR_RETURN(Slice slice, ParseSlice(arg));
    out->push_back({path, EntryKind::kSlice, slice, nullptr});
    return base::Status::Ok();
  }
  if (name == "$elemMatch") {
    if (!arg.is_document()) return base::BadValue("elemMatch: Invalid argument, object required.");
    if (path.find('.') != std::string::npos) {
      return base::BadValue("Cannot use $elemMatch projection on a nested field.");
    }
    doc::Document condition;
    condition.Append("$elemMatch", arg);
    doc::Document filter;
    filter.Append(path, doc::Value(std::move(condition)));
    PLINTH_ASSIGN_OR_RETURN(auto matcher, Matcher::Parse(filter));
    out->push_back({path, EntryKind::kElemMatch, {}, std::move(matcher)});
    return base::Status::Ok();
  }
  if (name == "$meta") {
    return base::BadValue("projection operator " + name + " (on " + path +
                          ") is not supported yet");
  }
  return ParseComputed(path, doc::Value(d), expressions, out);
}

// `expressions`: whether values may be aggregation expressions.
base::Status Flatten(const std::string& prefix, const doc::Document& spec, bool expressions,
                     std::vector<Entry>* out, std::size_t depth) {
  if (depth > 100) return base::BadValue("projection is nested too deeply");
  for (const auto& [name, value] : spec) {
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (name.find('$') != std::string::npos) {
      const bool positional_end = path.size() >= 2 && path.compare(path.size() - 2, 2, ".$") == 0 &&
                                  path.find('$') == path.size() - 1;
      if (!positional_end) {
        if (path.find(".$.") != std::string::npos) {
          return base::BadValue("Positional projection may only be used at the end of a path: " +
                                path);
        }
        return base::BadValue("projection operator " + name + " is not supported yet");
      }
      if (!(value.is_bool() || value.is_number()) || !IsInclusionValue(value)) {
        return base::BadValue("Cannot exclude array elements with the positional operator: " +
                              path);
      }
      out->push_back({path.substr(0, path.size() - 2), EntryKind::kPositional, {}, nullptr});
      continue;
    }
    if (value.is_bool() || value.is_number()) {
      out->push_back(
          {path, IsInclusionValue(value) ? EntryKind::kInclude : EntryKind::kExclude, {}, nullptr});
      continue;
    }
    if (const auto* d = value.get_if<doc::Document>()) {
      if (d->empty()) {
        return base::BadValue(
            "An empty sub-projection is not a valid value. Found empty object at path " + path);
      }
      const std::string& first = d->fields()[0].first;
      if (!first.empty() && first[0] == '$') {
        PLINTH_RETURN_IF_ERROR(ParseOperator(path, *d, expressions, out));
        continue;
      }
      PLINTH_RETURN_IF_ERROR(Flatten(path, *d, expressions, out, depth + 1));
      continue;
    }
    PLINTH_RETURN_IF_ERROR(ParseComputed(path, value, expressions, out));
  }
  return base::Status::Ok();
}

base::Status Insert(Tree* root, const Entry& entry) {
  auto path = doc::FieldPath::Parse(entry.path);
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
      return base::BadValue("Path collision at " + entry.path);
    }
    if (entry.kind == EntryKind::kPositional) child->positional = true;
    if (entry.kind == EntryKind::kComputed) child->has_computed = true;
    node = child;
  }
  node->leaf = true;
  node->computed = entry.computed;
  if (entry.kind == EntryKind::kSlice) node->slice = entry.slice;
  if (entry.kind == EntryKind::kElemMatch) node->elem_match = entry.elem_match;
  return base::Status::Ok();
}

const Tree* Find(const Tree& tree, std::string_view name) {
  for (const auto& [n, t] : tree.children) {
    if (n == name) return &t;
  }
  return nullptr;
}

doc::Value SliceValue(const doc::Value& value, const Slice& slice) {
  const auto* a = value.get_if<doc::Array>();
  if (a == nullptr) return value;
  const auto n = static_cast<std::int64_t>(a->size());
  std::int64_t from = 0;
  std::int64_t to = n;
  if (!slice.pair) {
    if (slice.first >= 0) {
      to = std::min(n, slice.first);
    } else {
      from = std::max<std::int64_t>(0, n + slice.first);
    }
  } else {
    from = slice.first >= 0 ? std::min(n, slice.first) : std::max<std::int64_t>(0, n + slice.first);
    to = from + std::min(slice.limit, n - from);
  }
  doc::Array out;
  for (std::int64_t i = from; i < to; ++i) out.Append((*a)[static_cast<std::size_t>(i)]);
  return doc::Value(std::move(out));
}

// {$elemMatch} at `name`: the first matching element as a one-element array.
std::optional<doc::Value> ElemMatchValue(const std::string& name, const doc::Value& value,
                                         const Matcher& matcher) {
  const auto* a = value.get_if<doc::Array>();
  if (a == nullptr) return std::nullopt;
  for (const doc::Value& e : *a) {
    doc::Document probe;
    probe.Append(name, doc::Value(doc::Array{e}));
    if (matcher.Matches(probe)) return doc::Value(doc::Array{e});
  }
  return std::nullopt;
}

// What the walk needs besides the tree: the matched position for "a.$",
// whether it is still to be used (it applies to the first array on the
// path only), and where an error goes.
struct Walk {
  std::optional<std::size_t> index;
  base::Status* error;
  const expr::EvalContext* eval = nullptr;  // computed fields; null: none in the tree
};

doc::Document Include(const doc::Document& document, const Tree& tree, const Walk& walk,
                      bool positional_live);
doc::Document Exclude(const doc::Document& document, const Tree& tree);

doc::Array IncludeArray(const doc::Array& array, const Tree& tree, const Walk& walk) {
  doc::Array out;
  for (const doc::Value& e : array) {
    if (const auto* d = e.get_if<doc::Document>()) {
      out.Append(Include(*d, tree, walk, false));
    } else if (const auto* a = e.get_if<doc::Array>()) {
      out.Append(IncludeArray(*a, tree, walk));
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

// The value of a leaf: sliced, $elemMatch-filtered (nullopt: left out) or
// as it is.
std::optional<doc::Value> LeafValue(const std::string& name, const doc::Value& value,
                                    const Tree& leaf) {
  if (leaf.slice) return SliceValue(value, *leaf.slice);
  if (leaf.elem_match) return ElemMatchValue(name, value, *leaf.elem_match);
  return value;
}

// "a.$" at the first array on its path: the matched element, projected by
// the rest of the path.
std::optional<doc::Value> PositionalValue(const doc::Array& array, const Tree& child,
                                          const Walk& walk) {
  if (!walk.index || *walk.index >= array.size()) {
    if (walk.error->ok()) {
      *walk.error = base::BadValue(
          "Executor error during find command :: caused by :: positional operator '.$' "
          "couldn't find a matching element in the array");
    }
    return std::nullopt;
  }
  const doc::Value& element = array[*walk.index];
  if (child.leaf) return doc::Value(doc::Array{element});
  if (const auto* d = element.get_if<doc::Document>()) {
    return doc::Value(doc::Array{doc::Value(Include(*d, child, walk, false))});
  }
  return doc::Value(doc::Array{});
}

doc::Document Include(const doc::Document& document, const Tree& tree, const Walk& walk,
                      bool positional_live) {
  doc::Document out;
  // MongoDB 4.4+ puts $elemMatch results after the other included fields.
  std::vector<std::pair<std::string, doc::Value>> elem_matches;
  for (const auto& [name, value] : document) {
    const Tree* child = Find(tree, name);
    if (child == nullptr || child->computed) continue;  // computed fields come last
    // A sub-tree with computed fields over a value that cannot hold them
    // is built below from the computed fields alone.
    if (child->has_computed && !child->leaf && !value.is_document() && !value.is_array()) continue;
    const bool positional = positional_live && child->positional;
    if (positional && value.is_array()) {
      if (auto v = PositionalValue(value.as_array(), *child, walk)) out.Append(name, *v);
    } else if (child->elem_match) {
      if (auto v = LeafValue(name, value, *child)) elem_matches.emplace_back(name, std::move(*v));
    } else if (child->leaf) {
      if (auto v = LeafValue(name, value, *child)) out.Append(name, std::move(*v));
    } else if (const auto* d = value.get_if<doc::Document>()) {
      out.Append(name, Include(*d, *child, walk, positional));
    } else if (const auto* a = value.get_if<doc::Array>()) {
      out.Append(name, IncludeArray(*a, *child, walk));
    }
  }
  for (auto& [name, value] : elem_matches) out.Append(name, std::move(value));
  // Computed fields follow the included ones, in specification order, as
  // MongoDB's $project orders them; they read the whole document.
  if (walk.eval == nullptr) return out;
  for (const auto& [name, child] : tree.children) {
    if (!child.has_computed) continue;
    if (child.computed) {
      base::Result<std::optional<doc::Value>> v = child.computed->Evaluate(*walk.eval);
      if (!v.ok()) {
        if (walk.error->ok()) *walk.error = v.status();
        continue;
      }
      if (v->has_value()) out.Append(name, std::move(**v));
      continue;
    }
    const doc::Value* present = document.Get(name);
    if (present != nullptr && (present->is_document() || present->is_array())) continue;
    out.Append(name, Include(doc::Document{}, child, walk, false));
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
      if (child->slice || child->elem_match) {
        if (auto v = LeafValue(name, value, *child)) out.Append(name, std::move(*v));
      }
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

base::Result<Projection> Projection::Parse(const doc::Document& spec, const Matcher* query) {
  Projection projection;
  if (spec.empty()) return projection;
  std::vector<Entry> entries;
  PLINTH_RETURN_IF_ERROR(Flatten("", spec, query != nullptr, &entries, 0));
  int id_mode = -1;  // -1 unspecified, 0 excluded, 1 included
  int mode = -1;     // -1 unknown, 0 exclusion, 1 inclusion
  int positionals = 0;
  for (const Entry& e : entries) {
    if (e.kind == EntryKind::kPositional) {
      if (++positionals > 1) {
        return base::BadValue("Cannot specify more than one positional projection per query.");
      }
      if (query == nullptr) {
        return base::BadValue("Positional projection '" + e.path +
                              ".$' is only allowed in find, findOne and findOneAnd* projections");
      }
    }
    if (e.kind == EntryKind::kSlice) continue;  // neither inclusion nor exclusion
    const bool include = e.kind != EntryKind::kExclude;
    if (e.path == "_id" && (e.kind == EntryKind::kInclude || e.kind == EntryKind::kExclude)) {
      id_mode = include ? 1 : 0;
      continue;
    }
    if (mode == -1) {
      mode = include ? 1 : 0;
    } else if (mode == 1 && !include) {
      return base::BadValue("Cannot do exclusion on field " + e.path + " in inclusion projection");
    } else if (mode == 0 && include) {
      return base::BadValue("Cannot do inclusion on field " + e.path + " in exclusion projection");
    }
  }
  const bool only_slices =
      mode == -1 && std::any_of(entries.begin(), entries.end(),
                                [](const Entry& e) { return e.kind == EntryKind::kSlice; });
  if (mode == -1) mode = (id_mode == 0 || only_slices) ? 0 : 1;
  auto root = std::make_shared<Tree>();
  for (const Entry& e : entries) {
    if (e.path == "_id" && (e.kind == EntryKind::kInclude || e.kind == EntryKind::kExclude)) {
      continue;
    }
    PLINTH_RETURN_IF_ERROR(Insert(root.get(), e));
  }
  if (mode == 1 && id_mode != 0 && Find(*root, "_id") == nullptr) {
    PLINTH_RETURN_IF_ERROR(Insert(root.get(), {"_id", EntryKind::kInclude, {}, nullptr}));
  }
  if (mode == 0 && id_mode == 0) {
    PLINTH_RETURN_IF_ERROR(Insert(root.get(), {"_id", EntryKind::kExclude, {}, nullptr}));
  }
  projection.inclusion_ = mode == 1;
  projection.positional_ = positionals > 0;
  projection.computed_ = std::any_of(entries.begin(), entries.end(),
                                     [](const Entry& e) { return e.kind == EntryKind::kComputed; });
  projection.root_ = std::move(root);
  return projection;
}

doc::Document Projection::Apply(const doc::Document& document) const {
  if (root_ == nullptr) return document;
  if (!inclusion_) return Exclude(document, *root_);
  base::Status ignored;
  return Include(document, *root_, Walk{std::nullopt, &ignored}, positional_);
}

base::Result<doc::Document> Projection::Apply(const doc::Document& document,
                                              const MatchDetails& details) const {
  if (root_ == nullptr) return document;
  if (!inclusion_) return Exclude(document, *root_);
  base::Status error;
  expr::EvalContext eval;
  eval.root = &document;
  eval.now_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  doc::Document out =
      Include(document, *root_, Walk{details.array_index, &error, computed_ ? &eval : nullptr},
              positional_);
  if (!error.ok()) return error;
  return out;
}

}  // namespace plinth::matcher
