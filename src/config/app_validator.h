#pragma once

#include <vector>

#include "base/logger.h"
#include "config/app_config.h"
#include "config/config_error.h"
#include "config/secrets.h"

namespace plinth::config {

// The checks that span files of one app but need nothing outside config/:
// every reference by name (custom user data -> data source and creation
// function, provider -> confirmation/reset/auth functions, trigger ->
// function and data source) resolves, and names are unique. Each file's own
// checks happen while it is parsed (the Parse* functions).
//
// Checks that need other layers happen at server start: parsing rule
// expressions (rules/), compiling function sources (js/), cron schedules.
// Stateless; thread-safe for distinct arguments.

// Appends problems to `errors`; warnings (no enabled provider, an auth
// trigger for a provider the app does not configure) go to `logger`.
void ValidateApp(const AppConfig& app, std::vector<ConfigError>* errors, base::Logger* logger);

// Every secret the app names (values with from_secret, custom-token signing
// keys) must be set in `secrets`; for server start, once secrets are loaded.
// Messages name the secret, never a value.
std::vector<ConfigError> CheckSecretReferences(const AppConfig& app, const Secrets& secrets);

}  // namespace plinth::config
