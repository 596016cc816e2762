// AuthService: the local-userpass provider's account flows (client-api §12):
// register, confirmation and password reset by mailed token, and the
// operator's direct account creation.

#include "auth/auth_service.h"
#include "base/error_code.h"
#include "base/utf8.h"
#include "crypto/constant_time.h"
#include "crypto/sha256.h"

namespace plinth::auth {
namespace {

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

const config::LocalUserpassConfig kDefaultUserpass;

// Applied to the normalized address, on every path that creates an account.
base::Status CheckEmail(std::string_view email) {
  if (email.empty() || email.size() > 254 || email.find('@') == std::string_view::npos ||
      !base::IsValidUtf8(email)) {
    return {base::ErrorCode::kBadRequest, "email must be a valid address of at most 254 bytes"};
  }
  return base::Status::Ok();
}

base::Status InvalidTokenData() {
  return {base::ErrorCode::kUserpassTokenInvalid, "invalid token data"};
}

// What a confirmation or reset function answered (app-config §1.3).
enum class HookStatus { kSuccess, kPending, kFail };

// Runs the confirmation or reset function `name` (`what` names it in
// errors) and reads its {status}. Anything else it returns is a
// FunctionExecutionError: the app's function is wrong, and guessing would
// confirm an account or change a password nobody approved.
base::Result<HookStatus> RunHook(const AuthFunctions* functions, std::string_view what,
                                 const std::string& name, doc::Array arguments) {
  if (functions == nullptr) {
    return base::Status(base::ErrorCode::kFunctionNotFound, "function not found: '" + name + "'");
  }
  PLINTH_ASSIGN_OR_RETURN(doc::Value result, functions->RunAsSystem(name, std::move(arguments)));
  if (result.is_document()) {
    const std::string status = doc::StringFieldOrEmpty(result.as_document(), "status");
    if (status == "success") return HookStatus::kSuccess;
    if (status == "pending") return HookStatus::kPending;
    if (status == "fail") return HookStatus::kFail;
  }
  return base::Status(base::ErrorCode::kFunctionExecutionError,
                      std::string(what) + " function '" + name +
                          "' must return {status: \"success\" | \"pending\" | \"fail\"}");
}

}  // namespace

base::Result<const config::LocalUserpassConfig*> AuthService::UserpassConfig() const {
  const config::AuthProvider* provider =
      EnabledProvider("local-userpass", config::ProviderType::kLocalUserpass);
  if (provider == nullptr) {
    return base::Status(base::ErrorCode::kAuthProviderNotFound,
                        "authentication via 'local-userpass' is unsupported");
  }
  return provider->local_userpass ? &*provider->local_userpass : &kDefaultUserpass;
}

base::Status AuthService::CheckPassword(std::string_view password) const {
  const std::size_t n = CodePoints(password);
  if (!base::IsValidUtf8(password) || n < kMinPasswordChars || n > kMaxPasswordChars) {
    return {base::ErrorCode::kBadRequest, "password must be between 6 and 128 characters"};
  }
  return base::Status::Ok();
}

base::Status AuthService::Register(std::string_view raw_email, std::string_view password) {
  PLINTH_ASSIGN_OR_RETURN(const config::LocalUserpassConfig* enabled, UserpassConfig());
  const config::LocalUserpassConfig& cfg = *enabled;
  std::string email = NormalizeEmail(raw_email);
  PLINTH_RETURN_IF_ERROR(CheckEmail(email));
  PLINTH_RETURN_IF_ERROR(CheckPassword(password));
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> existing,
                          records_.FindAccountByEmail(*deps_.store, email));
  if (existing) return {base::ErrorCode::kAccountNameInUse, "name already in use"};
  AuthRecords::Account account;
  account.id = NewObjectIdHex();
  account.email = email;
  PLINTH_ASSIGN_OR_RETURN(account.password_hash, crypto::HashPassword(password, argon2_));
  account.confirmed = cfg.auto_confirm;
  PLINTH_RETURN_IF_ERROR(records_.InsertAccount(*deps_.store, account));
  if (cfg.auto_confirm) return base::Status::Ok();
  // The account is stored before the function runs, so a second register of
  // the address meanwhile is AccountNameInUse, as it is after.
  if (cfg.run_confirmation_function) return RunConfirmationFunction(cfg, account, true);
  base::Status sent = SendMailToken(account, "confirm");
  // The account stays; the user can ask for the mail again.
  if (!sent.ok()) {
    deps_.logger->Error("confirmation mail not sent",
                        {{"app", app_id_}, {"error", sent.message()}});
  }
  return base::Status::Ok();
}

base::Result<std::string> AuthService::IssueMailToken(const AuthRecords::Account& account,
                                                      std::string_view kind,
                                                      std::string* token_id) {
  AuthRecords::MailToken t;
  t.id = deps_.random->Hex(12);
  std::string token = deps_.random->Hex(32);
  t.kind = std::string(kind);
  t.email = account.email;
  t.token_hash = crypto::Sha256Hex(token);
  t.expires_ms = deps_.clock->NowMillis() +
                 (kind == "confirm" ? kConfirmTokenSeconds : kResetTokenSeconds) * 1000;
  PLINTH_RETURN_IF_ERROR(records_.InsertMailToken(*deps_.store, t));
  *token_id = t.id;
  return token;
}

base::Status AuthService::SendMailToken(const AuthRecords::Account& account,
                                        std::string_view kind) {
  const config::AuthProvider* provider = app_.FindProvider("local-userpass");
  const config::LocalUserpassConfig& cfg = provider != nullptr && provider->local_userpass
                                               ? *provider->local_userpass
                                               : kDefaultUserpass;
  const bool confirm = kind == "confirm";
  if (!throttle_.AllowMail(account.email)) {
    return {base::ErrorCode::kTooManyRequests,
            "too many mails to this address; try again in an hour"};
  }
  std::string token_id;
  PLINTH_ASSIGN_OR_RETURN(std::string token, IssueMailToken(account, kind, &token_id));
  std::string url = confirm ? cfg.email_confirmation_url : cfg.reset_password_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "token=" + token + "&tokenId=" + token_id;
  mail::MailMessage message;
  message.to = account.email;
  message.subject = confirm ? (cfg.confirm_email_subject.empty() ? "Confirm your email address"
                                                                 : cfg.confirm_email_subject)
                            : (cfg.reset_password_subject.empty() ? "Reset your password"
                                                                  : cfg.reset_password_subject);
  message.text_body = confirm ? "Confirm your email address by opening this link:\n\n" + url + "\n"
                              : "Reset your password by opening this link:\n\n" + url +
                                    "\n\nIf you did not ask for this, ignore this mail.\n";
  return deps_.mailer->Send(message);
}

base::Result<AuthRecords::MailToken> AuthService::TakeMailToken(std::string_view token,
                                                                std::string_view token_id,
                                                                std::string_view kind) {
  if (token.empty() || token_id.empty() || token_id.size() > 64) return InvalidTokenData();
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::MailToken> t,
                          records_.FindMailToken(*deps_.store, token_id));
  if (!t || t->kind != kind || t->expires_ms <= deps_.clock->NowMillis() ||
      !crypto::ConstantTimeEquals(t->token_hash, crypto::Sha256Hex(token))) {
    return InvalidTokenData();
  }
  // Single use: of two requests racing with one token, only the one whose
  // delete removed it goes on.
  PLINTH_ASSIGN_OR_RETURN(bool taken, records_.DeleteMailToken(*deps_.store, token_id));
  if (!taken) return InvalidTokenData();
  return *t;
}

base::Status AuthService::Confirm(std::string_view token, std::string_view token_id) {
  PLINTH_ASSIGN_OR_RETURN(AuthRecords::MailToken t, TakeMailToken(token, token_id, "confirm"));
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> account,
                          records_.FindAccountByEmail(*deps_.store, t.email));
  if (!account) return InvalidTokenData();
  return records_.SetAccountConfirmed(*deps_.store, account->id);
}

base::Status AuthService::ResendConfirmation(std::string_view email) {
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> account,
                          records_.FindAccountByEmail(*deps_.store, NormalizeEmail(email)));
  if (!account) return {base::ErrorCode::kUserNotFound, "user not found"};
  if (account->confirmed) return {base::ErrorCode::kUserAlreadyConfirmed, "already confirmed"};
  return SendMailToken(*account, "confirm");
}

base::Status AuthService::SendPasswordReset(std::string_view email) {
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> account,
                          records_.FindAccountByEmail(*deps_.store, NormalizeEmail(email)));
  if (!account) return {base::ErrorCode::kUserNotFound, "user not found"};
  return SendMailToken(*account, "reset");
}

base::Status AuthService::ResetPassword(std::string_view token, std::string_view token_id,
                                        std::string_view password) {
  PLINTH_RETURN_IF_ERROR(CheckPassword(password));
  PLINTH_ASSIGN_OR_RETURN(AuthRecords::MailToken t, TakeMailToken(token, token_id, "reset"));
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> account,
                          records_.FindAccountByEmail(*deps_.store, t.email));
  if (!account) return InvalidTokenData();
  PLINTH_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password, argon2_));
  return records_.SetAccountPassword(*deps_.store, account->id, hash);
}

base::Status AuthService::RunConfirmationFunction(const config::LocalUserpassConfig& cfg,
                                                  const AuthRecords::Account& account,
                                                  bool registering) {
  storage::Engine& store = *deps_.store;
  // The same token records as the mailed flow, so a "pending" answer is
  // completed later through the ordinary confirm route.
  std::string token_id;
  base::Result<HookStatus> outcome = [&]() -> base::Result<HookStatus> {
    PLINTH_ASSIGN_OR_RETURN(std::string token, IssueMailToken(account, "confirm", &token_id));
    doc::Document details{{"token", token}, {"tokenId", token_id}, {"username", account.email}};
    return RunHook(deps_.functions, "confirmation", cfg.confirmation_function_name,
                   doc::Array{doc::Value(std::move(details))});
  }();
  if (outcome.ok() && *outcome == HookStatus::kPending) return base::Status::Ok();
  if (!token_id.empty()) {
    base::Result<bool> dropped = records_.DeleteMailToken(store, token_id);
    if (!dropped.ok()) {
      deps_.logger->Error("confirmation token not removed",
                          {{"app", app_id_}, {"error", dropped.status().message()}});
    }
  }
  if (outcome.ok() && *outcome == HookStatus::kSuccess) {
    return records_.SetAccountConfirmed(store, account.id);
  }
  base::Status failed = outcome.ok()
                            ? base::Status(base::ErrorCode::kBadRequest,
                                           "failed to confirm user \"" + account.email + "\"")
                            : outcome.status();
  if (registering) {
    // A refused registration leaves nothing behind: the address may
    // register again.
    base::Result<bool> removed = records_.DeleteAccount(store, account.id);
    if (!removed.ok()) {
      deps_.logger->Error("refused pending account not removed",
                          {{"app", app_id_}, {"error", removed.status().message()}});
    }
  }
  return failed;
}

base::Status AuthService::CallConfirmationFunction(std::string_view email) {
  PLINTH_ASSIGN_OR_RETURN(const config::LocalUserpassConfig* enabled, UserpassConfig());
  const config::LocalUserpassConfig& cfg = *enabled;
  if (cfg.auto_confirm || !cfg.run_confirmation_function) {
    return {base::ErrorCode::kBadRequest,
            "local-userpass does not run a confirmation function (runConfirmationFunction)"};
  }
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> account,
                          records_.FindAccountByEmail(*deps_.store, NormalizeEmail(email)));
  if (!account) return {base::ErrorCode::kUserNotFound, "user not found"};
  if (account->confirmed) return {base::ErrorCode::kUserAlreadyConfirmed, "already confirmed"};
  // Each call stores a token, as each mail does: the same hourly limit.
  if (!throttle_.AllowMail(account->email)) {
    return {base::ErrorCode::kTooManyRequests,
            "too many confirmation requests for this address; try again in an hour"};
  }
  return RunConfirmationFunction(cfg, *account, false);
}

base::Status AuthService::CallResetFunction(std::string_view email, std::string_view password,
                                            const doc::Array& arguments) {
  PLINTH_ASSIGN_OR_RETURN(const config::LocalUserpassConfig* enabled, UserpassConfig());
  const config::LocalUserpassConfig& cfg = *enabled;
  if (!cfg.run_reset_function) {
    return {base::ErrorCode::kBadRequest,
            "local-userpass does not run a reset function (runResetFunction)"};
  }
  PLINTH_RETURN_IF_ERROR(CheckPassword(password));
  // An unknown address is 404 UserNotFound, as reset/send answers (client-api §2).
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> account,
                          records_.FindAccountByEmail(*deps_.store, NormalizeEmail(email)));
  if (!account) return {base::ErrorCode::kUserNotFound, "user not found"};
  if (!throttle_.AllowMail(account->email)) {
    return {base::ErrorCode::kTooManyRequests,
            "too many reset requests for this address; try again in an hour"};
  }
  std::string token_id;
  base::Result<HookStatus> outcome = [&]() -> base::Result<HookStatus> {
    PLINTH_ASSIGN_OR_RETURN(std::string token, IssueMailToken(*account, "reset", &token_id));
    doc::Array args{doc::Value(doc::Document{{"token", token},
                                             {"tokenId", token_id},
                                             {"username", account->email},
                                             {"password", std::string(password)}})};
    for (const doc::Value& v : arguments) args.Append(v);
    return RunHook(deps_.functions, "reset", cfg.reset_function_name, std::move(args));
  }();
  // "pending": the token stays for the reset route, which sets the password
  // given to it then (the app decides how the user gets token and tokenId).
  if (outcome.ok() && *outcome == HookStatus::kPending) return base::Status::Ok();
  if (!token_id.empty()) {
    base::Result<bool> dropped = records_.DeleteMailToken(*deps_.store, token_id);
    if (!dropped.ok()) {
      deps_.logger->Error("reset token not removed",
                          {{"app", app_id_}, {"error", dropped.status().message()}});
    }
  }
  if (!outcome.ok()) return outcome.status();
  if (*outcome == HookStatus::kFail) {
    return {base::ErrorCode::kBadRequest,
            "failed to reset password for user \"" + account->email + "\""};
  }
  PLINTH_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password, argon2_));
  return records_.SetAccountPassword(*deps_.store, account->id, hash);
}

base::Result<User> AuthService::CreateEmailPasswordUser(std::string_view raw_email,
                                                        std::string_view password) {
  std::string email = NormalizeEmail(raw_email);
  PLINTH_RETURN_IF_ERROR(CheckEmail(email));
  PLINTH_RETURN_IF_ERROR(CheckPassword(password));
  AuthRecords::Account account;
  account.id = NewObjectIdHex();
  account.email = email;
  account.confirmed = true;
  PLINTH_ASSIGN_OR_RETURN(account.password_hash, crypto::HashPassword(password, argon2_));
  User user;
  user.id = NewObjectIdHex();
  user.identities.push_back(Identity{account.id, "local-userpass", ProviderId("local-userpass"),
                                     doc::Document{{"email", email}}});
  user.data = doc::Document{{"email", email}};
  user.created_ms = deps_.clock->NowMillis();
  account.user_id = user.id;
  // Operator-created users exist at once (DECISIONS 2), so the user
  // creation function runs now.
  PLINTH_RETURN_IF_ERROR(CreateUserRecords(user, [&](storage::Engine& txn) -> base::Status {
    PLINTH_RETURN_IF_ERROR(records_.InsertAccount(txn, account));
    PLINTH_RETURN_IF_ERROR(triggers_.Record(txn, config::AuthOperationType::kCreate,
                                            {"local-userpass"}, UserObject(user)));
    return records_.InsertUser(txn, user);
  }));
  triggers_.Notify();
  return user;
}

}  // namespace plinth::auth
