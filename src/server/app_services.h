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
// mailer, each app's AuthService and its DataAccess (the MongoDB service
// under rules). `plinth serve` and the operator
// commands (`plinth users ...`) build it the same way, so both go through
// the same services. Owns the mailer and the registry; the store, clock,
// random source and logger it is built with must outlive it.
struct AppServices {
  std::unique_ptr<mail::Mailer> mailer;
  std::unique_ptr<auth::AuthRegistry> auth;
  std::unique_ptr<services::DataAccessRegistry> data;
};

base::Result<AppServices> BuildAppServices(
    const std::vector<std::shared_ptr<const config::AppConfig>>& apps,
    const std::filesystem::path& data_dir, const config::Secrets& secrets, storage::Engine* store,
    const MailOptions& mail, const base::Clock* clock, base::Random* random, base::Logger* logger);

}  // namespace plinth::server
