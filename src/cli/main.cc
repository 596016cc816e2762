// plinth: the command-line entry point. Dispatches to one command per file.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace plinth::cli;
  CLI::App app{"Plinth: a self-hosted backend that speaks the App Services client API", "plinth"};
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) { return std::string(e.what()); });

  std::vector<Command> commands = {AddServeCommand(&app), AddCheckCommand(&app),
                                   AddSecretsCommand(&app), AddUsersCommand(&app),
                                   AddVersionCommand(&app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, and the usage exit code, whatever the parse problem was.
    std::string where = "plinth";
    const CLI::App* command = &app;
    for (const CLI::App* sub : app.get_subcommands()) {
      where += " " + sub->get_name();
      command = sub;
    }
    // CLI11 checks required options before unknown ones, so a typo such as
    // `--ap` would be reported as "--app is required"; name the typo instead.
    std::string message = e.what();
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg.rfind("--", 0) != 0) continue;
      std::string name = arg.substr(0, arg.find('='));
      if (command != &app && command->get_option_no_throw(name) == nullptr && name != "--help") {
        message = "unknown option " + name;
        break;
      }
    }
    std::fprintf(stderr, "plinth: %s (see `%s --help`)\n", message.c_str(), where.c_str());
    return kExitUsage;
  }
  for (const Command& c : commands) {
    if (c.sub->parsed()) return c.run();
  }
  return kExitUsage;
}
