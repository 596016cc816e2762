#include "config/auth_providers.h"

#include <array>
#include <set>
#include <utility>

#include "config/names.h"

namespace plinth::config {
namespace {

constexpr std::array<std::pair<ProviderType, std::string_view>, 8> kProviderTypes = {{
    {ProviderType::kAnonUser, "anon-user"},
    {ProviderType::kLocalUserpass, "local-userpass"},
    {ProviderType::kApiKey, "api-key"},
    {ProviderType::kCustomToken, "custom-token"},
    {ProviderType::kCustomFunction, "custom-function"},
    {ProviderType::kOauth2Google, "oauth2-google"},
    {ProviderType::kOauth2Facebook, "oauth2-facebook"},
    {ProviderType::kOauth2Apple, "oauth2-apple"},
}};

LocalUserpassConfig ParseLocalUserpass(FieldReader& r) {
  LocalUserpassConfig c;
  r.Read("autoConfirm", &c.auto_confirm);
  r.Read("emailConfirmationUrl", &c.email_confirmation_url);
  r.Read("confirmEmailSubject", &c.confirm_email_subject);
  r.Read("runConfirmationFunction", &c.run_confirmation_function);
  r.Read("confirmationFunctionName", &c.confirmation_function_name);
  r.Read("resetPasswordUrl", &c.reset_password_url);
  r.Read("resetPasswordSubject", &c.reset_password_subject);
  r.Read("runResetFunction", &c.run_reset_function);
  r.Read("resetFunctionName", &c.reset_function_name);
  // Admin API spellings of the same references; files use names.
  r.Ignore({"confirmationFunctionId", "resetFunctionId"});
  if (!r.ok()) return c;
  if (!c.auto_confirm && !c.run_confirmation_function && c.email_confirmation_url.empty()) {
    r.diag()->Warn(r.FieldOf("emailConfirmationUrl"),
                   "no emailConfirmationUrl while autoConfirm and runConfirmationFunction are "
                   "false: confirmation mails will have no link");
  }
  if (!c.run_reset_function && c.reset_password_url.empty()) {
    r.diag()->Warn(r.FieldOf("resetPasswordUrl"),
                   "no resetPasswordUrl while runResetFunction is false: reset mails will have "
                   "no link");
  }
  return c;
}

CustomTokenConfig ParseCustomToken(FieldReader& config, FieldReader& secret_config) {
  CustomTokenConfig c;
  if (const doc::Value* audience = config.Get("audience")) {
    // Exports write either one string or an array of strings.
    if (audience->is_string()) {
      if (!audience->as_string().empty()) c.audience.push_back(audience->as_string());
    } else if (audience->is_array()) {
      const doc::Array& array = audience->as_array();
      for (std::size_t i = 0; i < array.size(); ++i) {
        if (array[i].is_string()) {
          c.audience.push_back(array[i].as_string());
        } else {
          config.diag()->Error(IndexField(config.FieldOf("audience"), i),
                               "expected a string, got " + std::string(JsonTypeName(array[i])));
        }
      }
    } else {
      config.diag()->Error(
          config.FieldOf("audience"),
          "expected a string or an array of strings, got " + std::string(JsonTypeName(*audience)));
    }
  }
  config.Read("requireAnyAudience", &c.require_any_audience);
  if (auto alg = config.String("signingAlgorithm")) {
    if (*alg == "HS256" || *alg == "RS256") {
      c.signing_algorithm = *alg;
    } else {
      config.diag()->Error(config.FieldOf("signingAlgorithm"),
                           "must be \"HS256\" or \"RS256\", got \"" + *alg + "\"");
    }
  }
  config.Read("useJWKURI", &c.use_jwk_uri);
  config.Read("jwkURI", &c.jwk_uri);
  secret_config.Read("signingKeys", &c.signing_key_secret_names);
  // Older exports name one key.
  if (auto one = secret_config.String("signingKey")) c.signing_key_secret_names.push_back(*one);

  FileDiagnostics* diag = config.diag();
  if (c.use_jwk_uri) {
    if (c.jwk_uri.empty())
      diag->Error(config.FieldOf("jwkURI"), "is required when useJWKURI is true");
    if (c.signing_algorithm != "RS256") {
      diag->Error(config.FieldOf("signingAlgorithm"), "must be \"RS256\" when useJWKURI is true");
    }
  } else {
    if (c.signing_key_secret_names.empty()) {
      diag->Error(secret_config.FieldOf("signingKeys"),
                  "at least one signing key secret name is required when useJWKURI is false");
    }
    if (c.signing_key_secret_names.size() > 3) {
      diag->Error(secret_config.FieldOf("signingKeys"), "at most 3 signing keys are allowed");
    }
  }
  for (std::size_t i = 0; i < c.signing_key_secret_names.size(); ++i) {
    if (std::string problem = CheckValueName(c.signing_key_secret_names[i]); !problem.empty()) {
      diag->Error(IndexField(secret_config.FieldOf("signingKeys"), i), "secret " + problem);
    }
  }
  return c;
}

std::vector<MetadataField> ParseMetadataFields(FieldReader& r) {
  std::vector<MetadataField> out;
  const doc::Value* v = r.Get("metadata_fields");
  if (v == nullptr) return out;
  if (!v->is_array()) {
    r.diag()->Error(r.FieldOf("metadata_fields"),
                    "expected an array, got " + std::string(JsonTypeName(*v)));
    return out;
  }
  const doc::Array& array = v->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    FieldReader f(array[i], IndexField(r.FieldOf("metadata_fields"), i), r.diag());
    if (!f.ok()) continue;
    MetadataField m;
    f.Read("required", &m.required);
    f.Read("name", &m.name, Presence::kRequired);
    f.Read("field_name", &m.field_name);
    if (m.field_name.empty()) {
      std::size_t dot = m.name.rfind('.');
      m.field_name = dot == std::string::npos ? m.name : m.name.substr(dot + 1);
    }
    if (m.field_name.size() >= 64) {
      r.diag()->Error(f.FieldOf("field_name"), "must be shorter than 64 characters");
    }
    f.WarnUnknownKeys();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::string_view ProviderTypeName(ProviderType type) {
  for (const auto& [t, name] : kProviderTypes) {
    if (t == type) return name;
  }
  return "";
}

std::optional<ProviderType> ParseProviderType(std::string_view name) {
  for (const auto& [t, n] : kProviderTypes) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::string ProviderTypeList() {
  std::string out;
  for (const auto& [t, name] : kProviderTypes) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::vector<AuthProvider> ParseAuthProviders(const doc::Value& json, FileDiagnostics* diag) {
  std::vector<AuthProvider> providers;
  if (!json.is_document()) {
    diag->Error(
        "", "expected an object keyed by provider name, got " + std::string(JsonTypeName(json)));
    return providers;
  }
  std::set<std::string> seen;
  for (const auto& [key, entry] : json.as_document()) {
    if (!seen.insert(key).second) {
      diag->Error(key, "duplicate provider \"" + key + "\"");
      continue;
    }
    FieldReader r(entry, key, diag);
    if (!r.ok()) continue;
    AuthProvider p;
    p.name = key;
    if (auto name = r.String("name")) {
      if (*name != key) {
        diag->Error(r.FieldOf("name"),
                    "\"" + *name + "\" does not match its key \"" + key + "\" in the file");
      }
    }
    std::optional<std::string> type_name = r.String("type", Presence::kRequired);
    std::optional<ProviderType> type;
    if (type_name) {
      type = ParseProviderType(*type_name);
      if (!type) {
        diag->Error(r.FieldOf("type"), "unknown provider type \"" + *type_name +
                                           "\"; expected one of " + ProviderTypeList());
      } else if (key != *type_name) {
        diag->Error(r.FieldOf("name"), "a built-in provider's name must equal its type \"" +
                                           *type_name + "\", got \"" + key + "\"");
      }
    }
    r.Read("disabled", &p.disabled);
    r.Read("config", &p.config);
    r.Read("secret_config", &p.secret_config);
    r.Read("redirect_uris", &p.redirect_uris);
    p.metadata_fields = ParseMetadataFields(r);
    r.Ignore({"id", "domain_restrictions"});
    r.WarnUnknownKeys();
    if (!type) continue;
    p.type = *type;

    doc::Value config_value{p.config};
    doc::Value secret_value{p.secret_config};
    FieldReader config(config_value, r.FieldOf("config"), diag);
    FieldReader secrets(secret_value, r.FieldOf("secret_config"), diag);
    switch (p.type) {
      case ProviderType::kLocalUserpass:
        p.local_userpass = ParseLocalUserpass(config);
        config.WarnUnknownKeys();
        break;
      case ProviderType::kCustomToken:
        p.custom_token = ParseCustomToken(config, secrets);
        config.WarnUnknownKeys();
        secrets.WarnUnknownKeys();
        break;
      case ProviderType::kCustomFunction: {
        CustomFunctionConfig c;
        config.Read("authFunctionName", &c.auth_function_name, Presence::kRequired);
        config.Ignore({"authFunctionId"});
        config.WarnUnknownKeys();
        p.custom_function = std::move(c);
        break;
      }
      default:
        // anon-user and api-key take no config; oauth2-* are kept raw.
        break;
    }
    providers.push_back(std::move(p));
  }
  return providers;
}

}  // namespace plinth::config
