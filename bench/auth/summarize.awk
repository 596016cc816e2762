# Turns the auth part's result lines (bench/run.sh) into its table and target
# lines. Input lines:
#   <name> RESULT requests=N duration_us=N rps=X p50_us=N p99_us=N errors=N non2xx=N
#   hash HASH n=N mean_ms=X min_ms=X max_ms=X ...
# Rows: plinth_location (the reference), auth_refresh, auth_login,
# storm_login, storm_refresh. Ratios: refresh rows to plinth_location's
# requests/s, login rows to the hashing ceiling (cores / mean hash time).
# -v cores=N -v refresh_target=0.50 -v storm_p99_ms=10

function ms(us) { return sprintf("%.2f ms", us / 1000) }

{
  name[NR] = $1
  for (i = 3; i <= NF; i++) {
    split($i, kv, "=")
    v[$1, kv[1]] = kv[2]
  }
}

END {
  if (NR == 0) { print "bench: no auth results" > "/dev/stderr"; exit 1 }
  loc = v["plinth_location", "rps"]
  hash_ms = v["hash", "mean_ms"]
  ceiling = hash_ms > 0 ? cores * 1000 / hash_ms : 0
  printf "%-22s %12s %10s %10s %8s %-16s %8s\n", "name", "requests/s", "p50", "p99", "ratio",
         "of", "errors"
  for (r = 1; r <= NR; r++) {
    n = name[r]
    if (n == "hash") continue
    rps = v[n, "rps"]
    if (n ~ /login/) { base = ceiling; of = "hash ceiling" }
    else if (n == "plinth_location") { base = 0; of = "" }
    else { base = loc; of = "plinth_location" }
    ratio = base > 0 ? sprintf("%7.0f%%", rps / base * 100) : sprintf("%8s", "-")
    printf "%-22s %12.0f %10s %10s %s %-16s %8d\n", n, rps, ms(v[n, "p50_us"]), ms(v[n, "p99_us"]),
           ratio, of, v[n, "errors"] + v[n, "non2xx"]
  }
  if (hash_ms > 0) {
    printf "hashing ceiling: %d cores / %.2f ms per Argon2id hash (bench_hash, n=%d) = %.0f hashes/s\n",
           cores, hash_ms, v["hash", "n"], ceiling
  }
  if (("auth_login", "rps") in v && ceiling > 0) {
    printf "auth_login: %.0f logins/s = %.0f%% of the hashing ceiling (p99 %s)\n",
           v["auth_login", "rps"], v["auth_login", "rps"] / ceiling * 100, ms(v["auth_login", "p99_us"])
  }
  if (("auth_refresh", "rps") in v && loc > 0) {
    got = v["auth_refresh", "rps"] / loc
    printf "target: auth_refresh >= %.0f%% of plinth_location requests/s: %s (%.0f%%)\n",
           refresh_target * 100, (got >= refresh_target ? "MET" : "NOT MET"), got * 100
  }
  if (("storm_refresh", "p99_us") in v) {
    p99 = v["storm_refresh", "p99_us"] / 1000
    printf "target: storm_refresh p99 < %g ms during a login storm: %s (%.2f ms)\n", storm_p99_ms,
           (p99 < storm_p99_ms ? "MET" : "NOT MET"), p99
  }
}
