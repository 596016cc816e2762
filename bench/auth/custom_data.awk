# Turns the custom user data part's result lines (bench/run.sh) into its
# table and target line. Input lines:
#   <name> RESULT requests=N duration_us=N rps=X p50_us=N p99_us=N errors=N non2xx=N
#   cpu <name> cpu_us=N requests=N      server CPU (user + system) during <name>'s run
#   SEED docs=N pad_bytes=N insert_s=X index_s=X
# Rows: plinth_location (the reference, the HTTP part's run), cd_location
# (location on the custom data server, for its CPU), cd_refresh (cache
# warm), cd_refresh_nocache (state_cache_ms 0), cd_refresh_nocache_off
# (state_cache_ms 0, custom data disabled).
# -v target=0.50

function ms(us) { return sprintf("%.2f ms", us / 1000) }

$1 == "SEED" {
  seed = $0
  next
}

$1 == "cpu" {
  for (i = 3; i <= NF; i++) {
    split($i, kv, "=")
    cpu[$2, kv[1]] = kv[2]
  }
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
  if (n == 0) { print "bench: no custom data results" > "/dev/stderr"; exit 1 }
  if (seed != "") print seed
  loc = v["plinth_location", "rps"]
  loc_cpu = 0
  if (("cd_location", "cpu_us") in cpu && cpu["cd_location", "requests"] > 0) {
    loc_cpu = cpu["cd_location", "cpu_us"] / cpu["cd_location", "requests"]
  }
  printf "%-24s %12s %10s %10s %8s %8s %12s %10s\n", "name", "requests/s", "p50", "p99",
         "ratio", "errors", "cpu/request", "cpu ratio"
  for (r = 1; r <= n; r++) {
    k = name[r]
    ratio = sprintf("%7.0f%%", loc > 0 ? v[k, "rps"] / loc * 100 : 0)
    per = "-"
    cpu_ratio = "-"
    if ((k, "cpu_us") in cpu && cpu[k, "requests"] > 0) {
      c = cpu[k, "cpu_us"] / cpu[k, "requests"]
      per = sprintf("%.1f us", c)
      if (loc_cpu > 0) cpu_ratio = sprintf("%.2f", c / loc_cpu)
    }
    printf "%-24s %12.0f %10s %10s %s %8d %12s %10s\n", k, v[k, "rps"], ms(v[k, "p50_us"]),
           ms(v[k, "p99_us"]), ratio, v[k, "errors"] + v[k, "non2xx"], per, cpu_ratio
  }
  print "(ratio: requests/s of plinth_location; cpu ratio: server CPU per request of cd_location)"
  split("cd_refresh cd_refresh_nocache", goals, " ")
  for (g = 1; g <= 2; g++) {
    k = goals[g]
    if ((k, "rps") in v && loc > 0) {
      got = v[k, "rps"] / loc
      printf "target: %s >= %.0f%% of plinth_location requests/s: %s (%.0f%%)\n", k,
             target * 100, (got >= target ? "MET" : "NOT MET"), got * 100
    }
  }
}
