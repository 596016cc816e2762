#pragma once

#include "auth/auth_registry.h"
#include "base/work_pool.h"
#include "functions/function_registry.h"
#include "http/router.h"
#include "services/data_access_registry.h"

namespace plinth::http {

// `POST A/functions/call` (client-api §8, §11): with a `service`, an action
// of that MongoDB data source run as the caller under the collection's
// rules (services/data_access.h); without one, the app's function of that
// name run as the caller (functions/function_runtime.h) on the app's JS
// threads, never on an I/O thread. The answer is the result as canonical
// EJSON; a full JS queue answers 429 with Retry-After.
//
// Service calls run on `workers`, a bounded pool, so a long scan never holds
// an I/O thread; a full pool answers 429 at once. Point reads (a find,
// findOne or count pinned to one `_id`) run on the I/O thread: they are
// bounded and cheaper than the hand-off. Pointers are not owned and
// must outlive the router.
// `functions` may be null: every named function is then FunctionNotFound.
void AddFunctionRoutes(const auth::AuthRegistry* auth, const services::DataAccessRegistry* data,
                       const functions::FunctionRegistry* functions, base::WorkPool* workers,
                       Router* router);

}  // namespace plinth::http
