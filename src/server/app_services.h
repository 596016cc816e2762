#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "auth/auth_registry.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/random.h"
#include "base/result.h"
#include "config/app_config.h"
#include "config/secrets.h"
#include "functions/function_registry.h"
#include "js/engine.h"
#include "mail/mailer.h"
#include "services/data_access_registry.h"
#include "storage/engine.h"

namespace plinth::server {

// Where confirmation and reset mail goes. Empty smtp_url: the log sink
// (development only: the mail, links included, is written to the log).
struct MailOptions {
  std::string smtp_url;  // smtp://host:port or smtps://host:port
  std::string from = "plinth@localhost";
};

// AppServices is what every served app needs beyond its configuration: the
// mailer, each app's AuthService, its DataAccess (the MongoDB service
// under rules), its JavaScript engine and its FunctionRuntime (the app's
// functions, also behind %function in its rules). `plinth serve` and the operator
// commands (`plinth users ...`) build it the same way, so both go through
// the same services. Owns the mailer and the registry; the store, clock,
// random source and logger it is built with must outlive it.
struct AppServices {
  std::unique_ptr<mail::Mailer> mailer;
  std::unique_ptr<auth::AuthRegistry> auth;
  std::unique_ptr<services::DataAccessRegistry> data;
  std::unique_ptr<functions::FunctionRegistry> functions;
  // One engine per app, with the app's plinth.json limits. Declared last so
  // it is destroyed first: destruction finishes queued calls, whose
  // completions still use the runtimes and data services above.
  std::vector<std::unique_ptr<js::Engine>> engines;
};

// The js::Limits of an app's plinth.json `functions` settings.
js::Limits JsLimits(const config::FunctionSettings& settings);

base::Result<AppServices> BuildAppServices(
    const std::vector<std::shared_ptr<const config::AppConfig>>& apps,
    const std::filesystem::path& data_dir, const config::Secrets& secrets, storage::Engine* store,
    const MailOptions& mail, const base::Clock* clock, base::Random* random, base::Logger* logger);

}  // namespace plinth::server
