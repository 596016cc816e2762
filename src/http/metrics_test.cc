#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace plinth::http {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, CountsAndHistogram) {
  Metrics m;
  m.Record("/healthz", "GET", 200, base::ErrorCode::kOk, microseconds(50));
  m.Record("/healthz", "GET", 200, base::ErrorCode::kOk, milliseconds(3));
  m.Record("unmatched", "BREW", 404, base::ErrorCode::kNotFound, microseconds(20));
  m.RequestStarted();
  std::string text = m.RenderText();

  EXPECT_TRUE(Has(text, "# TYPE plinth_http_requests_total counter"));
  EXPECT_TRUE(
      Has(text, R"(plinth_http_requests_total{route="/healthz",method="GET",status="200"} 2)"));
  // Unknown methods are folded so clients cannot mint label values.
  EXPECT_TRUE(
      Has(text, R"(plinth_http_requests_total{route="unmatched",method="OTHER",status="404"} 1)"));

  EXPECT_TRUE(Has(text, "# TYPE plinth_http_request_duration_seconds histogram"));
  EXPECT_TRUE(
      Has(text, R"(plinth_http_request_duration_seconds_bucket{route="/healthz",le="0.0001"} 1)"));
  EXPECT_TRUE(
      Has(text, R"(plinth_http_request_duration_seconds_bucket{route="/healthz",le="0.0025"} 1)"));
  EXPECT_TRUE(
      Has(text, R"(plinth_http_request_duration_seconds_bucket{route="/healthz",le="0.005"} 2)"));
  EXPECT_TRUE(
      Has(text, R"(plinth_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 2)"));
  EXPECT_TRUE(Has(text, R"(plinth_http_request_duration_seconds_sum{route="/healthz"} 0.00305)"));
  EXPECT_TRUE(Has(text, R"(plinth_http_request_duration_seconds_count{route="/healthz"} 2)"));

  EXPECT_TRUE(Has(text, "plinth_http_in_flight_requests 1"));
  EXPECT_TRUE(Has(text, R"(plinth_http_errors_total{error_code="NotFound"} 1)"));
  m.RequestEnded();
  EXPECT_TRUE(Has(m.RenderText(), "plinth_http_in_flight_requests 0"));
}

TEST(MetricsTest, ThreadsMergeIntoOneSeries) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) {
        m.Record("/r", "POST", 201, base::ErrorCode::kOk, microseconds(1));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::string text = m.RenderText();
  EXPECT_TRUE(
      Has(text, R"(plinth_http_requests_total{route="/r",method="POST",status="201"} 4000)"));
  EXPECT_TRUE(Has(text, R"(plinth_http_request_duration_seconds_count{route="/r"} 4000)"));
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics m;
  m.Record("/a\"b\\c\nd", "GET", 200, base::ErrorCode::kOk, microseconds(1));
  EXPECT_NE(m.RenderText().find(R"(route="/a\"b\\c\nd")"), std::string::npos);
}

}  // namespace
}  // namespace plinth::http
