#include "http/response.h"

#include <algorithm>

#include "base/json_escape.h"
#include "http/request.h"

namespace plinth::http {

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", kJsonContentType);
  r.body = std::move(body);
  return r;
}

Response Response::Later(Deferred work) {
  Response res;
  res.deferred = std::move(work);
  return res;
}

Response Response::Empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response Response::Text(int status, std::string_view content_type, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", content_type);
  r.body = std::move(body);
  return r;
}

Response Response::Error(const base::Status& status) {
  base::ErrorCode code = status.ok() ? base::ErrorCode::kInternal : status.code();
  int http_status = base::HttpStatusOf(code);
  std::string_view message = status.message();
  std::string detail;
  if (http_status >= 500) {
    // Internal detail (paths, engine messages) never reaches the client.
    detail = status.ok() ? "Response::Error called with an OK status" : status.message();
    message = "internal server error";
  } else if (message.empty()) {
    message = base::ErrorCodeName(code);
  }
  std::string body = "{\"error\":";
  base::AppendJsonString(&body, message);
  body += ",\"error_code\":";
  base::AppendJsonString(&body, base::ErrorCodeName(code));
  body += '}';
  Response r = Json(http_status, std::move(body));
  r.error_code = code;
  r.error_detail = std::move(detail);
  return r;
}

void Response::SetHeader(std::string_view name, std::string_view value) {
  std::erase_if(headers, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  headers.emplace_back(name, value);
}

void Response::AddHeader(std::string_view name, std::string_view value) {
  headers.emplace_back(name, value);
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace plinth::http
