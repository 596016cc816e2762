#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/field_reader.h"
#include "config/rule.h"
#include "doc/value.h"

namespace plinth::config {

// DataSourceConfig is one linked data source, `data_sources/<dir>/` (app-config
// §1.5, §1.6): its config.json, its optional default_rule.json and the
// rules.json of each `<db>/<coll>/` directory. For Plinth a data source is a
// namespace of the app's store: clusterName and uri are kept but the server
// decides which storage engine backs them.
// Value types; thread-compatible.

// `<db>/<coll>/rules.json`, plus schema.json / relationships.json if present.
struct CollectionRules {
  std::string database;
  std::string collection;
  // False when the directory has schema.json but no rules.json: the default
  // rule then applies.
  bool has_rules_file = false;
  RuleSet rules;
  std::optional<doc::Document> schema;         // schema.json, raw
  std::optional<doc::Document> relationships;  // relationships.json, raw
  std::string file;  // "data_sources/mongodb-atlas/myapp/users/rules.json"
};

struct DataSourceConfig {
  std::string name;  // `name`; defaults to the directory name
  // "mongodb-atlas", "mongodb" (self-hosted, with config.uri) or "datalake".
  std::string type;
  std::string cluster_name;            // config.clusterName
  std::string read_preference;         // config.readPreference; "" = primary
  bool wire_protocol_enabled = false;  // config.wireProtocolEnabled
  std::string uri;                     // config.uri (type mongodb)
  std::string data_lake_name;          // config.dataLakeName (type datalake)
  doc::Document config;                // raw `config`
  std::int64_t version = 0;
  std::string dir;  // "data_sources/mongodb-atlas"

  std::optional<RuleSet> default_rule;       // default_rule.json
  std::vector<CollectionRules> collections;  // sorted by database, collection

  // The collection's entry, or nullptr.
  const CollectionRules* FindCollection(std::string_view database,
                                        std::string_view collection) const;
  // The rules that govern a collection: its rules.json when it has one,
  // otherwise the default rule, otherwise nullptr (no access but system).
  const RuleSet* RulesFor(std::string_view database, std::string_view collection) const;
};

// True for the types that hold MongoDB data ("mongodb-atlas", "mongodb").
bool IsMongoDataSourceType(std::string_view type);

// config.json. `dir_name` is the directory under data_sources/.
DataSourceConfig ParseDataSourceConfig(const doc::Value& json, const std::string& dir_name,
                                       FileDiagnostics* diag);
// default_rule.json: {roles, filters}.
RuleSet ParseDefaultRule(const doc::Value& json, FileDiagnostics* diag);
// rules.json in `<db_dir>/<coll_dir>/`. Missing database/collection are filled
// in from the directory names; a mismatch or an empty object is an error.
CollectionRules ParseCollectionRules(const doc::Value& json, const std::string& db_dir,
                                     const std::string& coll_dir, FileDiagnostics* diag);

}  // namespace plinth::config
