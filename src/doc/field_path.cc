#include "doc/field_path.h"

#include <limits>

namespace plinth::doc {
namespace {

using base::ErrorCode;
using base::Status;

bool IsDbRefField(std::string_view c) { return c == "$ref" || c == "$id" || c == "$db"; }

// "$", "$[]" or "$[identifier]" with an identifier of a lower-case letter
// followed by letters and digits, as MongoDB's arrayFilters require.
bool IsPositional(std::string_view c) {
  if (c == "$" || c == "$[]") return true;
  if (c.size() < 4 || c.substr(0, 2) != "$[" || c.back() != ']') return false;
  std::string_view id = c.substr(2, c.size() - 3);
  if (id[0] < 'a' || id[0] > 'z') return false;
  for (char ch : id) {
    const bool alnum =
        (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (!alnum) return false;
  }
  return true;
}

Status PathError(std::string_view dotted, const std::string& why) {
  return base::BadValue("invalid field path \"" + std::string(dotted.substr(0, 128)) +
                        "\": " + why);
}

Status ParseImpl(std::string_view dotted, bool allow_positional,
                 std::vector<std::string>* components) {
  if (dotted.empty()) return PathError(dotted, "it is empty");
  if (dotted.find('\0') != std::string_view::npos) return PathError(dotted, "it contains NUL");
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    std::string_view c =
        dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (c.empty()) return PathError(dotted, "it has an empty component");
    if (c[0] == '$' && !IsDbRefField(c) && !(allow_positional && IsPositional(c))) {
      return PathError(dotted,
                       "component \"" + std::string(c.substr(0, 64)) + "\" starts with '$'");
    }
    if (components->size() == FieldPath::kMaxComponents) {
      return PathError(
          dotted, "it has more than " + std::to_string(FieldPath::kMaxComponents) + " components");
    }
    components->emplace_back(c);
    if (dot == std::string_view::npos) return Status::Ok();
    start = dot + 1;
  }
}

std::string Prefix(const FieldPath& path, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += '.';
    out += path[i];
  }
  return out;
}

Status CannotCreate(const FieldPath& path, std::size_t i, const Value& blocker) {
  return Status(ErrorCode::kTypeMismatch, "cannot create field \"" + path[i] + "\" in \"" +
                                              Prefix(path, i) + "\", which is of type " +
                                              std::string(TypeName(blocker.type())));
}

void CollectFromDocument(const Document& d, const FieldPath& path, std::size_t i,
                         std::vector<const Value*>* out);

// `v` was reached by path components [0, i).
void Descend(const Value& v, const FieldPath& path, std::size_t i, std::vector<const Value*>* out) {
  if (i == path.size()) {
    out->push_back(&v);
    return;
  }
  if (const auto* d = v.get_if<Document>()) {
    CollectFromDocument(*d, path, i, out);
    return;
  }
  const auto* a = v.get_if<Array>();
  if (a == nullptr) return;
  if (std::optional<std::size_t> index = ArrayIndexOf(path[i]); index && *index < a->size()) {
    Descend(a->values()[*index], path, i + 1, out);
  }
  for (const Value& element : *a) {
    if (const auto* d = element.get_if<Document>()) CollectFromDocument(*d, path, i, out);
  }
}

void CollectFromDocument(const Document& d, const FieldPath& path, std::size_t i,
                         std::vector<const Value*>* out) {
  if (const Value* v = d.Get(path[i])) Descend(*v, path, i + 1, out);
}

}  // namespace

base::Result<FieldPath> FieldPath::Parse(std::string_view dotted) {
  std::vector<std::string> components;
  PLINTH_RETURN_IF_ERROR(ParseImpl(dotted, /*allow_positional=*/false, &components));
  return FieldPath(std::move(components));
}

base::Result<FieldPath> FieldPath::ParseForUpdate(std::string_view dotted) {
  std::vector<std::string> components;
  PLINTH_RETURN_IF_ERROR(ParseImpl(dotted, /*allow_positional=*/true, &components));
  return FieldPath(std::move(components));
}

std::string FieldPath::ToString() const { return Prefix(*this, components_.size()); }

std::optional<std::size_t> ArrayIndexOf(std::string_view component) {
  if (component.empty() || component.size() > 18) return std::nullopt;
  if (component.size() > 1 && component[0] == '0') return std::nullopt;
  std::size_t index = 0;
  for (char c : component) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

const Value* GetPath(const Document& document, const FieldPath& path) {
  const Value* v = document.Get(path[0]);
  for (std::size_t i = 1; i < path.size() && v != nullptr; ++i) {
    if (const auto* d = v->get_if<Document>()) {
      v = d->Get(path[i]);
    } else if (const auto* a = v->get_if<Array>()) {
      std::optional<std::size_t> index = ArrayIndexOf(path[i]);
      v = index && *index < a->size() ? &a->values()[*index] : nullptr;
    } else {
      v = nullptr;
    }
  }
  return v;
}

void CollectPathValues(const Document& document, const FieldPath& path,
                       std::vector<const Value*>* out) {
  CollectFromDocument(document, path, 0, out);
}

base::Status SetPath(Document* document, const FieldPath& path, Value value) {
  // Every check happens before the first change: once a missing field has been
  // created, the rest of the walk is inside new empty documents and cannot fail.
  Document* doc = document;
  Array* array = nullptr;
  const Value* container = nullptr;  // the value holding `array`, for messages
  for (std::size_t i = 0; i < path.size(); ++i) {
    const bool last = i + 1 == path.size();
    Value* child = nullptr;
    if (doc != nullptr) {
      child = doc->GetMutable(path[i]);
      if (child == nullptr) {
        if (last) {
          doc->Append(path[i], std::move(value));
          return Status::Ok();
        }
        doc->Append(path[i], Document{});
        child = &doc->mutable_fields().back().second;
      }
    } else {
      std::optional<std::size_t> index = ArrayIndexOf(path[i]);
      if (!index) return CannotCreate(path, i, *container);
      std::vector<Value>& values = array->mutable_values();
      if (*index >= values.size()) {
        if (*index - values.size() > kMaxArrayPadding) {
          return base::BadValue("cannot pad array \"" + Prefix(path, i) + "\" with more than " +
                                std::to_string(kMaxArrayPadding) + " null elements");
        }
        values.resize(*index + 1);
        if (!last) values[*index] = Document{};
      }
      child = &values[*index];
    }
    if (last) {
      *child = std::move(value);
      return Status::Ok();
    }
    if (child->is_document()) {
      doc = &child->as_document();
      array = nullptr;
    } else if (child->is_array()) {
      array = &child->as_array();
      container = child;
      doc = nullptr;
    } else {
      return CannotCreate(path, i + 1, *child);
    }
  }
  return Status::Ok();
}

bool RemovePath(Document* document, const FieldPath& path) {
  Value* parent = nullptr;
  Document* doc = document;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    if (doc != nullptr) {
      parent = doc->GetMutable(path[i]);
    } else {
      std::optional<std::size_t> index = ArrayIndexOf(path[i]);
      std::vector<Value>& values = parent->as_array().mutable_values();
      parent = index && *index < values.size() ? &values[*index] : nullptr;
    }
    if (parent == nullptr) return false;
    if (parent->is_document()) {
      doc = &parent->as_document();
    } else if (parent->is_array()) {
      doc = nullptr;
    } else {
      return false;
    }
  }
  const std::string& last = path[path.size() - 1];
  if (doc != nullptr) return doc->Remove(last) > 0;
  std::optional<std::size_t> index = ArrayIndexOf(last);
  std::vector<Value>& values = parent->as_array().mutable_values();
  if (!index || *index >= values.size()) return false;
  values[*index] = Null{};
  return true;
}

}  // namespace plinth::doc
