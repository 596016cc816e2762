#include "server/app_services.h"

#include "auth/key_ring.h"
#include "js/mozjs/mozjs_engine.h"
#include "mail/log_mailer.h"
#include "mail/smtp_mailer.h"

namespace plinth::server {

js::Limits JsLimits(const config::FunctionSettings& settings) {
  constexpr std::size_t kMiB = 1024 * 1024;
  js::Limits limits;
  limits.time_limit = std::chrono::milliseconds(settings.time_limit_ms);
  limits.memory_limit_bytes = static_cast<std::size_t>(settings.memory_limit_mb) * kMiB;
  limits.process_memory_limit_bytes =
      static_cast<std::size_t>(settings.process_memory_limit_mb) * kMiB;
  limits.threads = static_cast<std::size_t>(settings.threads);
  limits.max_queued_calls = static_cast<std::size_t>(settings.queue);
  limits.js_stack_quota_bytes = static_cast<std::size_t>(settings.stack_kb) * 1024;
  limits.max_nesting_depth = static_cast<std::size_t>(settings.max_nesting_depth);
  limits.max_argument_bytes = static_cast<std::size_t>(settings.max_argument_bytes);
  limits.max_result_bytes = static_cast<std::size_t>(settings.max_result_bytes);
  return limits;
}

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
  out.functions = std::make_unique<functions::FunctionRegistry>();
  services::DataAccess::Deps data_deps{store, clock, random, &secrets};
  auth::AuthDeps deps;
  deps.store = store;
  deps.clock = clock;
  deps.random = random;
  deps.logger = logger;
  deps.mailer = out.mailer.get();
  deps.secrets = &secrets;
  for (const auto& app : apps) {
    PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<services::DataAccess> data,
                            services::DataAccess::Create(*app, data_deps));
    PLINTH_ASSIGN_OR_RETURN(
        std::unique_ptr<js::Engine> engine,
        js::mozjs::CreateEngine(JsLimits(app->settings.functions), clock, random));
    PLINTH_ASSIGN_OR_RETURN(
        std::unique_ptr<functions::FunctionRuntime> runtime,
        functions::FunctionRuntime::Create(*app, {engine.get(), data.get(), logger}));
    data->SetFunctionCaller(runtime.get());
    out.engines.push_back(std::move(engine));
    PLINTH_ASSIGN_OR_RETURN(
        auth::KeyRing keys,
        auth::KeyRing::Load(data_dir, app->root.app_id, app->settings.tokens, secrets, *random));
    deps.functions = runtime.get();
    PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<auth::AuthService> service,
                            auth::AuthService::Create(*app, std::move(keys), deps));
    out.auth->Add(std::move(service));
    out.functions->Add(app->root.app_id, std::move(runtime));
    out.data->Add(std::move(data));
  }
  return out;
}

}  // namespace plinth::server
