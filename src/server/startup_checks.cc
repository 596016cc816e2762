#include "server/startup_checks.h"

#include <map>

#include "rules/expression.h"
#include "storage/names.h"

namespace plinth::server {

std::vector<std::string> CheckApps(
    const std::vector<std::shared_ptr<const config::AppConfig>>& apps) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> seen;  // app id -> directory
  for (const auto& app : apps) {
    auto [it, inserted] = seen.emplace(app->root.app_id, app->dir.string());
    if (!inserted) {
      problems.push_back(app->dir.string() + "/" + app->root_file + ": app_id: \"" +
                         app->root.app_id + "\" is also the app id of " + it->second +
                         "; each served app needs its own");
    }
  }
  // Rule expressions compile at start, so a misspelt expansion or operator is
  // a config error now rather than a silent denial later.
  for (const auto& app : apps) {
    for (const config::DataSourceConfig& ds : app->data_sources) {
      auto check = [&](const std::string& file, const config::RuleSet& rules) {
        for (const std::string& p : rules::CheckRuleSet(rules)) {
          problems.push_back(app->dir.string() + "/" + file + ": " + p);
        }
      };
      if (ds.default_rule) check(ds.dir + "/default_rule.json", *ds.default_rule);
      for (const config::CollectionRules& c : ds.collections) {
        if (c.has_rules_file) check(c.file, c.rules);
        // Names MongoDB would refuse can never be reached by a request, so
        // rules for them are a mistake worth stopping for.
        for (const base::Status& s : {storage::ValidateDatabaseName(c.database),
                                      storage::ValidateCollectionName(c.collection)}) {
          if (!s.ok()) problems.push_back(app->dir.string() + "/" + c.file + ": " + s.message());
        }
        if (c.database == "__plinth") {
          problems.push_back(app->dir.string() + "/" + c.file +
                             ": database name '__plinth' is reserved for Plinth's own records");
        }
      }
    }
  }
  return problems;
}

}  // namespace plinth::server
