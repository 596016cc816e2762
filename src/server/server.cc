#include "server/server.h"

#include <map>
#include <thread>

#include "base/work_pool.h"
#include "config/app_loader.h"
#include "config/app_validator.h"
#include "config/secrets.h"
#include "http/app_lookup.h"
#include "http/client_api.h"
#include "http/health.h"
#include "http/metrics.h"
#include "http/server.h"
#include "server/app_services.h"
#include "server/data_dir.h"
#include "server/startup_checks.h"
#include "storage/sqlite/sqlite_engine.h"

namespace plinth::server {

struct Server::Parts {
  ServeOptions options;
  base::Logger* logger = nullptr;
  std::vector<std::shared_ptr<const config::AppConfig>> apps;
  std::unique_ptr<DataDir> data_dir;
  config::Secrets secrets;
  std::unique_ptr<storage::Engine> store;
  base::SystemClock clock;
  base::SystemRandom random;
  AppServices services;
  // Password hashing and mail (DECISIONS 24). Declared after everything
  // its tasks use and stopped before the HTTP server goes away.
  std::unique_ptr<base::WorkPool> workers;
  // MongoDB service calls (functions/call), so store scans never hold an
  // I/O thread. Same lifetime rules as `workers`.
  std::unique_ptr<base::WorkPool> data_workers;
  std::unique_ptr<http::StaticAppLookup> app_lookup;
  http::Metrics metrics;
  http::Readiness readiness;
  std::unique_ptr<http::ClientApi> client_api;
  std::unique_ptr<http::Server> http_server;
};

namespace {

http::AppInfo ToAppInfo(const config::AppConfig& app) {
  http::AppInfo info;
  info.app_id = app.root.app_id;
  info.deployment_model = app.root.deployment_model;
  info.location = app.root.location;
  info.allowed_request_origins = app.root.allowed_request_origins;
  return info;
}

http::ServerOptions ToHttpOptions(const ServeOptions& o) {
  http::ServerOptions h;
  h.host = o.listen_host;
  h.port = o.listen_port;
  h.io_threads = o.io_threads;
  h.max_body_bytes = o.max_body_bytes;
  h.max_header_bytes = o.max_header_bytes;
  h.read_timeout = o.read_timeout;
  h.idle_timeout = o.idle_timeout;
  h.drain_timeout = o.drain_timeout;
  return h;
}

// Service calls waiting for a data thread before new ones get 429
// (docs/mongodb-service.md, "Limits").
constexpr std::size_t kDataQueue = 1024;

base::Status ConfigProblems(const std::vector<std::string>& problems) {
  std::string message = "invalid app configuration (" + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " error):" : " errors):");
  for (const auto& p : problems) message += "\n" + p;
  return base::Status(base::ErrorCode::kInvalidConfig, message);
}

}  // namespace

base::Result<std::unique_ptr<Server>> Server::Build(const ServeOptions& options,
                                                    base::Logger* logger) {
  auto parts = std::make_unique<Parts>();
  parts->options = options;
  parts->logger = logger;

  // Every app directory is loaded before giving up, so one run reports the
  // mistakes of all of them.
  std::vector<std::string> problems;
  for (const auto& dir : options.app_dirs) {
    config::LoadResult loaded = config::LoadAppCollectingErrors(dir, logger);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) problems.push_back(dir.string() + "/" + e.ToString());
      continue;
    }
    parts->apps.push_back(std::make_shared<const config::AppConfig>(std::move(*loaded.app)));
  }
  for (const std::string& p : CheckApps(parts->apps)) problems.push_back(p);
  if (!problems.empty()) return ConfigProblems(problems);

  PLINTH_ASSIGN_OR_RETURN(parts->data_dir, DataDir::Open(options.data_dir));

  // Secrets live in the data directory (DECISIONS 16), so references to them
  // can only be checked now. The messages name secrets, never their values.
  PLINTH_ASSIGN_OR_RETURN(parts->secrets, config::Secrets::Load(parts->data_dir->path()));
  for (const auto& app : parts->apps) {
    for (const auto& e : config::CheckSecretReferences(*app, parts->secrets)) {
      problems.push_back(app->dir.string() + "/" + e.ToString());
    }
  }
  if (!problems.empty()) return ConfigProblems(problems);

  // The embedded store: one SQLite file in the data directory holds every
  // app's data and Plinth's own records (docs/storage.md).
  storage::SqliteOptions store_options;
  store_options.file = parts->data_dir->path() / kStoreFileName;
  PLINTH_ASSIGN_OR_RETURN(parts->store, storage::OpenSqliteEngine(store_options));

  MailOptions mail;
  mail.smtp_url = options.smtp_url;
  mail.from = options.mail_from;
  PLINTH_ASSIGN_OR_RETURN(
      parts->services,
      BuildAppServices(parts->apps, parts->data_dir->path(), parts->secrets, parts->store.get(),
                       mail, &parts->clock, &parts->random, logger));
  if (options.smtp_url.empty()) {
    logger->Warn("mail goes to the log (no --smtp-url): for development only", {});
  }
  // Hashing threads: the largest hash_threads any app asks for, else one
  // per core; the queue bound likewise.
  std::int64_t threads = 0;
  std::int64_t queue = 1;
  for (const auto& app : parts->apps) {
    threads = std::max(threads, app->settings.passwords.hash_threads);
    queue = std::max(queue, app->settings.passwords.hash_queue);
  }
  if (threads == 0) threads = std::max<std::int64_t>(1, std::thread::hardware_concurrency());
  // Niced so hashing yields the CPU to the I/O threads (docs/auth.md).
  constexpr int kWorkerNice = 10;
  parts->workers = std::make_unique<base::WorkPool>(static_cast<std::size_t>(threads),
                                                    static_cast<std::size_t>(queue), kWorkerNice);

  parts->data_workers = std::make_unique<base::WorkPool>(
      static_cast<std::size_t>(std::max<unsigned>(1, std::thread::hardware_concurrency())),
      kDataQueue);

  std::vector<http::AppInfo> infos;
  for (const auto& app : parts->apps) infos.push_back(ToAppInfo(*app));
  parts->app_lookup = std::make_unique<http::StaticAppLookup>(std::move(infos));

  // Custom data size policy (docs/custom-user-data.md): per app, tokens
  // whose document was over the budget, and those that left it out.
  parts->metrics.AddSource([apps = parts->apps, auth = parts->services.auth.get()] {
    std::string out =
        "# HELP plinth_custom_data_over_budget_total Access tokens minted for users whose custom "
        "data is over its size budget.\n"
        "# TYPE plinth_custom_data_over_budget_total counter\n";
    std::string omitted =
        "# HELP plinth_custom_data_omitted_total Access tokens minted without the user's custom "
        "data because of its size.\n"
        "# TYPE plinth_custom_data_omitted_total counter\n";
    for (const auto& app : apps) {
      const auth::AuthService* service = auth->Find(app->root.app_id);
      if (service == nullptr) continue;
      const auth::AuthService::CustomDataSizeStats stats = service->custom_data_size_stats();
      const std::string label = "{app=\"" + app->root.app_id + "\"} ";
      out +=
          "plinth_custom_data_over_budget_total" + label + std::to_string(stats.over_budget) + "\n";
      omitted += "plinth_custom_data_omitted_total" + label + std::to_string(stats.omitted) + "\n";
    }
    return out + omitted;
  });

  http::ClientServices services;
  services.apps = parts->app_lookup.get();
  services.metrics = &parts->metrics;
  services.readiness = &parts->readiness;
  services.public_url = options.public_url;
  services.auth = parts->services.auth.get();
  services.workers = parts->workers.get();
  services.data = parts->services.data.get();
  services.data_workers = parts->data_workers.get();
  services.functions = parts->services.functions.get();
  parts->client_api = std::make_unique<http::ClientApi>(std::move(services));

  const http::ClientApi* api = parts->client_api.get();
  http::ServerHooks hooks;
  hooks.metrics = &parts->metrics;
  hooks.readiness = &parts->readiness;
  parts->http_server = std::make_unique<http::Server>(
      ToHttpOptions(options), [api](http::Request& req) { return api->Handle(req); }, logger,
      hooks);
  return std::unique_ptr<Server>(new Server(std::move(parts)));
}

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() {
  if (parts_->http_server) {
    parts_->http_server->Stop();
    parts_->http_server->Wait();
  }
  // Queued work still answers its (now closed) requests; it must finish
  // while the I/O contexts it posts to still exist.
  if (parts_->workers) parts_->workers->Shutdown();
  if (parts_->data_workers) parts_->data_workers->Shutdown();
  // Trigger delivery calls JavaScript: it stops before the engines do.
  if (parts_->services.auth) parts_->services.auth->StopTriggers();
  // Likewise JS calls still queued answer their requests while the I/O
  // contexts exist; an engine's destruction runs them to the end.
  parts_->services.engines.clear();
}

base::Status Server::Start() {
  PLINTH_RETURN_IF_ERROR(parts_->http_server->Start());
  // Pending events of an earlier run (or of `plinth users`) go out first.
  parts_->services.auth->StartTriggers();
  std::string listen = parts_->options.listen_host + ":" + std::to_string(port());
  std::string app_ids;
  for (const auto& app : parts_->apps) {
    if (!app_ids.empty()) app_ids += ",";
    app_ids += app->root.app_id;
  }
  parts_->logger->Info(
      "listening",
      {{"listen", listen}, {"apps", app_ids}, {"data", parts_->data_dir->path().string()}});
  return base::Status::Ok();
}

void Server::Stop() { parts_->http_server->Stop(); }

void Server::Wait() { parts_->http_server->Wait(); }

std::uint16_t Server::port() const { return parts_->http_server->port(); }

storage::Engine& Server::store() { return *parts_->store; }

const std::vector<std::shared_ptr<const config::AppConfig>>& Server::apps() const {
  return parts_->apps;
}

}  // namespace plinth::server
