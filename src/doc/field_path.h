#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "doc/value.h"

namespace plinth::doc {

// A dotted field path such as "a.b.0.c", split into components. Value type;
// thread-compatible. Built only through Parse*, so every FieldPath is valid:
// 1 to kMaxComponents non-empty components without NUL bytes.
class FieldPath {
 public:
  // MongoDB's limit on path components.
  static constexpr std::size_t kMaxComponents = 200;

  // Paths for queries, projections and stored field names. A component may not
  // start with '$' (MongoDB reserves those), except the DBRef fields $ref, $id
  // and $db. kBadValue otherwise.
  static base::Result<FieldPath> Parse(std::string_view dotted);
  // Paths for update operators: additionally allows the positional components
  // "$", "$[]" and "$[<identifier>]". Resolving them is the updater's job; the
  // lookup helpers below treat them as plain field names.
  static base::Result<FieldPath> ParseForUpdate(std::string_view dotted);

  std::size_t size() const { return components_.size(); }
  const std::string& operator[](std::size_t i) const { return components_[i]; }
  const std::vector<std::string>& components() const { return components_; }
  // The dotted form, as parsed.
  std::string ToString() const;

  friend bool operator==(const FieldPath&, const FieldPath&) = default;

 private:
  explicit FieldPath(std::vector<std::string> components) : components_(std::move(components)) {}
  std::vector<std::string> components_;
};

// The array index a component names: digits only, no leading zero ("0", "12"),
// small enough for size_t. "01", "-1" and "1a" are field names, not indexes.
std::optional<std::size_t> ArrayIndexOf(std::string_view component);

// Free functions over documents. They never throw; read helpers take const
// references and are thread-safe on shared documents, write helpers need
// exclusive access to *document.

// The value at `path`, walking documents by name (first field of that name)
// and arrays by numeric component. No implicit array traversal: "a.b" on
// {a: [{b: 1}]} is nullptr. nullptr when any step is missing or a scalar.
const Value* GetPath(const Document& document, const FieldPath& path);

// Appends to *out every value MongoDB's query language reaches at `path`,
// descending into arrays implicitly, in document order:
// - at a document, the named field;
// - at an array with a numeric component ("a.1"), the element at that index,
//   and also, for each element that is a document, its field of that name
//   ({a: [{"1": x}]} reaches x too);
// - at an array with any other component, that field of every element that is
//   a document. Arrays directly inside arrays are not entered implicitly
//   ("a.b" on {a: [[{b: 1}]]} reaches nothing), only through an index.
// A value reached at the end of the path is appended as is, arrays included:
// the matcher decides whether to also test an array's elements (MongoDB does,
// for most operators). Missing paths append nothing. Pointers stay valid while
// `document` is unchanged.
void CollectPathValues(const Document& document, const FieldPath& path,
                       std::vector<const Value*>* out);

// Sets the value at `path`, creating missing intermediate fields as empty
// documents, as $set does. Arrays are entered by numeric component; setting or
// creating past the end pads the array with nulls (at most kMaxArrayPadding
// new elements). kTypeMismatch when a step meets a scalar or an array with a
// non-numeric component; *document is unchanged on error.
inline constexpr std::size_t kMaxArrayPadding = 1500000;
base::Status SetPath(Document* document, const FieldPath& path, Value value);

// Removes the value at `path`, as $unset does: a document field is removed
// (every field of that name); an array element becomes null, keeping the
// positions of the others. Returns whether anything was there.
bool RemovePath(Document* document, const FieldPath& path);

}  // namespace plinth::doc
