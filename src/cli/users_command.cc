#include <cstdio>
#include <memory>
#include <string>

#include "base/logger.h"
#include "cli/commands.h"
#include "server/operator_context.h"

namespace plinth::cli {
namespace {

struct UsersFlags {
  std::string app;
  std::string data;
  std::string user_id;
  std::string email;
  std::string password;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "plinth users: %s\n", message.c_str());
  return kExitFailure;
}

std::string Describe(const auth::User& user) {
  std::string providers;
  for (const auth::Identity& identity : user.identities) {
    if (!providers.empty()) providers += ",";
    providers += identity.provider_type;
  }
  const doc::Value* email = user.data.Get("email");
  return user.id + "\t" + user.type + "\t" + (user.disabled ? "disabled" : "enabled") + "\t" +
         (providers.empty() ? "-" : providers) + "\t" +
         (email != nullptr && email->is_string() ? email->as_string() : "-");
}

}  // namespace

// `plinth users list|large-custom-data|create|delete|disable|enable|revoke-sessions --app DIR
// --data DIR`: operator commands over the same AuthService the HTTP routes
// use. Each prints one line (list: one per user: id, type, state,
// providers, email). Safe while a server runs on the same data directory.
Command AddUsersCommand(CLI::App* root) {
  auto f = std::make_shared<UsersFlags>();
  CLI::App* sub = root->add_subcommand("users", "Manage the users of an app");
  sub->require_subcommand(1);
  auto common = [&](CLI::App* cmd) {
    cmd->add_option("--app", f->app, "App directory")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--data", f->data, "Data directory of the store")->required();
  };
  CLI::App* list = sub->add_subcommand("list", "List users: id, type, state, providers, email");
  common(list);
  CLI::App* large = sub->add_subcommand(
      "large-custom-data", "List users whose custom data is over the size budget: user id, bytes");
  common(large);
  CLI::App* create = sub->add_subcommand("create",
                                         "Create a confirmed email/password user; the password is "
                                         "read from standard input unless --password is given");
  common(create);
  create->add_option("--email", f->email, "Email address")->required();
  create->add_option("--password", f->password, "Password (6-128 characters)");
  struct ById {
    const char* name;
    const char* help;
  };
  const ById by_id[] = {{"delete", "Delete a user with its identities, sessions and keys"},
                        {"disable", "Disable a user: no login, no refresh"},
                        {"enable", "Enable a disabled user"},
                        {"revoke-sessions", "End every session of a user"}};
  std::vector<CLI::App*> id_cmds;
  for (const ById& b : by_id) {
    CLI::App* cmd = sub->add_subcommand(b.name, b.help);
    common(cmd);
    cmd->add_option("user_id", f->user_id, "User id")->required();
    id_cmds.push_back(cmd);
  }

  return {sub, [f, list, large, create, id_cmds]() -> int {
            auto ctx = server::OperatorContext::Open(f->app, f->data, base::NullLogger());
            if (!ctx.ok()) return Fail(ctx.status().message());
            auth::AuthService& auth = (*ctx)->auth();
            if (list->parsed()) {
              auto users = auth.ListUsers();
              if (!users.ok()) return Fail(users.status().message());
              for (const auth::User& u : *users) std::printf("%s\n", Describe(u).c_str());
              return kExitOk;
            }
            if (large->parsed()) {
              auto docs = auth.ListLargeCustomData();
              if (!docs.ok()) return Fail(docs.status().message());
              for (const auto& d : *docs) {
                std::printf("%s %lld\n", d.user_id.c_str(), static_cast<long long>(d.bytes));
              }
              return kExitOk;
            }
            if (create->parsed()) {
              std::string password = f->password;
              if (password.empty()) {
                char buf[512];
                if (std::fgets(buf, sizeof buf, stdin) != nullptr) password = buf;
                while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
                  password.pop_back();
                }
              }
              auto user = auth.CreateEmailPasswordUser(f->email, password);
              if (!user.ok()) return Fail(user.status().message());
              std::printf("created user %s\n", user->id.c_str());
              return kExitOk;
            }
            const std::string& id = f->user_id;
            if (id_cmds[0]->parsed()) {
              base::Status s = auth.DeleteUser(id);
              if (!s.ok()) return Fail(s.message() + ": " + id);
              std::printf("deleted user %s\n", id.c_str());
            } else if (id_cmds[1]->parsed() || id_cmds[2]->parsed()) {
              const bool disable = id_cmds[1]->parsed();
              base::Status s = auth.SetUserDisabled(id, disable);
              if (!s.ok()) return Fail(s.message() + ": " + id);
              std::printf("%s user %s\n", disable ? "disabled" : "enabled", id.c_str());
            } else {
              auto n = auth.RevokeSessions(id);
              if (!n.ok()) return Fail(n.status().message() + ": " + id);
              std::printf("revoked %lld session(s) of user %s\n", static_cast<long long>(*n),
                          id.c_str());
            }
            return kExitOk;
          }};
}

}  // namespace plinth::cli
