# Turns the functions part's result lines (bench/run.sh) into its tables and
# target lines. Input lines:
#   <name> RESULT requests=N duration_us=N rps=X p50_us=N p99_us=N errors=N non2xx=N
#   cpu <name> cpu_us=N requests=N      server CPU (user + system) during <name>'s run
#   spin_call ms=N                      wall time of the first spin call, measured with curl
# Rows: plinth_location (the reference), functions_add, location_cpu,
# busy_refresh_idle, busy_spin, busy_refresh.
# -v target=0.30 -v busy_p99_ms=10 -v spin_ms=N -v js_threads=N

function ms(us) { return sprintf("%.2f ms", us / 1000) }

$1 == "cpu" {
  for (i = 3; i <= NF; i++) {
    split($i, kv, "=")
    cpu[$2, kv[1]] = kv[2]
  }
  next
}

$1 == "spin_call" {
  split($2, kv, "=")
  spin_call_ms = kv[2]
  next
}

{
  name[++n] = $1
  for (i = 3; i <= NF; i++) {
    split($i, kv, "=")
    v[$1, kv[1]] = kv[2]
  }
}

END {
  if (n == 0) { print "bench: no functions results" > "/dev/stderr"; exit 1 }
  loc = v["plinth_location", "rps"]
  printf "%-22s %12s %10s %10s %8s %-16s %8s %12s\n", "name", "requests/s", "p50", "p99", "ratio",
         "of", "errors", "cpu/request"
  for (r = 1; r <= n; r++) {
    k = name[r]
    ratio = sprintf("%8s", "-")
    of = ""
    if (k == "functions_add" && loc > 0) {
      ratio = sprintf("%7.0f%%", v[k, "rps"] / loc * 100)
      of = "plinth_location"
    }
    per = "-"
    if ((k, "cpu_us") in cpu && cpu[k, "requests"] > 0) {
      per = sprintf("%.1f us", cpu[k, "cpu_us"] / cpu[k, "requests"])
    }
    printf "%-22s %12.0f %10s %10s %s %-16s %8d %12s\n", k, v[k, "rps"], ms(v[k, "p50_us"]),
           ms(v[k, "p99_us"]), ratio, of, v[k, "errors"] + v[k, "non2xx"], per
  }
  if (("functions_add", "rps") in v && loc > 0) {
    got = v["functions_add", "rps"] / loc
    printf "target: functions_add >= %.0f%% of plinth_location requests/s: %s (%.0f%%)\n",
           target * 100, (got >= target ? "MET" : "NOT MET"), got * 100
  }
  if (("functions_add", "cpu_us") in cpu && ("location_cpu", "cpu_us") in cpu) {
    fa = cpu["functions_add", "cpu_us"] / cpu["functions_add", "requests"]
    lc = cpu["location_cpu", "cpu_us"] / cpu["location_cpu", "requests"]
    printf "server CPU per request: functions_add %.1f us, location %.1f us: location needs %.0f%% of a call's CPU (noise-robust form of the ratio)\n",
           fa, lc, lc / fa * 100
  }
  if (spin_call_ms != "") {
    printf "first spin(%d ms) call after start-up, end to end (curl): %d ms\n", spin_ms, spin_call_ms
  }
  if (("busy_spin", "rps") in v && spin_ms > 0 && js_threads > 0) {
    printf "JS threads busy during the spin run: %.0f%% (%.2f spin calls/s x %d ms / %d threads)\n",
           v["busy_spin", "rps"] * spin_ms / 1000 / js_threads * 100, v["busy_spin", "rps"],
           spin_ms, js_threads
  }
  if (("busy_refresh_idle", "p99_us") in v) {
    printf "refresh p99 with the JS threads idle: %.2f ms\n", v["busy_refresh_idle", "p99_us"] / 1000
  }
  if (("busy_refresh", "p99_us") in v) {
    p99 = v["busy_refresh", "p99_us"] / 1000
    printf "target: refresh p99 < %g ms while every JS thread runs spin: %s (%.2f ms)\n",
           busy_p99_ms, (p99 < busy_p99_ms ? "MET" : "NOT MET"), p99
  }
}
