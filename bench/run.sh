#!/usr/bin/env bash
# HTTP benchmark: Plinth's location endpoint against a bare Boost.Beast
# hello-world built with the same threading (bench/http/hello_beast.cc).
#   bench/run.sh BUILD_DIR
# BUILD_DIR holds `plinth` and `bench_hello_beast` (`make bench` builds both in
# build/bench). Each server runs alone, one after the other, with 2 I/O
# threads; wrk loads it from the same machine. Prints a table (requests/s, p50,
# p99, ratio to the baseline) and whether the location endpoint reached the
# target. Exits non-zero only when the harness itself fails (a server does not
# start, a binary is missing, an endpoint answers wrongly), never because a
# number is low: no timing decides a test (DECISIONS 21).
#
# Environment:
#   BENCH_DURATION    wrk duration per run (default 10s)
#   BENCH_IO_THREADS  I/O threads of both servers (default 2)
#   BENCH_LOG_LEVEL   plinth --log-level during its run (default warn: no
#                     per-request log lines, like the baseline)
#   BENCH_HTTP        0 skips the HTTP part (default 1)
#   BENCH_STORAGE     0 skips the storage benchmark (default 1): bench_storage
#                     (bench/storage/, Google Benchmark) after the HTTP part
#   BENCH_STORAGE_SIZES  collection sizes of the storage benchmark (default
#                     10000,1000000; building the 1M dataset takes a while)
set -euo pipefail

build=${1:?usage: bench/run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
duration=${BENCH_DURATION:-10s}
io_threads=${BENCH_IO_THREADS:-2}
log_level=${BENCH_LOG_LEVEL:-warn}
connections=64
wrk_threads=2
target=0.60
app_dir="$root/examples/quickstart"

fail() {
  echo "bench: FAILED: $*" >&2
  exit 1
}

run_http=${BENCH_HTTP:-1}
run_storage=${BENCH_STORAGE:-1}

# A binary in BUILD_DIR, or anywhere below it.
find_binary() {
  local name=$1
  if [[ -x "$build/$name" && -f "$build/$name" ]]; then
    echo "$build/$name"
    return
  fi
  find "$build" -maxdepth 4 -type f -name "$name" -perm -u+x | head -n 1
}

if [[ $run_http != 0 ]]; then
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"
done

baseline_bin=$(find_binary bench_hello_beast)
plinth_bin=$(find_binary plinth)
[[ -n $baseline_bin ]] || fail "no bench_hello_beast in $build (configure with -DPLINTH_BENCH=ON)"
[[ -n $plinth_bin ]] || fail "no plinth in $build"
[[ -f "$app_dir/root_config.json" ]] || fail "missing $app_dir/root_config.json"
app_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app_id"])' \
  "$app_dir/root_config.json") || fail "cannot read app_id from examples/quickstart"
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME READY_URL CMD...: runs CMD in the background and waits up
# to 20 s until READY_URL answers 200.
start_server() {
  local name=$1 ready=$2
  shift 2
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  for _ in $(seq 200); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$work/$name.err" >&2
      fail "$name exited during start-up: $*"
    fi
    if curl -fs -o /dev/null "$ready"; then return; fi
    sleep 0.1
  done
  cat "$work/$name.err" >&2
  fail "$name did not answer $ready within 20 s"
}

stop_server() {
  local name=$1 rc=0
  kill -TERM "$server_pid"
  wait "$server_pid" || rc=$?
  server_pid=""
  if ((rc != 0)); then
    tail -n 20 "$work/$name.err" >&2
    fail "$name exited with status $rc after SIGTERM"
  fi
}

# check_endpoint URL: one request must answer 200 with a JSON body, so wrk
# measures real answers and not errors.
check_endpoint() {
  local url=$1 out
  out=$(curl -s -D - -o "$work/body" "$url") || fail "cannot reach $url"
  grep -qE '^HTTP/1\.1 200' <<<"$out" || fail "$url answered: $(head -n 1 <<<"$out")"
  grep -qi '^content-type: application/json' <<<"$out" || fail "$url: no JSON content type"
}

# run_wrk NAME URL: one wrk run; appends "NAME RESULT ..." to the results.
run_wrk() {
  local name=$1 url=$2 line
  check_endpoint "$url"
  echo "== $name: wrk -t$wrk_threads -c$connections -d$duration --latency $url"
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$root/bench/http/report.lua" \
    "$url" | tee "$work/$name.wrk"
  line=$(grep '^RESULT ' "$work/$name.wrk") || fail "no RESULT line from wrk for $name"
  echo "$name $line" >>"$work/results"
  if grep -qE 'non2xx=[1-9]' <<<"$line"; then
    fail "$name: wrk saw non-2xx answers; the measurement is not valid"
  fi
}

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $run_http != 0 ]]; then
echo "== plinth HTTP benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
echo "== $(nproc) CPUs (${cpu:-unknown}), $io_threads I/O threads per server, wrk on the same machine"

port=$(free_port)
start_server baseline_hello "http://127.0.0.1:$port/" \
  "$baseline_bin" --port "$port" --threads "$io_threads"
run_wrk baseline_hello "http://127.0.0.1:$port/"
stop_server baseline_hello

port=$(free_port)
mkdir "$work/data"
location="/api/client/v2.0/app/$app_id/location"
start_server plinth "http://127.0.0.1:$port/healthz" \
  "$plinth_bin" serve --app "$app_dir" --data "$work/data" --listen "127.0.0.1:$port" \
  --io-threads "$io_threads" --log-level "$log_level"
run_wrk plinth_location "http://127.0.0.1:$port$location"
stop_server plinth

echo
awk -v target="$target" -v goal=plinth_location -f "$root/bench/http/summarize.awk" "$work/results"
fi

# Storage: Google Benchmark over the SQLite engine (bench/storage/). Its own
# summary (lookup ratio 1M/10k, p50 target) is its last lines.
if [[ $run_storage != 0 ]]; then
  storage_bin=$(find_binary bench_storage)
  [[ -n $storage_bin ]] || fail "no bench_storage in $build (configure with -DPLINTH_BENCH=ON)"
  echo
  echo "== plinth storage benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  echo "== $(nproc) CPUs (${cpu:-unknown}), sizes ${BENCH_STORAGE_SIZES:-10000,1000000}, temp dir ${TMPDIR:-/tmp}"
  TMPDIR="$work" "$storage_bin" --benchmark_counters_tabular=true || fail "bench_storage failed"
fi
