#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "config/secrets.h"

namespace plinth::cli {
namespace {

struct SecretsFlags {
  std::string data;
  std::string name;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "plinth secrets: %s\n", message.c_str());
  return kExitFailure;
}

base::Result<config::Secrets> LoadFileOnly(const std::string& data) {
  // The environment overrides are irrelevant to editing the file, and must
  // never be written into it.
  return config::Secrets::Load(data, config::Secrets::Environment{});
}

}  // namespace

// `plinth secrets set|list|delete --data DIR`: manages <data>/secrets.json
// (owner-only, written atomically). `set` reads the value from standard input
// so it never lands in shell history or the process list; values are never
// printed.
Command AddSecretsCommand(CLI::App* root) {
  auto f = std::make_shared<SecretsFlags>();
  CLI::App* sub = root->add_subcommand("secrets", "Manage the secrets file of a data directory");
  sub->require_subcommand(1);
  auto add_data = [&](CLI::App* cmd) {
    cmd->add_option("--data", f->data, "Data directory holding secrets.json")->required();
  };
  CLI::App* set = sub->add_subcommand("set", "Set a secret; the value is read from standard input");
  add_data(set);
  set->add_option("name", f->name, "Secret name")->required();
  CLI::App* list = sub->add_subcommand("list", "List secret names and where each comes from");
  add_data(list);
  CLI::App* del = sub->add_subcommand("delete", "Delete a secret from the file");
  add_data(del);
  del->add_option("name", f->name, "Secret name")->required();

  return {sub, [f, set, list, del]() -> int {
            auto secrets = LoadFileOnly(f->data);
            if (!secrets.ok()) return Fail(secrets.status().message());
            if (list->parsed()) {
              auto env = config::Secrets::Load(f->data);
              if (!env.ok()) return Fail(env.status().message());
              std::string text = env->Describe(env->FileNames());
              if (!text.empty()) std::printf("%s\n", text.c_str());
              return kExitOk;
            }
            if (set->parsed()) {
              std::string value((std::istreambuf_iterator<char>(std::cin)),
                                std::istreambuf_iterator<char>());
              while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
                value.pop_back();
              }
              if (value.empty()) return Fail("no value on standard input");
              if (base::Status s = secrets->Set(f->name, std::move(value)); !s.ok()) {
                return Fail(s.message());
              }
            } else if (del->parsed()) {
              if (!secrets->Remove(f->name)) return Fail("no secret named " + f->name);
            }
            if (base::Status s = secrets->Save(f->data); !s.ok()) return Fail(s.message());
            return kExitOk;
          }};
}

}  // namespace plinth::cli
