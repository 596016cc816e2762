#pragma once

#include "auth/auth_registry.h"
#include "base/work_pool.h"
#include "http/router.h"
#include "services/data_access_registry.h"

namespace plinth::http {

// `POST A/functions/call` (client-api §8, §11): with a `service`, an action
// of that MongoDB data source run as the caller under the collection's
// rules (services/data_access.h); without one, a named function (not served
// yet: FunctionNotFound). The answer is the result as canonical EJSON.
//
// Service calls run on `workers`, a bounded pool, so a long scan never holds
// an I/O thread; a full pool answers 429 at once. Point reads (a find,
// findOne or count pinned to one `_id`) run on the I/O thread: they are
// bounded and cheaper than the hand-off. Pointers are not owned and
// must outlive the router.
void AddFunctionRoutes(const auth::AuthRegistry* auth, const services::DataAccessRegistry* data,
                       base::WorkPool* workers, Router* router);

}  // namespace plinth::http
