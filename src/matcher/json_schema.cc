#include "matcher/json_schema.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "doc/compare.h"
#include "matcher/numbers.h"
#include "matcher/regex.h"

namespace plinth::matcher {
namespace {

using base::Result;
using base::Status;

// One compiled schema (or subschema). Every keyword is optional; an empty
// Schema accepts every value.
struct Schema {
  // type / bsonType. Absent when neither keyword is given.
  bool has_type = false;
  std::vector<doc::Type> types;
  bool type_number = false;  // "number": any of the four numeric types

  // Objects.
  std::vector<std::string> required;
  std::vector<std::pair<std::string, std::unique_ptr<Schema>>> properties;
  std::vector<std::pair<std::shared_ptr<const Regex>, std::unique_ptr<Schema>>> pattern_properties;
  bool additional_properties_allowed = true;
  std::unique_ptr<Schema> additional_properties;  // when set, extra fields must match it
  std::optional<std::int64_t> min_properties;
  std::optional<std::int64_t> max_properties;

  // Arrays.
  std::unique_ptr<Schema> items;  // every element
  std::vector<std::unique_ptr<Schema>> items_by_position;
  bool has_items_by_position = false;
  bool additional_items_allowed = true;  // beyond items_by_position
  std::unique_ptr<Schema> additional_items;
  std::optional<std::int64_t> min_items;
  std::optional<std::int64_t> max_items;
  bool unique_items = false;

  // Numbers.
  std::optional<doc::Value> minimum;
  std::optional<doc::Value> maximum;
  bool exclusive_minimum = false;
  bool exclusive_maximum = false;

  // Strings.
  std::optional<std::int64_t> min_length;
  std::optional<std::int64_t> max_length;
  std::shared_ptr<const Regex> pattern;

  // Any type.
  bool has_enum = false;
  std::vector<doc::Value> enum_values;
  std::vector<std::unique_ptr<Schema>> all_of;
  std::vector<std::unique_ptr<Schema>> any_of;
  std::vector<std::unique_ptr<Schema>> one_of;
  std::unique_ptr<Schema> not_schema;
};

// ---------------------------------------------------------------- matching

// MongoDB's equality for enum and uniqueItems: numbers by value, documents
// as sets of fields (order does not matter), arrays element by element.
bool EqualIgnoringFieldOrder(const doc::Value& a, const doc::Value& b);

bool DocumentsEqualIgnoringOrder(const doc::Document& a, const doc::Document& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, value] : a) {
    const doc::Value* other = b.Get(name);
    if (other == nullptr || !EqualIgnoringFieldOrder(value, *other)) return false;
  }
  return true;
}

bool EqualIgnoringFieldOrder(const doc::Value& a, const doc::Value& b) {
  const auto* da = a.get_if<doc::Document>();
  const auto* db = b.get_if<doc::Document>();
  if (da != nullptr || db != nullptr) {
    return da != nullptr && db != nullptr && DocumentsEqualIgnoringOrder(*da, *db);
  }
  const auto* aa = a.get_if<doc::Array>();
  const auto* ab = b.get_if<doc::Array>();
  if (aa != nullptr || ab != nullptr) {
    if (aa == nullptr || ab == nullptr || aa->size() != ab->size()) return false;
    for (std::size_t i = 0; i < aa->size(); ++i) {
      if (!EqualIgnoringFieldOrder((*aa)[i], (*ab)[i])) return false;
    }
    return true;
  }
  return doc::ValuesEqual(a, b);
}

std::int64_t CodePoints(const std::string& s) {
  std::int64_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;  // not a continuation byte
  }
  return n;
}

bool Valid(const Schema& schema, const doc::Value& value);

bool ValidObject(const Schema& schema, const doc::Document& object) {
  for (const std::string& name : schema.required) {
    if (!object.Has(name)) return false;
  }
  const auto count = static_cast<std::int64_t>(object.size());
  if (schema.min_properties && count < *schema.min_properties) return false;
  if (schema.max_properties && count > *schema.max_properties) return false;
  for (const auto& [name, value] : object) {
    bool described = false;
    for (const auto& [prop, sub] : schema.properties) {
      if (prop == name) {
        described = true;
        if (!Valid(*sub, value)) return false;
        break;
      }
    }
    for (const auto& [regex, sub] : schema.pattern_properties) {
      if (regex->Matches(name)) {
        described = true;
        if (!Valid(*sub, value)) return false;
      }
    }
    if (described) continue;
    if (!schema.additional_properties_allowed) return false;
    if (schema.additional_properties && !Valid(*schema.additional_properties, value)) return false;
  }
  return true;
}

bool ValidArray(const Schema& schema, const doc::Array& array) {
  const auto count = static_cast<std::int64_t>(array.size());
  if (schema.min_items && count < *schema.min_items) return false;
  if (schema.max_items && count > *schema.max_items) return false;
  if (schema.items) {
    for (const doc::Value& e : array) {
      if (!Valid(*schema.items, e)) return false;
    }
  }
  if (schema.has_items_by_position) {
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (i < schema.items_by_position.size()) {
        if (!Valid(*schema.items_by_position[i], array[i])) return false;
      } else if (!schema.additional_items_allowed) {
        return false;
      } else if (schema.additional_items && !Valid(*schema.additional_items, array[i])) {
        return false;
      }
    }
  }
  if (schema.unique_items) {
    for (std::size_t i = 0; i < array.size(); ++i) {
      for (std::size_t j = i + 1; j < array.size(); ++j) {
        if (EqualIgnoringFieldOrder(array[i], array[j])) return false;
      }
    }
  }
  return true;
}

bool ValidNumber(const Schema& schema, const doc::Value& number) {
  if (schema.minimum) {
    const int c = doc::Compare(number, *schema.minimum);
    if (c < 0 || (c == 0 && schema.exclusive_minimum)) return false;
  }
  if (schema.maximum) {
    const int c = doc::Compare(number, *schema.maximum);
    if (c > 0 || (c == 0 && schema.exclusive_maximum)) return false;
  }
  return true;
}

bool ValidString(const Schema& schema, const std::string& s) {
  if (schema.min_length || schema.max_length) {
    const std::int64_t n = CodePoints(s);
    if (schema.min_length && n < *schema.min_length) return false;
    if (schema.max_length && n > *schema.max_length) return false;
  }
  return !schema.pattern || schema.pattern->Matches(s);
}

bool TypeAllowed(const Schema& schema, const doc::Value& value) {
  if (!schema.has_type) return true;
  if (schema.type_number && value.is_number()) return true;
  return std::find(schema.types.begin(), schema.types.end(), value.type()) != schema.types.end();
}

bool Valid(const Schema& schema, const doc::Value& value) {
  if (!TypeAllowed(schema, value)) return false;
  if (const auto* d = value.get_if<doc::Document>()) {
    if (!ValidObject(schema, *d)) return false;
  } else if (const auto* a = value.get_if<doc::Array>()) {
    if (!ValidArray(schema, *a)) return false;
  } else if (const auto* s = value.get_if<std::string>()) {
    if (!ValidString(schema, *s)) return false;
  } else if (value.is_number()) {
    if (!ValidNumber(schema, value)) return false;
  }
  if (schema.has_enum) {
    bool found = false;
    for (const doc::Value& candidate : schema.enum_values) {
      if (EqualIgnoringFieldOrder(value, candidate)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  for (const auto& sub : schema.all_of) {
    if (!Valid(*sub, value)) return false;
  }
  if (!schema.any_of.empty()) {
    bool any = false;
    for (const auto& sub : schema.any_of) {
      if (Valid(*sub, value)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!schema.one_of.empty()) {
    int matched = 0;
    for (const auto& sub : schema.one_of) {
      if (Valid(*sub, value) && ++matched > 1) return false;
    }
    if (matched != 1) return false;
  }
  return !schema.not_schema || !Valid(*schema.not_schema, value);
}

class JsonSchemaPredicate final : public DocumentPredicate {
 public:
  JsonSchemaPredicate(std::unique_ptr<Schema> schema, bool needs_value_copy)
      : schema_(std::move(schema)), needs_value_copy_(needs_value_copy) {}

  bool Test(const doc::Document& document) const override {
    // Keywords about the value as a whole (enum, allOf, ...) need it as a
    // Value; the common schema (type, required, properties) does not, so the
    // copy is made only when such a keyword is present at the top.
    if (needs_value_copy_) return Valid(*schema_, doc::Value(document));
    return ValidObject(*schema_, document);
  }

 private:
  std::unique_ptr<Schema> schema_;
  bool needs_value_copy_;
};

// ----------------------------------------------------------------- parsing

Status TypeMismatch(std::string_view keyword, std::string_view what) {
  return Status(base::ErrorCode::kTypeMismatch,
                "$jsonSchema keyword '" + std::string(keyword) + "' must be " + std::string(what));
}

Status Invalid(std::string_view keyword, std::string_view what) {
  return base::BadValue("$jsonSchema keyword '" + std::string(keyword) + "' " + std::string(what));
}

// Keywords of draft 4 (or MongoDB's) that Plinth does not implement: refused
// by name rather than silently ignored, since ignoring one would accept
// documents the schema's author meant to reject.
constexpr std::string_view kUnsupported[] = {
    "$ref",        "$schema",      "id",         "format",  "default",
    "definitions", "dependencies", "multipleOf", "encrypt", "encryptMetadata"};

bool IsUnsupported(std::string_view name) {
  return std::find(std::begin(kUnsupported), std::end(kUnsupported), name) !=
         std::end(kUnsupported);
}

constexpr doc::Type kAllTypes[] = {
    doc::Type::kMinKey,     doc::Type::kDouble, doc::Type::kString,    doc::Type::kDocument,
    doc::Type::kArray,      doc::Type::kBinary, doc::Type::kUndefined, doc::Type::kObjectId,
    doc::Type::kBool,       doc::Type::kDate,   doc::Type::kNull,      doc::Type::kRegex,
    doc::Type::kJavaScript, doc::Type::kInt32,  doc::Type::kTimestamp, doc::Type::kInt64,
    doc::Type::kDecimal128, doc::Type::kMaxKey,
};

Status AddBsonType(const std::string& name, Schema* schema) {
  if (name == "number") {
    schema->type_number = true;
    return Status::Ok();
  }
  // Valid $type names for types the value model cannot hold: never match.
  if (name == "dbPointer" || name == "symbol" || name == "javascriptWithScope") {
    return Status::Ok();
  }
  for (doc::Type t : kAllTypes) {
    if (doc::TypeName(t) == name) {
      schema->types.push_back(t);
      return Status::Ok();
    }
  }
  return base::BadValue("$jsonSchema keyword 'bsonType' has an unknown type name alias: " + name);
}

Status AddJsonType(const std::string& name, Schema* schema) {
  if (name == "number") {
    schema->type_number = true;
  } else if (name == "object") {
    schema->types.push_back(doc::Type::kDocument);
  } else if (name == "array") {
    schema->types.push_back(doc::Type::kArray);
  } else if (name == "boolean") {
    schema->types.push_back(doc::Type::kBool);
  } else if (name == "string") {
    schema->types.push_back(doc::Type::kString);
  } else if (name == "null") {
    schema->types.push_back(doc::Type::kNull);
  } else if (name == "integer") {
    return Status(base::ErrorCode::kFailedToParse,
                  "$jsonSchema type 'integer' is not supported; use bsonType \"int\" or "
                  "\"long\"");
  } else {
    return base::BadValue("$jsonSchema keyword 'type' has an unknown JSON type: " + name);
  }
  return Status::Ok();
}

// The depth of the top-level schema: one level below the filter document,
// so a schema's nesting counts toward the filter's depth limit.
constexpr std::size_t kTopLevelDepth = 2;

class SchemaParser {
 public:
  explicit SchemaParser(std::size_t max_depth) : max_depth_(max_depth) {}

  Result<std::unique_ptr<Schema>> Parse(const doc::Value& value, std::string_view keyword,
                                        std::size_t depth) {
    if (depth > max_depth_) {
      return Status(base::ErrorCode::kDepthLimitExceeded,
                    "$jsonSchema is nested deeper than " + std::to_string(max_depth_) + " levels");
    }
    const auto* object = value.get_if<doc::Document>();
    if (object == nullptr) {
      if (depth == kTopLevelDepth) {
        return Status(base::ErrorCode::kTypeMismatch, "$jsonSchema must be an object");
      }
      return TypeMismatch(keyword, "an object");
    }
    auto schema = std::make_unique<Schema>();
    const doc::Value* type = object->Get("type");
    const doc::Value* bson_type = object->Get("bsonType");
    if (type != nullptr && bson_type != nullptr) {
      return base::BadValue("$jsonSchema keywords 'type' and 'bsonType' cannot both be given");
    }
    for (const auto& [name, v] : *object) {
      PLINTH_RETURN_IF_ERROR(Keyword(name, v, depth, schema.get()));
    }
    if (schema->exclusive_minimum && !schema->minimum) {
      return Invalid("exclusiveMinimum", "needs 'minimum'");
    }
    if (schema->exclusive_maximum && !schema->maximum) {
      return Invalid("exclusiveMaximum", "needs 'maximum'");
    }
    return schema;
  }

 private:
  Status Keyword(const std::string& name, const doc::Value& v, std::size_t depth, Schema* schema) {
    if (name == "title" || name == "description") {
      if (!v.is_string()) return TypeMismatch(name, "a string");
      return Status::Ok();
    }
    if (name == "type" || name == "bsonType") return Types(name, v, schema);
    if (name == "required") return Required(v, schema);
    if (name == "properties") {
      const auto* props = v.get_if<doc::Document>();
      if (props == nullptr) return TypeMismatch(name, "an object");
      for (const auto& [prop, sub] : *props) {
        PLINTH_ASSIGN_OR_RETURN(auto compiled, Parse(sub, name, depth + 1));
        schema->properties.emplace_back(prop, std::move(compiled));
      }
      return Status::Ok();
    }
    if (name == "patternProperties") {
      const auto* props = v.get_if<doc::Document>();
      if (props == nullptr) return TypeMismatch(name, "an object");
      for (const auto& [pattern, sub] : *props) {
        PLINTH_ASSIGN_OR_RETURN(auto regex, Regex::Compile(pattern, ""));
        PLINTH_ASSIGN_OR_RETURN(auto compiled, Parse(sub, name, depth + 1));
        schema->pattern_properties.emplace_back(std::move(regex), std::move(compiled));
      }
      return Status::Ok();
    }
    if (name == "additionalProperties") {
      if (v.is_bool()) {
        schema->additional_properties_allowed = v.as_bool();
        return Status::Ok();
      }
      if (!v.is_document()) return TypeMismatch(name, "a boolean or an object");
      PLINTH_ASSIGN_OR_RETURN(schema->additional_properties, Parse(v, name, depth + 1));
      return Status::Ok();
    }
    if (name == "items") {
      if (const auto* list = v.get_if<doc::Array>()) {
        schema->has_items_by_position = true;
        for (const doc::Value& sub : *list) {
          PLINTH_ASSIGN_OR_RETURN(auto compiled, Parse(sub, name, depth + 1));
          schema->items_by_position.push_back(std::move(compiled));
        }
        return Status::Ok();
      }
      if (!v.is_document()) return TypeMismatch(name, "an object or an array of objects");
      PLINTH_ASSIGN_OR_RETURN(schema->items, Parse(v, name, depth + 1));
      return Status::Ok();
    }
    if (name == "additionalItems") {
      // Without an array-form 'items' it has nothing to apply to (draft 4).
      if (v.is_bool()) {
        schema->additional_items_allowed = v.as_bool();
        return Status::Ok();
      }
      if (!v.is_document()) return TypeMismatch(name, "a boolean or an object");
      PLINTH_ASSIGN_OR_RETURN(schema->additional_items, Parse(v, name, depth + 1));
      return Status::Ok();
    }
    if (name == "minItems") return Count(name, v, &schema->min_items);
    if (name == "maxItems") return Count(name, v, &schema->max_items);
    if (name == "minProperties") return Count(name, v, &schema->min_properties);
    if (name == "maxProperties") return Count(name, v, &schema->max_properties);
    if (name == "minLength") return Count(name, v, &schema->min_length);
    if (name == "maxLength") return Count(name, v, &schema->max_length);
    if (name == "uniqueItems") return Flag(name, v, &schema->unique_items);
    if (name == "exclusiveMinimum") return Flag(name, v, &schema->exclusive_minimum);
    if (name == "exclusiveMaximum") return Flag(name, v, &schema->exclusive_maximum);
    if (name == "minimum" || name == "maximum") {
      if (!v.is_number()) return TypeMismatch(name, "a number");
      (name == "minimum" ? schema->minimum : schema->maximum) = v;
      return Status::Ok();
    }
    if (name == "pattern") {
      if (!v.is_string()) return TypeMismatch(name, "a string");
      PLINTH_ASSIGN_OR_RETURN(schema->pattern, Regex::Compile(v.as_string(), ""));
      return Status::Ok();
    }
    if (name == "enum") {
      const auto* values = v.get_if<doc::Array>();
      if (values == nullptr) return TypeMismatch(name, "an array");
      if (values->empty()) return Invalid(name, "cannot be an empty array");
      schema->has_enum = true;
      schema->enum_values = values->values();
      return Status::Ok();
    }
    if (name == "allOf") return SchemaList(name, v, depth, &schema->all_of);
    if (name == "anyOf") return SchemaList(name, v, depth, &schema->any_of);
    if (name == "oneOf") return SchemaList(name, v, depth, &schema->one_of);
    if (name == "not") {
      PLINTH_ASSIGN_OR_RETURN(schema->not_schema, Parse(v, name, depth + 1));
      return Status::Ok();
    }
    if (IsUnsupported(name)) {
      return Status(base::ErrorCode::kFailedToParse,
                    "$jsonSchema keyword '" + name + "' is not supported");
    }
    return Status(base::ErrorCode::kFailedToParse, "Unknown $jsonSchema keyword: " + name);
  }

  static Status Types(const std::string& name, const doc::Value& v, Schema* schema) {
    auto add = [&](const doc::Value& alias) -> Status {
      if (!alias.is_string()) return TypeMismatch(name, "a string or an array of strings");
      return name == "type" ? AddJsonType(alias.as_string(), schema)
                            : AddBsonType(alias.as_string(), schema);
    };
    schema->has_type = true;
    if (const auto* list = v.get_if<doc::Array>()) {
      if (list->empty()) return Invalid(name, "cannot be an empty array");
      for (const doc::Value& alias : *list) PLINTH_RETURN_IF_ERROR(add(alias));
      return Status::Ok();
    }
    return add(v);
  }

  static Status Required(const doc::Value& v, Schema* schema) {
    const auto* names = v.get_if<doc::Array>();
    if (names == nullptr) return TypeMismatch("required", "an array");
    if (names->empty()) return Invalid("required", "cannot be an empty array");
    for (const doc::Value& n : *names) {
      if (!n.is_string()) return TypeMismatch("required", "an array of strings");
      if (std::find(schema->required.begin(), schema->required.end(), n.as_string()) !=
          schema->required.end()) {
        return Invalid("required", "must contain unique values");
      }
      schema->required.push_back(n.as_string());
    }
    return Status::Ok();
  }

  static Status Count(const std::string& name, const doc::Value& v,
                      std::optional<std::int64_t>* out) {
    if (!v.is_number()) return TypeMismatch(name, "a number");
    const std::optional<std::int64_t> n = ExactInt64(v);
    if (!n) return Invalid(name, "must be an integer representable as a 64-bit integer");
    if (*n < 0) return Invalid(name, "cannot be negative");
    *out = *n;
    return Status::Ok();
  }

  static Status Flag(const std::string& name, const doc::Value& v, bool* out) {
    if (!v.is_bool()) return TypeMismatch(name, "a boolean");
    *out = v.as_bool();
    return Status::Ok();
  }

  Status SchemaList(const std::string& name, const doc::Value& v, std::size_t depth,
                    std::vector<std::unique_ptr<Schema>>* out) {
    const auto* list = v.get_if<doc::Array>();
    if (list == nullptr) return TypeMismatch(name, "an array");
    if (list->empty()) return Invalid(name, "cannot be an empty array");
    for (const doc::Value& sub : *list) {
      PLINTH_ASSIGN_OR_RETURN(auto compiled, Parse(sub, name, depth + 1));
      out->push_back(std::move(compiled));
    }
    return Status::Ok();
  }

  std::size_t max_depth_;
};

}  // namespace

base::Result<std::shared_ptr<const DocumentPredicate>> ParseJsonSchema(const doc::Value& schema,
                                                                       std::size_t max_depth) {
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<Schema> root,
                          SchemaParser(max_depth).Parse(schema, "$jsonSchema", kTopLevelDepth));
  // The document is always an object, so a top-level type without "object"
  // could match nothing: MongoDB treats that as a mistake in the schema.
  if (root->has_type && std::find(root->types.begin(), root->types.end(), doc::Type::kDocument) ==
                            root->types.end()) {
    return base::BadValue("$jsonSchema's top-level type must include 'object'");
  }
  const bool needs_value_copy = root->has_enum || !root->all_of.empty() || !root->any_of.empty() ||
                                !root->one_of.empty() || root->not_schema != nullptr;
  return std::shared_ptr<const DocumentPredicate>(
      std::make_shared<JsonSchemaPredicate>(std::move(root), needs_value_copy));
}

}  // namespace plinth::matcher
