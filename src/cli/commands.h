#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace plinth::cli {

// Each command registers its subcommand and flags on the root CLI::App and
// returns it with the function that runs it after parsing (its result is the
// exit code). Exit codes: 0 success, 1 runtime failure, 2 bad usage or an
// invalid app directory.
struct Command {
  CLI::App* sub;
  std::function<int()> run;
};

Command AddServeCommand(CLI::App* root);
Command AddCheckCommand(CLI::App* root);
Command AddVersionCommand(CLI::App* root);
Command AddSecretsCommand(CLI::App* root);
Command AddUsersCommand(CLI::App* root);

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

}  // namespace plinth::cli
