#include "config/rule.h"

#include <set>

namespace plinth::config {
namespace {

constexpr std::size_t kMaxRuleNameLength = 100;

void CheckRuleName(FieldReader& r, const std::string& name) {
  if (name.empty()) {
    r.diag()->Error(r.FieldOf("name"), "must not be empty");
  } else if (name.size() > kMaxRuleNameLength) {
    r.diag()->Error(r.FieldOf("name"), "is longer than 100 characters");
  }
}

std::vector<FieldRule> ParseFieldRules(FieldReader& parent, std::string_view key) {
  std::vector<FieldRule> out;
  const doc::Value* v = parent.Get(key);
  if (v == nullptr) return out;
  FieldReader fields(*v, parent.FieldOf(key), parent.diag());
  if (!fields.ok()) return out;
  for (const auto& [name, spec] : v->as_document()) {
    FieldReader f = fields.Child(name);
    if (!f.ok()) continue;
    FieldRule rule;
    rule.name = name;
    rule.read = f.Expression("read");
    rule.write = f.Expression("write");
    rule.fields = ParseFieldRules(f, "fields");
    f.WarnUnknownKeys();
    out.push_back(std::move(rule));
  }
  return out;
}

Role ParseRole(FieldReader& r) {
  Role role;
  r.Read("name", &role.name, Presence::kRequired);
  if (r.Has("name")) CheckRuleName(r, role.name);
  if (auto e = r.Expression("apply_when")) role.apply_when = std::move(*e);
  FieldReader filters = r.Child("document_filters");
  if (filters.ok()) {
    role.document_filters.read = filters.Expression("read");
    role.document_filters.write = filters.Expression("write");
    filters.WarnUnknownKeys();
  }
  role.read = r.Expression("read");
  role.write = r.Expression("write");
  if (auto e = r.Expression("insert")) role.insert = std::move(*e);
  if (auto e = r.Expression("delete")) role.delete_ = std::move(*e);
  if (auto e = r.Expression("search")) role.search = std::move(*e);
  role.fields = ParseFieldRules(r, "fields");
  FieldReader additional = r.Child("additional_fields");
  if (additional.ok()) {
    role.additional_fields.read = additional.Expression("read");
    role.additional_fields.write = additional.Expression("write");
    additional.WarnUnknownKeys();
  }
  r.Ignore({"id"});
  r.WarnUnknownKeys();
  return role;
}

Filter ParseFilter(FieldReader& r) {
  Filter filter;
  r.Read("name", &filter.name, Presence::kRequired);
  if (r.Has("name")) CheckRuleName(r, filter.name);
  if (auto e = r.Expression("apply_when")) filter.apply_when = std::move(*e);
  r.Read("query", &filter.query);
  if (r.Has("projection")) {
    r.Read("projection", &filter.projection);
  } else if (r.Has("project")) {
    // A typo in the App Services docs' own example (app-config §4.3).
    r.diag()->Warn(r.FieldOf("project"), "read as \"projection\"");
    r.Read("project", &filter.projection);
  }
  r.Ignore({"projection", "id"});
  r.WarnUnknownKeys();
  return filter;
}

// Calls `parse` for each object of the array at `key`.
template <typename T, typename Parse>
std::vector<T> ParseArray(FieldReader& r, std::string_view key, Parse parse) {
  std::vector<T> out;
  const doc::Value* v = r.Get(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    r.diag()->Error(r.FieldOf(key), "expected an array, got " + std::string(JsonTypeName(*v)));
    return out;
  }
  const doc::Array& array = v->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    FieldReader item(array[i], IndexField(r.FieldOf(key), i), r.diag());
    if (!item.ok()) continue;
    out.push_back(parse(item));
  }
  return out;
}

}  // namespace

RuleSet ParseRuleSet(FieldReader& r) {
  RuleSet rules;
  rules.roles = ParseArray<Role>(r, "roles", ParseRole);
  rules.filters = ParseArray<Filter>(r, "filters", ParseFilter);
  std::set<std::string> names;
  for (std::size_t i = 0; i < rules.roles.size(); ++i) {
    const std::string& name = rules.roles[i].name;
    if (!name.empty() && !names.insert(name).second) {
      r.diag()->Error(JoinField(IndexField(r.FieldOf("roles"), i), "name"),
                      "duplicate role name \"" + name + "\"");
    }
  }
  return rules;
}

}  // namespace plinth::config
