#include "server/operator_context.h"

#include "config/app_loader.h"
#include "server/app_services.h"
#include "server/server.h"
#include "server/startup_checks.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::server {

struct OperatorContext::Parts {
  std::vector<std::shared_ptr<const config::AppConfig>> apps;
  config::Secrets secrets;
  std::unique_ptr<storage::Engine> store;
  base::SystemClock clock;
  base::SystemRandom random;
  AppServices services;
  auth::AuthService* auth = nullptr;
};

OperatorContext::OperatorContext(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
OperatorContext::~OperatorContext() = default;

auth::AuthService& OperatorContext::auth() { return *parts_->auth; }

base::Result<std::unique_ptr<OperatorContext>> OperatorContext::Open(
    const std::filesystem::path& app_dir, const std::filesystem::path& data_dir,
    base::Logger* logger) {
  auto parts = std::make_unique<Parts>();
  config::LoadResult loaded = config::LoadAppCollectingErrors(app_dir, logger);
  if (!loaded.ok()) {
    std::string message = "invalid app configuration:";
    for (const auto& e : loaded.errors) message += " " + e.ToString() + ";";
    message.pop_back();
    return base::Status(base::ErrorCode::kInvalidConfig, message);
  }
  parts->apps.push_back(std::make_shared<const config::AppConfig>(std::move(*loaded.app)));
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    return base::Status(base::ErrorCode::kIoError,
                        "data directory " + data_dir.string() + " does not exist");
  }
  PLINTH_ASSIGN_OR_RETURN(parts->secrets, config::Secrets::Load(data_dir));
  storage::SqliteOptions store_options;
  store_options.file = data_dir / Server::kStoreFileName;
  PLINTH_ASSIGN_OR_RETURN(parts->store, storage::OpenSqliteEngine(store_options));
  MailOptions mail;  // operator commands send no mail
  PLINTH_ASSIGN_OR_RETURN(
      parts->services, BuildAppServices(parts->apps, data_dir, parts->secrets, parts->store.get(),
                                        mail, &parts->clock, &parts->random, logger));
  parts->auth = parts->services.auth->Find(parts->apps.front()->root.app_id);
  return std::unique_ptr<OperatorContext>(new OperatorContext(std::move(parts)));
}

}  // namespace plinth::server
