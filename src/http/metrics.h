#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error_code.h"

namespace plinth::http {

// Metrics counts HTTP traffic and renders it in the Prometheus text format
// (version 0.0.4):
//   plinth_http_requests_total{route,method,status}      counter
//   plinth_http_request_duration_seconds{route}          histogram
//   plinth_http_in_flight_requests                       gauge
//   plinth_http_errors_total{error_code}                 counter
// Label values are bounded: route is a route pattern or "unmatched", method
// one of the standard methods or "OTHER", status a number, error_code a name
// from base/error_codes.inc. Raw paths never become labels.
//
// A request's duration runs from the first byte of its request arriving (or
// from the previous response on a pipelined connection) to the last byte of
// its response being written.
//
// Thread-safety: every method may be called from any thread. Writers touch a
// per-thread shard (a mutex that is almost never contended, since each I/O
// thread gets its own); RenderText merges the shards.
class Metrics {
 public:
  // Content-Type of RenderText()'s output.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4";
  // Histogram upper bounds in seconds (+Inf is implied).
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10};

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The in-flight gauge: every RequestStarted is followed by one RequestEnded.
  void RequestStarted();
  void RequestEnded();

  // Counts one answered request. `error` is the code of an error envelope, or
  // kOk for none.
  void Record(std::string_view route, std::string_view method, int status, base::ErrorCode error,
              std::chrono::nanoseconds duration);

  // The Prometheus exposition text, series sorted by label values, then
  // what every added source renders.
  std::string RenderText() const;

  // Adds series owned by another part of the server (already in exposition
  // format, HELP and TYPE lines included). Call before serving; the source
  // must be thread-safe and outlive this object.
  void AddSource(std::function<std::string()> source) { sources_.push_back(std::move(source)); }

  // "GET", "POST", ... for standard methods, "OTHER" for anything else, so a
  // client cannot mint label values.
  static std::string_view MethodLabel(std::string_view method);

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size() + 1> counts{};  // last = +Inf only
    double sum_seconds = 0;
    std::uint64_t count = 0;
  };
  // Requests with one (method, status) pair. `method` is one of
  // MethodLabel's static strings.
  struct Count {
    std::string_view method;
    int status = 0;
    std::uint64_t n = 0;
  };
  struct RouteStats {
    std::vector<Count> counts;  // a handful per route: a linear scan is fastest
    Histogram duration;
  };
  std::vector<std::function<std::string()>> sources_;
  struct alignas(64) Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, RouteStats> routes;
    std::unordered_map<std::string_view, std::uint64_t> errors;  // ErrorCodeName's static strings
  };
  static constexpr std::size_t kShards = 16;

  Shard& ShardForThisThread();

  std::unique_ptr<Shard[]> shards_;
  std::atomic<std::int64_t> in_flight_{0};
};

}  // namespace plinth::http
