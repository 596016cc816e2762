#include "server/app_services.h"

#include "auth/key_ring.h"
#include "mail/log_mailer.h"
#include "mail/smtp_mailer.h"

namespace plinth::server {

base::Result<AppServices> BuildAppServices(
    const std::vector<std::shared_ptr<const config::AppConfig>>& apps,
    const std::filesystem::path& data_dir, const config::Secrets& secrets, storage::Engine* store,
    const MailOptions& mail, const base::Clock* clock, base::Random* random, base::Logger* logger) {
  AppServices out;
  if (mail.smtp_url.empty()) {
    out.mailer = std::make_unique<mail::LogMailer>(logger);
  } else {
    mail::SmtpOptions smtp;
    smtp.url = mail.smtp_url;
    smtp.from = mail.from;
    PLINTH_RETURN_IF_ERROR(mail::SmtpMailer::CheckOptions(smtp));
    out.mailer = std::make_unique<mail::SmtpMailer>(smtp, clock, random);
  }
  out.auth = std::make_unique<auth::AuthRegistry>();
  out.data = std::make_unique<services::DataAccessRegistry>();
  services::DataAccess::Deps data_deps{store, clock, random, &secrets};
  auth::AuthDeps deps;
  deps.store = store;
  deps.clock = clock;
  deps.random = random;
  deps.logger = logger;
  deps.mailer = out.mailer.get();
  deps.secrets = &secrets;
  for (const auto& app : apps) {
    PLINTH_ASSIGN_OR_RETURN(
        auth::KeyRing keys,
        auth::KeyRing::Load(data_dir, app->root.app_id, app->settings.tokens, secrets, *random));
    PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<auth::AuthService> service,
                            auth::AuthService::Create(*app, std::move(keys), deps));
    out.auth->Add(std::move(service));
    PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<services::DataAccess> data,
                            services::DataAccess::Create(*app, data_deps));
    out.data->Add(std::move(data));
  }
  return out;
}

}  // namespace plinth::server
