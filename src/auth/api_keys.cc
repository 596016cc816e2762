// AuthService: user API keys (client-api §2 rows 15-20, §12). The key is
// shown once, at creation; the store keeps its SHA-256 (a 256-bit random
// key needs no slow hash).

#include "auth/auth_service.h"
#include "base/error_code.h"
#include "crypto/sha256.h"

namespace plinth::auth {
namespace {

base::Status KeyNotFound() { return {base::ErrorCode::kApiKeyNotFound, "API key not found"}; }

ApiKeyInfo InfoOf(const AuthRecords::ApiKey& k) { return ApiKeyInfo{k.id, k.name, k.disabled, ""}; }

}  // namespace

base::Result<ApiKeyInfo> AuthService::CreateApiKey(std::string_view user_id,
                                                   std::string_view name) {
  if (EnabledProvider("api-key", config::ProviderType::kApiKey) == nullptr) {
    return base::Status(base::ErrorCode::kAuthProviderNotFound,
                        "authentication via 'api-key' is unsupported");
  }
  if (name.empty() || name.size() > 64) {
    return base::Status(base::ErrorCode::kInvalidParameter,
                        "API key name must be 1 to 64 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == ' ' || c == '.';
    if (!ok) {
      return base::Status(base::ErrorCode::kInvalidParameter,
                          "API key name may hold letters, digits, spaces, '.', '_' and '-'");
    }
  }
  AuthRecords::ApiKey k;
  k.id = NewObjectIdHex();
  k.user_id = std::string(user_id);
  k.name = std::string(name);
  const std::string key = deps_.random->Hex(32);
  k.key_hash = crypto::Sha256Hex(key);
  PLINTH_RETURN_IF_ERROR(records_.InsertApiKey(*deps_.store, k));
  ApiKeyInfo info = InfoOf(k);
  info.key = key;
  return info;
}

base::Result<std::vector<ApiKeyInfo>> AuthService::ListApiKeys(std::string_view user_id) {
  PLINTH_ASSIGN_OR_RETURN(std::vector<AuthRecords::ApiKey> keys,
                          records_.ListApiKeys(*deps_.store, user_id));
  std::vector<ApiKeyInfo> out;
  for (const AuthRecords::ApiKey& k : keys) out.push_back(InfoOf(k));
  return out;
}

base::Result<ApiKeyInfo> AuthService::GetApiKey(std::string_view user_id, std::string_view key_id) {
  PLINTH_ASSIGN_OR_RETURN(std::optional<AuthRecords::ApiKey> k,
                          records_.FindApiKey(*deps_.store, user_id, key_id));
  if (!k) return KeyNotFound();
  return InfoOf(*k);
}

base::Status AuthService::SetApiKeyDisabled(std::string_view user_id, std::string_view key_id,
                                            bool disabled) {
  PLINTH_ASSIGN_OR_RETURN(bool found,
                          records_.SetApiKeyDisabled(*deps_.store, user_id, key_id, disabled));
  return found ? base::Status::Ok() : KeyNotFound();
}

base::Status AuthService::DeleteApiKey(std::string_view user_id, std::string_view key_id) {
  PLINTH_ASSIGN_OR_RETURN(bool found, records_.DeleteApiKey(*deps_.store, user_id, key_id));
  return found ? base::Status::Ok() : KeyNotFound();
}

}  // namespace plinth::auth
