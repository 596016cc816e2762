#include "http/metrics.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

namespace plinth::http {
namespace {

// Hands each thread a shard index once; threads beyond kShards share.
std::atomic<std::size_t> g_next_shard{0};

std::size_t ThisThreadShardIndex() {
  thread_local const std::size_t index = g_next_shard.fetch_add(1, std::memory_order_relaxed);
  return index;
}

// Prometheus label value escaping: backslash, double quote and newline.
void AppendLabelValue(std::string* out, std::string_view value) {
  out->push_back('"');
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      *out += "\\n";
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

// The same bounds as Metrics::kBuckets, written the way they should appear.
constexpr std::array<std::string_view, Metrics::kBuckets.size()> kBucketLabels = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
    "0.025",  "0.05",    "0.1",    "0.25",  "1",      "2.5",   "10"};

}  // namespace

Metrics::Metrics() : shards_(new Shard[kShards]) {}
Metrics::~Metrics() = default;

Metrics::Shard& Metrics::ShardForThisThread() { return shards_[ThisThreadShardIndex() % kShards]; }

void Metrics::RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
void Metrics::RequestEnded() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

std::string_view Metrics::MethodLabel(std::string_view method) {
  for (std::string_view m : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"}) {
    if (method == m) return m;
  }
  return "OTHER";
}

void Metrics::Record(std::string_view route, std::string_view method, int status,
                     base::ErrorCode error, std::chrono::nanoseconds duration) {
  const std::string_view method_label = MethodLabel(method);
  const double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  // Reused per thread, so steady-state recording does not allocate.
  thread_local std::string key;
  key.assign(route);

  Shard& shard = ShardForThisThread();
  std::lock_guard<std::mutex> lock(shard.mu);
  RouteStats& stats = shard.routes[key];
  auto it = std::find_if(stats.counts.begin(), stats.counts.end(), [&](const Count& c) {
    return c.status == status && c.method == method_label;
  });
  if (it == stats.counts.end()) {
    stats.counts.push_back(Count{method_label, status, 1});
  } else {
    ++it->n;
  }
  ++stats.duration.counts[bucket];
  stats.duration.sum_seconds += seconds;
  ++stats.duration.count;
  if (error != base::ErrorCode::kOk) ++shard.errors[base::ErrorCodeName(error)];
}

std::string Metrics::RenderText() const {
  std::map<std::tuple<std::string, std::string_view, int>, std::uint64_t> requests;
  std::map<std::string, Histogram> durations;
  std::map<std::string_view, std::uint64_t> errors;
  for (std::size_t i = 0; i < kShards; ++i) {
    const Shard& shard = shards_[i];
    std::lock_guard<std::mutex> lock(shard.mu);
    for (const auto& [route, stats] : shard.routes) {
      for (const Count& c : stats.counts) requests[{route, c.method, c.status}] += c.n;
      Histogram& total = durations[route];
      for (std::size_t b = 0; b < total.counts.size(); ++b) {
        total.counts[b] += stats.duration.counts[b];
      }
      total.sum_seconds += stats.duration.sum_seconds;
      total.count += stats.duration.count;
    }
    for (const auto& [code, n] : shard.errors) errors[code] += n;
  }

  std::string out;
  out += "# HELP plinth_http_requests_total HTTP requests answered.\n";
  out += "# TYPE plinth_http_requests_total counter\n";
  for (const auto& [labels, n] : requests) {
    const auto& [route, method, status] = labels;
    out += "plinth_http_requests_total{route=";
    AppendLabelValue(&out, route);
    out += ",method=";
    AppendLabelValue(&out, method);
    out += ",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }

  out += "# HELP plinth_http_request_duration_seconds Time from request to response.\n";
  out += "# TYPE plinth_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : durations) {
    std::string route_label;
    AppendLabelValue(&route_label, route);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += h.counts[b];
      out += "plinth_http_request_duration_seconds_bucket{route=" + route_label + ",le=\"";
      out += b < kBuckets.size() ? kBucketLabels[b] : std::string_view("+Inf");
      out += "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "plinth_http_request_duration_seconds_sum{route=" + route_label + "} " +
           FormatDouble(h.sum_seconds) + "\n";
    out += "plinth_http_request_duration_seconds_count{route=" + route_label + "} " +
           std::to_string(h.count) + "\n";
  }

  out += "# HELP plinth_http_in_flight_requests Requests being read, handled or written.\n";
  out += "# TYPE plinth_http_in_flight_requests gauge\n";
  out += "plinth_http_in_flight_requests " +
         std::to_string(in_flight_.load(std::memory_order_relaxed)) + "\n";

  out += "# HELP plinth_http_errors_total Error envelopes sent, by error_code.\n";
  out += "# TYPE plinth_http_errors_total counter\n";
  for (const auto& [code, n] : errors) {
    out += "plinth_http_errors_total{error_code=";
    AppendLabelValue(&out, code);
    out += "} " + std::to_string(n) + "\n";
  }
  for (const auto& source : sources_) out += source();
  return out;
}

}  // namespace plinth::http
