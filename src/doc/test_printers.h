#pragma once

// GoogleTest printers for doc values (tests only): failures show canonical
// Extended JSON instead of raw bytes.
#include <ostream>

#include "doc/ejson.h"
#include "doc/field_path.h"

namespace plinth::doc {

inline void PrintTo(const Value& value, std::ostream* os) { *os << ToCanonicalJson(value); }
inline void PrintTo(const Document& document, std::ostream* os) {
  *os << ToCanonicalJson(document);
}
inline void PrintTo(const Array& array, std::ostream* os) { *os << ToCanonicalJson(Value(array)); }
inline void PrintTo(const FieldPath& path, std::ostream* os) { *os << path.ToString(); }

}  // namespace plinth::doc
