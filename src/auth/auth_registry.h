#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "auth/auth_service.h"

namespace plinth::auth {

// AuthRegistry holds the AuthService of every served app, by app id, and
// finds the one that issued a token (the P/auth routes carry no app id).
// Filled before serving starts; immutable afterwards and thread-safe then.
// Owns the services.
class AuthRegistry {
 public:
  void Add(std::unique_ptr<AuthService> service);
  // nullptr for an unknown app.
  AuthService* Find(std::string_view app_id) const;
  // The service of the app named by the token's (unverified) issuer;
  // nullptr when there is none. The service then verifies the token (and
  // its issuer: with a single app, that app is returned unread).
  AuthService* ForToken(std::string_view token) const;
  // Starts / stops every app's authentication trigger delivery
  // (AuthService::StartTriggers): `plinth serve` only.
  void StartTriggers() const {
    for (const auto& [id, service] : services_) service->StartTriggers();
  }
  void StopTriggers() const {
    for (const auto& [id, service] : services_) service->StopTriggers();
  }

 private:
  std::map<std::string, std::unique_ptr<AuthService>, std::less<>> services_;
};

}  // namespace plinth::auth
