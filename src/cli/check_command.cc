#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/logger.h"
#include "cli/commands.h"
#include "config/app_loader.h"
#include "server/startup_checks.h"

namespace plinth::cli {

// `plinth check --app DIR`: loads app directories exactly as `serve` would and
// prints every problem, one per line, without opening a data directory or a
// port. Handy before a deploy and in CI.
Command AddCheckCommand(CLI::App* root) {
  CLI::App* sub = root->add_subcommand("check", "Validate app directories and list every problem");
  auto dirs = std::make_shared<std::vector<std::string>>();
  sub->add_option("--app", *dirs, "App directory in App Services' export format (repeatable)")
      ->required()
      ->check(CLI::ExistingDirectory);
  return {sub, [dirs] {
            base::JsonLinesLogger logger(base::LogLevel::kError);
            int bad = 0;
            std::vector<std::shared_ptr<const config::AppConfig>> apps;
            for (const std::string& dir : *dirs) {
              config::LoadResult r = config::LoadAppCollectingErrors(dir, &logger);
              for (const auto& e : r.errors)
                std::fprintf(stderr, "%s/%s\n", dir.c_str(), e.ToString().c_str());
              if (r.ok()) {
                apps.push_back(std::make_shared<const config::AppConfig>(std::move(*r.app)));
              } else {
                ++bad;
              }
            }
            // The checks `serve` runs once every directory loaded (app ids,
            // rule expressions); each message starts with its app directory.
            std::vector<std::string> problems = server::CheckApps(apps);
            for (const std::string& p : problems) std::fprintf(stderr, "%s\n", p.c_str());
            for (const auto& app : apps) {
              std::string dir = app->dir.string();
              bool clean = true;
              for (const std::string& p : problems) clean = clean && p.rfind(dir + "/", 0) != 0;
              if (clean) {
                std::printf("%s: ok (app_id %s)\n", dir.c_str(), app->root.app_id.c_str());
              } else {
                ++bad;
              }
            }
            return bad ? kExitUsage : kExitOk;
          }};
}

}  // namespace plinth::cli
