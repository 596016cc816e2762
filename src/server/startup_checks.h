#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/app_config.h"

namespace plinth::server {

// The checks that span apps or layers, run once at server start after every
// app directory loaded on its own (config/ checks each directory alone).
// Today: app ids must be unique across --app directories, since they route
// requests and separate namespaces (DECISIONS 10); every rule expression of
// every rules.json and default_rule.json must compile (rules::CheckRuleSet).
// Function sources join this list when the layer that understands them exists.
// Returns one message per problem, each naming the app directory.
std::vector<std::string> CheckApps(
    const std::vector<std::shared_ptr<const config::AppConfig>>& apps);

}  // namespace plinth::server
