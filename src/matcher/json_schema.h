#pragma once

#include <cstddef>
#include <memory>

#include "base/result.h"
#include "doc/value.h"
#include "matcher/predicate.h"

namespace plinth::matcher {

// Compiles the operand of a top-level {$jsonSchema: {...}} into a document
// test. The schema is parsed and its regexes compiled once, here; the result
// is immutable and thread-safe.
//
// The subset App Services schemas use (JSON Schema draft 4 as MongoDB reads
// it): bsonType (a $type alias or an array of them, plus "number"), type (the
// JSON types object, array, number, boolean, string, null; "integer" is
// refused, as MongoDB does), required, properties, patternProperties,
// additionalProperties (bool or schema), minProperties, maxProperties, items
// (schema or array of schemas), additionalItems, minItems, maxItems,
// uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
// minLength, maxLength (in code points), pattern, enum, allOf, anyOf, oneOf,
// not; title and description are accepted and ignored. Keywords that apply to
// one type ignore values of other types, and there is no implicit array
// traversal. Enum and uniqueItems compare numbers by value and documents
// regardless of field order.
//
// Errors: kFailedToParse for an unknown keyword and for the keywords Plinth
// does not implement ($ref, $schema, id, format, default, definitions,
// dependencies, multipleOf, encrypt), naming the keyword; kTypeMismatch
// for a keyword with a value of the wrong type; kBadValue for other invalid
// values (an empty required/enum/allOf, a negative minItems, a top-level
// type that excludes "object", ...); kDepthLimitExceeded for schemas nested
// more than max_depth levels.
base::Result<std::shared_ptr<const DocumentPredicate>> ParseJsonSchema(const doc::Value& schema,
                                                                       std::size_t max_depth);

}  // namespace plinth::matcher
