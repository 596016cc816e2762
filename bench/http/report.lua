-- wrk reporter for bench/run.sh: after wrk's own --latency output, prints one
-- machine-readable line that bench/http/summarize.awk reads:
--   RESULT requests=N duration_us=N rps=X p50_us=N p99_us=N errors=N non2xx=N
-- Latencies are in microseconds. `errors` counts socket errors (connect, read,
-- write, timeout); `non2xx` counts responses whose status was not 2xx or 3xx.

done = function(summary, latency, requests)
  local e = summary.errors
  local rps = 0
  if summary.duration > 0 then
    rps = summary.requests / (summary.duration / 1e6)
  end
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, rps,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
