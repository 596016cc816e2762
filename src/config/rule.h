#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// Rules of one collection, or a data source's default rule (app-config §4):
// roles chosen per document, filters ANDed into queries.
//
// Expressions are kept as raw doc::Value: `true`, `false` or a document in the
// expression language of app-config §5. They are parsed and checked when the
// server starts (rules/), not here. Where the spec says a permission defaults
// to "undefined" (which differs from false), the member is std::optional and
// nullopt means undefined; has_value() is the "is set" test.
// Value types; thread-compatible.

// Permissions of one field, possibly with nested fields of a sub-document.
struct FieldRule {
  std::string name;
  std::optional<doc::Value> read;   // unset: false unless a broader rule allows
  std::optional<doc::Value> write;  // unset: false; write implies read
  std::vector<FieldRule> fields;    // nested; the parent's permission wins
};

struct DocumentFilters {
  std::optional<doc::Value> read;   // unset: true (outside Device Sync)
  std::optional<doc::Value> write;  // unset: true (outside Device Sync)
};

struct AdditionalFields {
  std::optional<doc::Value> read;   // unset: false
  std::optional<doc::Value> write;  // unset: false
};

struct Role {
  std::string name;                         // at most 100 characters, unique within its rule set
  doc::Value apply_when = doc::Document{};  // {} = always
  DocumentFilters document_filters;
  std::optional<doc::Value> read;   // document-level; unset = undefined
  std::optional<doc::Value> write;  // document-level; implies read; unset = undefined
  doc::Value insert = true;
  doc::Value delete_ = true;  // `delete`
  doc::Value search = true;
  std::vector<FieldRule> fields;  // `fields`, in file order
  AdditionalFields additional_fields;
};

struct Filter {
  std::string name;                         // at most 100 characters
  doc::Value apply_when = doc::Document{};  // no document expansions allowed
  doc::Document query;                      // ANDed into the request's query
  doc::Document projection;                 // merged into the request's projection
};

// The `roles` and `filters` of a rules.json or default_rule.json.
struct RuleSet {
  std::vector<Role> roles;
  std::vector<Filter> filters;
};

// Reads `roles` and `filters` through `r` (the file's top-level reader), checking
// types, names and role-name uniqueness. Marks both keys known.
RuleSet ParseRuleSet(FieldReader& r);

}  // namespace plinth::config
