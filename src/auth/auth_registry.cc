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
  // A client sends the same token many times; the app that verified it
  // knows it by its text, which is cheaper than decoding and parsing the
  // payload (kilobytes with custom user data) on every request. Past a few
  // apps the probes would cost more than the parse.
  constexpr std::size_t kMaxProbedApps = 8;
  if (services_.size() <= kMaxProbedApps) {
    for (const auto& [id, service] : services_) {
      if (service->tokens().Remembers(token)) return service.get();
    }
  }
  std::optional<std::string> issuer = TokenService::PeekIssuer(token);
  return issuer ? Find(*issuer) : nullptr;
}

}  // namespace plinth::auth
