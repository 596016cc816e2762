#include "config/data_source.h"

#include "config/names.h"

namespace plinth::config {

const CollectionRules* DataSourceConfig::FindCollection(std::string_view database,
                                                        std::string_view collection) const {
  for (const CollectionRules& c : collections) {
    if (c.database == database && c.collection == collection) return &c;
  }
  return nullptr;
}

const RuleSet* DataSourceConfig::RulesFor(std::string_view database,
                                          std::string_view collection) const {
  const CollectionRules* c = FindCollection(database, collection);
  if (c != nullptr && c->has_rules_file) return &c->rules;
  if (default_rule) return &*default_rule;
  return nullptr;
}

bool IsMongoDataSourceType(std::string_view type) {
  return type == "mongodb-atlas" || type == "mongodb";
}

DataSourceConfig ParseDataSourceConfig(const doc::Value& json, const std::string& dir_name,
                                       FileDiagnostics* diag) {
  DataSourceConfig ds;
  ds.name = dir_name;
  ds.dir = "data_sources/" + dir_name;
  FieldReader r(json, "", diag);
  if (!r.ok()) return ds;
  if (auto name = r.String("name")) {
    ds.name = *name;
    if (std::string problem = CheckComponentName(ds.name); !problem.empty()) {
      diag->Error("name", "data source " + problem);
    } else if (ds.name != dir_name) {
      diag->Warn("name", "data source name differs from its directory name; the name is used");
    }
  }
  if (auto type = r.String("type", Presence::kRequired)) {
    ds.type = *type;
    if (!IsMongoDataSourceType(ds.type) && ds.type != "datalake") {
      diag->Error("type", "unknown data source type \"" + ds.type +
                              "\"; expected mongodb-atlas, mongodb or datalake");
    }
  }
  r.Read("version", &ds.version);
  r.Ignore({"id"});
  FieldReader c = r.Child("config");
  if (c.ok()) {
    r.Read("config", &ds.config);
    c.Read("clusterName", &ds.cluster_name);
    c.Read("wireProtocolEnabled", &ds.wire_protocol_enabled);
    c.Read("uri", &ds.uri);
    c.Read("dataLakeName", &ds.data_lake_name);
    if (auto pref = c.String("readPreference")) {
      if (*pref == "primary" || *pref == "primaryPreferred" || *pref == "secondary" ||
          *pref == "secondaryPreferred" || *pref == "nearest") {
        ds.read_preference = *pref;
      } else {
        diag->Error(c.FieldOf("readPreference"),
                    "must be one of primary, primaryPreferred, secondary, secondaryPreferred, "
                    "nearest; got \"" +
                        *pref + "\"");
      }
    }
    // Known Atlas settings with no meaning for Plinth's store.
    c.Ignore({"clusterType", "readPreferenceTagSets", "sync", "flexible_sync",
              "namespacePreimageConfig", "clusterId"});
    c.WarnUnknownKeys();
  }
  r.WarnUnknownKeys();
  if (ds.type == "datalake" && ds.data_lake_name.empty()) {
    diag->Error("config.dataLakeName", "is required for a datalake data source");
  }
  return ds;
}

RuleSet ParseDefaultRule(const doc::Value& json, FileDiagnostics* diag) {
  FieldReader r(json, "", diag);
  if (!r.ok()) return {};
  RuleSet rules = ParseRuleSet(r);
  r.Ignore({"id"});
  r.WarnUnknownKeys();
  return rules;
}

CollectionRules ParseCollectionRules(const doc::Value& json, const std::string& db_dir,
                                     const std::string& coll_dir, FileDiagnostics* diag) {
  CollectionRules c;
  c.database = db_dir;
  c.collection = coll_dir;
  c.has_rules_file = true;
  c.file = diag->file();
  FieldReader r(json, "", diag);
  if (!r.ok()) return c;
  if (json.as_document().empty()) {
    diag->Error("",
                "rules.json is empty ({}); give it roles and filters, or delete it to use "
                "the default rule");
    return c;
  }
  if (auto database = r.String("database")) {
    if (*database != db_dir) {
      diag->Error("database",
                  "\"" + *database + "\" does not match the directory name \"" + db_dir + "\"");
    }
  }
  if (auto collection = r.String("collection")) {
    if (*collection != coll_dir) {
      diag->Error("collection",
                  "\"" + *collection + "\" does not match the directory name \"" + coll_dir + "\"");
    }
  }
  c.rules = ParseRuleSet(r);
  // Older exports embed the schema and carry an id.
  if (auto schema = r.Object("schema")) c.schema = std::move(*schema);
  r.Ignore({"id", "relationships"});
  r.WarnUnknownKeys();
  return c;
}

}  // namespace plinth::config
