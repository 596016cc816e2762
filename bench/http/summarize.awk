# Turns the RESULT lines bench/run.sh collected into the results table.
# Input lines: "<name> RESULT requests=N duration_us=N rps=X p50_us=N p99_us=N errors=N non2xx=N"
# The first line is the baseline; every ratio is to its requests/s.
# -v target=0.60 -v goal=<name>: also print whether <name> reached target x baseline.

function ms(us) { return sprintf("%.2f ms", us / 1000) }

{
  name[NR] = $1
  for (i = 3; i <= NF; i++) {
    split($i, kv, "=")
    v[NR, kv[1]] = kv[2]
  }
}

END {
  if (NR == 0) { print "bench: no results" > "/dev/stderr"; exit 1 }
  base = v[1, "rps"]
  printf "%-22s %12s %10s %10s %8s %8s\n", "name", "requests/s", "p50", "p99", "ratio", "errors"
  for (r = 1; r <= NR; r++) {
    ratio = base > 0 ? v[r, "rps"] / base : 0
    printf "%-22s %12.0f %10s %10s %7.0f%% %8d\n", name[r], v[r, "rps"], ms(v[r, "p50_us"]),
           ms(v[r, "p99_us"]), ratio * 100, v[r, "errors"] + v[r, "non2xx"]
    if (name[r] == goal) got = ratio
  }
  if (goal != "") {
    verdict = got >= target ? "MET" : "NOT MET"
    printf "target: %s >= %.0f%% of baseline requests/s: %s (%.0f%%)\n", goal, target * 100, verdict,
           got * 100
  }
}
