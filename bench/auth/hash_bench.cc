// Time of one Argon2id password hash at the server's default parameters
// (crypto::Argon2Params: m = 19 MiB, t = 2, p = 1), for bench/run.sh's
// hashing ceiling: cores / hash time is the most logins per second a
// machine can verify, whatever the HTTP layer does.
//   bench_hash [N]   N hashes, one after the other on one thread (default 20)
// Prints "HASH n=N mean_ms=X min_ms=X max_ms=X" (one warm-up hash first, not
// counted). Exits non-zero only when hashing fails.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/password_hash.h"

int main(int argc, char** argv) {
  int n = 20;
  if (argc > 1) n = std::max(1, std::atoi(argv[1]));
  const plinth::crypto::Argon2Params params;
  const std::string password = "bench-password-1";

  auto warm = plinth::crypto::HashPassword(password, params);
  if (!warm.ok()) {
    std::fprintf(stderr, "bench_hash: HashPassword failed: %s\n",
                 warm.status().ToString().c_str());
    return 1;
  }
  double total = 0, lo = 1e300, hi = 0;
  for (int i = 0; i < n; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto hash = plinth::crypto::HashPassword(password, params);
    const auto end = std::chrono::steady_clock::now();
    if (!hash.ok()) {
      std::fprintf(stderr, "bench_hash: HashPassword failed: %s\n",
                   hash.status().ToString().c_str());
      return 1;
    }
    const double ms = std::chrono::duration<double, std::milli>(end - start).count();
    total += ms;
    lo = std::min(lo, ms);
    hi = std::max(hi, ms);
  }
  std::printf("HASH n=%d mean_ms=%.3f min_ms=%.3f max_ms=%.3f ops_limit=%llu mem_kib=%zu\n", n,
              total / n, lo, hi, static_cast<unsigned long long>(params.ops_limit),
              params.mem_limit_bytes / 1024);
  return 0;
}
