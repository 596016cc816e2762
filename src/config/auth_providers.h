#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/field_reader.h"
#include "doc/value.h"

namespace plinth::config {

// AuthProvider is one entry of `auth/providers.json` (app-config §1.3). The
// file is an object keyed by provider name; for every built-in provider the
// name equals the type. The provider-specific `config` is typed for the
// providers Plinth implements and also kept raw.
// Value types; thread-compatible.

enum class ProviderType {
  kAnonUser,
  kLocalUserpass,
  kApiKey,
  kCustomToken,
  kCustomFunction,
  kOauth2Google,
  kOauth2Facebook,
  kOauth2Apple,
};

// "anon-user", "local-userpass", ...
std::string_view ProviderTypeName(ProviderType type);
std::optional<ProviderType> ParseProviderType(std::string_view name);
// "anon-user, local-userpass, ..." for error messages.
std::string ProviderTypeList();

// local-userpass `config`.
struct LocalUserpassConfig {
  bool auto_confirm = false;               // autoConfirm
  std::string email_confirmation_url;      // emailConfirmationUrl
  std::string confirm_email_subject;       // confirmEmailSubject
  bool run_confirmation_function = false;  // runConfirmationFunction
  std::string confirmation_function_name;  // confirmationFunctionName
  std::string reset_password_url;          // resetPasswordUrl
  std::string reset_password_subject;      // resetPasswordSubject
  bool run_reset_function = false;         // runResetFunction
  std::string reset_function_name;         // resetFunctionName
};

// custom-token (custom JWT) `config` and `secret_config`.
struct CustomTokenConfig {
  std::vector<std::string> audience;        // audience; empty = the app id
  bool require_any_audience = false;        // requireAnyAudience
  std::string signing_algorithm = "HS256";  // signingAlgorithm: HS256 | RS256
  bool use_jwk_uri = false;                 // useJWKURI
  std::string jwk_uri;                      // jwkURI
  // secret_config.signingKeys: names of secrets (not the keys), at most 3.
  std::vector<std::string> signing_key_secret_names;
};

// custom-function `config`.
struct CustomFunctionConfig {
  std::string auth_function_name;  // authFunctionName
};

// One of `metadata_fields` (custom-token, oauth2-*).
struct MetadataField {
  bool required = false;
  std::string name;        // path in the token/profile, e.g. "user.name"
  std::string field_name;  // name in user data; defaults to the last segment of `name`
};

struct AuthProvider {
  std::string name;
  ProviderType type = ProviderType::kAnonUser;
  bool disabled = false;
  doc::Document config;         // raw `config`
  doc::Document secret_config;  // raw `secret_config` (values are secret names)
  std::vector<MetadataField> metadata_fields;
  std::vector<std::string> redirect_uris;
  // Set for the matching type only.
  std::optional<LocalUserpassConfig> local_userpass;
  std::optional<CustomTokenConfig> custom_token;
  std::optional<CustomFunctionConfig> custom_function;
};

// Parses the whole file, in file order. Function references are checked
// later, against the loaded functions (app_validator.h).
std::vector<AuthProvider> ParseAuthProviders(const doc::Value& json, FileDiagnostics* diag);

}  // namespace plinth::config
