#include <cstdio>

#include "cli/commands.h"
#include "cli/version.h"

namespace plinth::cli {

Command AddVersionCommand(CLI::App* root) {
  CLI::App* sub = root->add_subcommand("version", "Print Plinth's version and exit");
  return {sub, [] {
            std::printf("plinth %s\n", kVersion);
            return kExitOk;
          }};
}

}  // namespace plinth::cli
