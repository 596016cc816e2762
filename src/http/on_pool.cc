#include "http/on_pool.h"

#include <memory>
#include <utility>

#include "base/error_code.h"

namespace plinth::http {

Response RunOnPool(base::WorkPool* pool, std::function<Response()> work, std::string busy_message) {
  return Response::Later(
      [pool, work = std::move(work), busy = std::move(busy_message)](Response::Done done) {
        auto shared_done = std::make_shared<Response::Done>(std::move(done));
        bool queued = pool->TrySubmit([work, shared_done] { (*shared_done)(work()); });
        if (!queued) {
          Response res = Response::Error(base::Status(base::ErrorCode::kTooManyRequests, busy));
          res.SetHeader("Retry-After", "1");
          (*shared_done)(std::move(res));
        }
      });
}

}  // namespace plinth::http
