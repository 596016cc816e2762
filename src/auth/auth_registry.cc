#include "auth/auth_registry.h"

namespace plinth::auth {

void AuthRegistry::Add(std::unique_ptr<AuthService> service) {
  std::string id = service->app_id();
  services_[std::move(id)] = std::move(service);
}

AuthService* AuthRegistry::Find(std::string_view app_id) const {
  auto it = services_.find(app_id);
  return it == services_.end() ? nullptr : it->second.get();
}

AuthService* AuthRegistry::ForToken(std::string_view token) const {
  // One app (the common case): its service verifies the issuer anyway, so
  // decoding the payload here as well would be wasted work on every request.
  if (services_.size() == 1) return services_.begin()->second.get();
  std::optional<std::string> issuer = TokenService::PeekIssuer(token);
  return issuer ? Find(*issuer) : nullptr;
}

}  // namespace plinth::auth
