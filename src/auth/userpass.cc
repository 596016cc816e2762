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

}  // namespace

base::Status AuthService::CheckPassword(std::string_view password) const {
  const std::size_t n = CodePoints(password);
  if (!base::IsValidUtf8(password) || n < kMinPasswordChars || n > kMaxPasswordChars) {
    return {base::ErrorCode::kBadRequest, "password must be between 6 and 128 characters"};
  }
  return base::Status::Ok();
}

base::Status AuthService::Register(std::string_view raw_email, std::string_view password) {
  const config::AuthProvider* provider =
      EnabledProvider("local-userpass", config::ProviderType::kLocalUserpass);
  if (provider == nullptr) {
    return {base::ErrorCode::kAuthProviderNotFound,
            "authentication via 'local-userpass' is unsupported"};
  }
  const config::LocalUserpassConfig& cfg =
      provider->local_userpass ? *provider->local_userpass : kDefaultUserpass;
  std::string email = NormalizeEmail(raw_email);
  PLINTH_RETURN_IF_ERROR(CheckEmail(email));
  PLINTH_RETURN_IF_ERROR(CheckPassword(password));
  if (!cfg.auto_confirm && cfg.run_confirmation_function) {
    return {base::ErrorCode::kFunctionNotFound,
            "confirmation function '" + cfg.confirmation_function_name +
                "' cannot run: functions are not available yet"};
  }
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::Account> existing,
                          records_.FindAccountByEmail(*deps_.store, email));
  if (existing) return {base::ErrorCode::kAccountNameInUse, "name already in use"};
  AuthRecords::Account account;
  account.id = NewObjectIdHex();
  account.email = email;
  PLINTH_ASSIGN_OR_RETURN(account.password_hash, crypto::HashPassword(password, argon2_));
  account.confirmed = cfg.auto_confirm;
  PLINTH_RETURN_IF_ERROR(records_.InsertAccount(*deps_.store, account));
  if (!cfg.auto_confirm) {
    base::Status sent = SendMailToken(account, "confirm");
    // The account stays; the user can ask for the mail again.
    if (!sent.ok()) {
      deps_.logger->Error("confirmation mail not sent",
                          {{"app", app_id_}, {"error", sent.message()}});
    }
  }
  return base::Status::Ok();
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
  AuthRecords::MailToken t;
  t.id = deps_.random->Hex(12);
  const std::string token = deps_.random->Hex(32);
  t.kind = std::string(kind);
  t.email = account.email;
  t.token_hash = crypto::Sha256Hex(token);
  t.expires_ms =
      deps_.clock->NowMillis() + (confirm ? kConfirmTokenSeconds : kResetTokenSeconds) * 1000;
  PLINTH_RETURN_IF_ERROR(records_.InsertMailToken(*deps_.store, t));
  std::string url = confirm ? cfg.email_confirmation_url : cfg.reset_password_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "token=" + token + "&tokenId=" + t.id;
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

base::Status AuthService::CallConfirmationFunction(std::string_view) {
  return {base::ErrorCode::kFunctionNotFound,
          "the confirmation function cannot run: functions are not available yet"};
}

base::Status AuthService::CallResetFunction(std::string_view, std::string_view) {
  return {base::ErrorCode::kFunctionNotFound,
          "the reset function cannot run: functions are not available yet"};
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
