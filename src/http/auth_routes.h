#pragma once

#include "auth/auth_registry.h"
#include "base/work_pool.h"
#include "http/router.h"

namespace plinth::http {

// The authentication half of the client API (client-api §2 rows 2-20,
// docs/auth.md): login and link, email/password accounts, sessions,
// profile, user deletion and user API keys, under both the P/auth paths and
// their app-scoped A/auth aliases (DECISIONS 6).
//
// Requests that hash a password or send mail run on `workers` (a bounded
// pool) and answer through Response::Later; a full pool answers 429 at
// once. Pointers are not owned and must outlive the router.
void AddAuthRoutes(const auth::AuthRegistry* registry, base::WorkPool* workers, Router* router);

}  // namespace plinth::http
