#pragma once

#include <functional>
#include <string>

#include "base/work_pool.h"
#include "http/response.h"

namespace plinth::http {

// A deferred response (Response::Later) that runs `work` on `pool` and
// answers with what it returns, so slow work (hashing, mail, store scans)
// never holds an I/O thread. When the pool's queue is full the client gets
// 429 TooManyRequests with `Retry-After: 1` and `busy_message` at once.
// Thread-safe; `pool` must outlive the request.
Response RunOnPool(base::WorkPool* pool, std::function<Response()> work, std::string busy_message);

}  // namespace plinth::http
