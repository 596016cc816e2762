#pragma once

#include <cstdint>
#include <string>

namespace plinth::auth {

// What a verified token says (tokens.h has the claim names). Plain values.
enum class TokenType { kAccess, kRefresh };

struct TokenClaims {
  TokenType type = TokenType::kAccess;
  std::string app_id;
  std::string user_id;
  std::string session_id;
  std::string device_id;  // access tokens only
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
};

}  // namespace plinth::auth
