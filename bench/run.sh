#!/usr/bin/env bash
# HTTP benchmark: Plinth's location endpoint against a bare Boost.Beast
# hello-world built with the same threading (bench/http/hello_beast.cc).
#   bench/run.sh BUILD_DIR
# BUILD_DIR holds `plinth` and `bench_hello_beast` (`make bench` builds both in
# build/bench). Each server runs alone, one after the other, with 2 I/O
# threads; wrk loads it from the same machine. Prints a table (requests/s, p50,
# p99, ratio to the baseline) and whether the location endpoint reached the
# target; then (BENCH_AUTH, BENCH_RULES) the auth part and the MongoDB service
# under rules on the same plinth server. Exits non-zero only when the harness itself fails (a server does not
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
#   BENCH_LOOKUP      0 skips the $lookup benchmark (default 1): bench_lookup
#                     (bench/storage/lookup_bench.cc), a 100k x 100k join on an
#                     indexed foreignField against reading both collections
#   BENCH_LOOKUP_DOCS documents per collection of the $lookup benchmark
#                     (default 100000)
#   BENCH_AGGREGATE   0 skips the aggregation benchmark (default 1):
#                     bench_aggregate (bench/storage/aggregate_bench.cc), a
#                     $group over BENCH_AGGREGATE_DOCS documents (default
#                     1000000) against a full Find and a hand-written group
#   BENCH_JS          0 skips the JavaScript benchmark (default 1): bench_js
#                     (bench/js/, Google Benchmark), per-call cost of a function
#                     against a bare compiled call in the same run
#   BENCH_AUTH        0 skips the auth part (default 1; needs the HTTP part):
#                     on the same plinth server after the location run, token
#                     refresh, Argon2id logins against the hashing ceiling
#                     (bench_hash), and refresh latency during a login storm
#   BENCH_AUTH_USERS  users registered for the login runs (default 64)
#   BENCH_LOGIN_CONNECTIONS  connections of the login wrk runs (default 16;
#                     any number above the hashing threads saturates hashing,
#                     and login latency is then queueing: about connections
#                     / logins/s)
#   BENCH_STORM_CONNECTIONS  connections of the refresh wrk during the login
#                     storm (default 8)
#   BENCH_RULES       0 skips the rules part (default 1; needs the HTTP part):
#                     the plinth server also serves bench/http/rules-app/, and
#                     after the auth part wrk loads findOne by _id through
#                     functions/call (service mongodb-atlas) as an anonymous
#                     user under owner-only rules, against the location run
#   BENCH_RULES_NOTES notes the benchmarked user owns (default 1000; another
#                     user owns a tenth as many)
#   BENCH_FUNCTIONS   0 skips the functions part (default 1; needs the HTTP
#                     part): the plinth server also serves
#                     bench/http/functions-app/, and after the rules part wrk
#                     loads functions/call of `add` (exports = (a, b) => a + b)
#                     as an anonymous user, against the location run, and
#                     the server's CPU per request of both (a second location
#                     run, both read from /proc around fixed wrk runs)
#   BENCH_FUNCTIONS_BUSY  0 skips the busy-JS-threads part (default 1; needs
#                     the HTTP part): token-refresh p99 (bench/auth/refresh.lua)
#                     alone, then while one `spin` call per JS thread of the
#                     functions app runs back to back
#   BENCH_FUNCTIONS_SPIN_MS  milliseconds one `spin` call computes (default 200)
#   BENCH_FUNCTIONS_INPROC  0 skips bench_functions (default 1): a client call
#                     of a trivial function through FunctionRuntime in process
#                     (bench/functions/, Google Benchmark), against a bare
#                     compiled call in the same run
# -- custom user data (BENCH_CUSTOM_DATA, BENCH_CUSTOM_DATA_INPROC)
#   BENCH_CUSTOM_DATA  0 skips the custom user data part (default 1; needs the
#                     HTTP part): a second plinth server serving
#                     bench/http/customdata-app/ on a data dir seeded with
#                     BENCH_CUSTOM_DATA_USERS ~1 KB custom data documents
#                     (bench_custom_data seed), then token refresh of one
#                     anonymous user whose document is among them, with the
#                     server's cache warm and with tokens.state_cache_ms 0
#                     (every refresh reads the store), against the location
#                     run, with the server's CPU per request
#   BENCH_CUSTOM_DATA_USERS  custom data documents seeded (default 1000000)
#   BENCH_CUSTOM_DATA_INPROC  0 skips bench_custom_data (default 1):
#                     CustomDataLookup point reads at BENCH_CUSTOM_DATA_SIZES
#                     documents (default 1000,10000,100000,1000000), flat
#                     with the index, and without it at 100000
# -- end custom user data
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
run_js=${BENCH_JS:-1}
run_lookup=${BENCH_LOOKUP:-1}
run_aggregate=${BENCH_AGGREGATE:-1}
run_auth=${BENCH_AUTH:-1}
[[ $run_http != 0 ]] || run_auth=0
auth_users=${BENCH_AUTH_USERS:-64}
storm_connections=${BENCH_STORM_CONNECTIONS:-8}
login_connections=${BENCH_LOGIN_CONNECTIONS:-16}
# A login waits for the hashing pool; wrk's default 2 s timeout would drop
# the slow ones from the latency histogram (and count them as errors).
login_timeout=30s
refresh_target=0.50
storm_p99_ms=10
run_rules=${BENCH_RULES:-1}
[[ $run_http != 0 ]] || run_rules=0
rules_notes=${BENCH_RULES_NOTES:-1000}
rules_target=0.40
rules_app_dir="$root/bench/http/rules-app"
# -- functions (BENCH_FUNCTIONS, BENCH_FUNCTIONS_BUSY, BENCH_FUNCTIONS_INPROC)
run_functions=${BENCH_FUNCTIONS:-1}
run_functions_busy=${BENCH_FUNCTIONS_BUSY:-1}
run_functions_inproc=${BENCH_FUNCTIONS_INPROC:-1}
[[ $run_http != 0 ]] || run_functions=0
[[ $run_http != 0 ]] || run_functions_busy=0
spin_ms=${BENCH_FUNCTIONS_SPIN_MS:-200}
functions_target=0.30
busy_p99_ms=10
functions_app_dir="$root/bench/http/functions-app"
# -- end functions
# -- custom user data (BENCH_CUSTOM_DATA, BENCH_CUSTOM_DATA_INPROC)
run_custom_data=${BENCH_CUSTOM_DATA:-1}
run_custom_data_inproc=${BENCH_CUSTOM_DATA_INPROC:-1}
[[ $run_http != 0 ]] || run_custom_data=0
custom_data_users=${BENCH_CUSTOM_DATA_USERS:-1000000}
custom_data_target=0.50
custom_data_app_dir="$root/bench/http/customdata-app"
# -- end custom user data

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
if [[ $run_auth != 0 ]]; then
  hash_bin=$(find_binary bench_hash)
  [[ -n $hash_bin ]] || fail "no bench_hash in $build (configure with -DPLINTH_BENCH=ON)"
  [[ $auth_users =~ ^[1-9][0-9]*$ ]] || fail "BENCH_AUTH_USERS must be a positive number"
fi
if [[ $run_rules != 0 ]]; then
  [[ $rules_notes =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RULES_NOTES must be a positive number"
  [[ -f "$rules_app_dir/root_config.json" ]] || fail "missing $rules_app_dir/root_config.json"
  rules_app_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app_id"])' \
    "$rules_app_dir/root_config.json") || fail "cannot read app_id from bench/http/rules-app"
fi
if [[ $run_functions != 0 || $run_functions_busy != 0 ]]; then
  [[ $spin_ms =~ ^[1-9][0-9]*$ ]] || fail "BENCH_FUNCTIONS_SPIN_MS must be a positive number"
  functions_app_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app_id"])' \
    "$functions_app_dir/root_config.json") || fail "cannot read app_id from bench/http/functions-app"
  # The app's JS threads: one spin call each keeps them all busy.
  functions_threads=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["functions"]["threads"])' \
    "$functions_app_dir/plinth.json") || fail "cannot read functions.threads from bench/http/functions-app/plinth.json"
fi

work=$(mktemp -d)
server_pid=""
storm_pid=""
cleanup() {
  if [[ -n $storm_pid ]] && kill -0 "$storm_pid" 2>/dev/null; then
    kill -TERM "$storm_pid" 2>/dev/null || true
  fi
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

# record_wrk NAME RESULTS_FILE: appends "NAME RESULT ..." from $work/NAME.wrk
# to RESULTS_FILE; fails when wrk saw non-2xx answers.
record_wrk() {
  local name=$1 results=$2 line
  line=$(grep '^RESULT ' "$work/$name.wrk") || fail "no RESULT line from wrk for $name"
  echo "$name $line" >>"$results"
  if grep -qE 'non2xx=[1-9]' <<<"$line"; then
    fail "$name: wrk saw non-2xx answers; the measurement is not valid"
  fi
}

# run_wrk NAME URL: one wrk run; appends "NAME RESULT ..." to the results.
run_wrk() {
  local name=$1 url=$2
  check_endpoint "$url"
  echo "== $name: wrk -t$wrk_threads -c$connections -d$duration --latency $url"
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$root/bench/http/report.lua" \
    "$url" | tee "$work/$name.wrk"
  record_wrk "$name" "$work/results"
}

# BENCH_DURATION in whole seconds (wrk accepts 10, 10s, 2m, 1h).
duration_seconds() {
  local d=$1
  case $d in
    *[0-9]s) echo "${d%s}" ;;
    *[0-9]m) echo $((${d%m} * 60)) ;;
    *[0-9]h) echo $((${d%h} * 3600)) ;;
    *) echo "$d" ;;
  esac
}

# post_json URL BODY [CURL_ARGS...]: POSTs BODY, leaves the answer's body in
# $work/body and prints the status code.
post_json() {
  local url=$1 body=$2
  shift 2
  curl -s -o "$work/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "$body" "$@" "$url" || echo "000"
}

# json_field NAME: the string field NAME of the JSON object in $work/body.
json_field() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$work/body" "$1" 2>/dev/null
}

# The auth part, on the plinth server at $1 (host:port) with a fresh data
# dir: token refresh, logins against the hashing ceiling, refresh during a
# login storm. Results go to $work/auth_results.
run_auth_bench() {
  local base="http://$1" code refresh_token secs
  local app_base="$base/api/client/v2.0/app/$app_id/auth/providers/local-userpass"
  local password="bench-password-1"
  grep '^plinth_location ' "$work/results" >"$work/auth_results"

  # Argon2id hash time at the server's default parameters, machine idle.
  echo "== bench_hash: one Argon2id hash at the default parameters (20 hashes, one thread)"
  "$hash_bin" 20 | tee "$work/hash.out" || fail "bench_hash failed"
  echo "hash $(grep '^HASH ' "$work/hash.out")" >>"$work/auth_results"

  # Users bench-0 .. bench-(K-1), registered 8 at a time (each register
  # hashes the password on the server's pool).
  echo "== registering $auth_users users (local-userpass, autoConfirm)"
  export app_base password work
  seq 0 $((auth_users - 1)) | xargs -P 8 -I{} sh -c \
    'curl -s -o /dev/null -w "%{http_code}\n" -X POST -H "Content-Type: application/json" \
       --data-binary "{\"email\":\"bench-{}@example.com\",\"password\":\"$password\"}" \
       "$app_base/register"' >"$work/register.codes" || true
  if [[ $(grep -c '^201$' "$work/register.codes") != "$auth_users" ]]; then
    fail "register did not answer 201 for every user: $(sort "$work/register.codes" | uniq -c | tr '\n' ' ')"
  fi

  code=$(post_json "$app_base/login" "{\"username\":\"bench-0@example.com\",\"password\":\"$password\"}")
  [[ $code == 200 ]] || fail "login answered $code: $(head -c 300 "$work/body")"
  refresh_token=$(json_field refresh_token) || fail "login answer has no refresh_token"
  [[ -n $refresh_token ]] || fail "login answer has no refresh_token"
  code=$(post_json "$base/api/client/v2.0/auth/session" "" -H "Authorization: Bearer $refresh_token")
  [[ $code == 201 ]] || fail "auth/session answered $code: $(head -c 300 "$work/body")"
  [[ -n $(json_field access_token) ]] || fail "auth/session answer has no access_token"
  export BENCH_REFRESH_TOKEN=$refresh_token BENCH_LOGIN_USERS=$auth_users \
    BENCH_LOGIN_PASSWORD=$password

  # A refresh must not write to the store: the store's files (size and
  # modification time) are compared around the refresh run.
  sleep 1
  stat -c '%n %s %y' "$work/data/"*.sqlite* >"$work/store.before" 2>/dev/null || true
  echo "== auth_refresh: wrk -t$wrk_threads -c$connections -d$duration --latency POST /api/client/v2.0/auth/session"
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$root/bench/auth/refresh.lua" \
    "$base/api/client/v2.0/auth/session" | tee "$work/auth_refresh.wrk"
  record_wrk auth_refresh "$work/auth_results"
  stat -c '%n %s %y' "$work/data/"*.sqlite* >"$work/store.after" 2>/dev/null || true
  local nfiles
  nfiles=$(wc -l <"$work/store.before")
  if ((nfiles == 0)); then
    echo "store files unchanged by the refresh run: not checked (no $work/data/*.sqlite*)" \
      >"$work/auth_store_check"
  elif cmp -s "$work/store.before" "$work/store.after"; then
    echo "store files unchanged by the refresh run: yes ($nfiles files: size, mtime)" \
      >"$work/auth_store_check"
  else
    echo "store files unchanged by the refresh run: NO (a refresh wrote to the store)" \
      >"$work/auth_store_check"
    diff "$work/store.before" "$work/store.after" >>"$work/auth_store_check" || true
  fi

  echo "== auth_login: wrk -t$wrk_threads -c$login_connections -d$duration --timeout $login_timeout --latency POST .../local-userpass/login ($auth_users users)"
  wrk -t"$wrk_threads" -c"$login_connections" -d"$duration" --timeout "$login_timeout" --latency \
    -s "$root/bench/auth/login.lua" \
    "$app_base/login" | tee "$work/auth_login.wrk"
  record_wrk auth_login "$work/auth_results"

  # The storm: logins saturate the hashing pool for the whole refresh run
  # (they start 1 s before it and end 1 s after it).
  secs=$(duration_seconds "$duration")
  [[ $secs =~ ^[0-9]+$ ]] || fail "cannot read BENCH_DURATION=$duration as seconds"
  echo "== storm: wrk -t1 -c$login_connections -d$((secs + 2))s logins, and after 1 s" \
    "wrk -t1 -c$storm_connections -d${secs}s refreshes"
  wrk -t1 -c"$login_connections" -d"$((secs + 2))s" --timeout "$login_timeout" --latency \
    -s "$root/bench/auth/login.lua" \
    "$app_base/login" >"$work/storm_login.wrk" &
  storm_pid=$!
  sleep 1
  wrk -t1 -c"$storm_connections" -d"${secs}s" --latency -s "$root/bench/auth/refresh.lua" \
    "$base/api/client/v2.0/auth/session" | tee "$work/storm_refresh.wrk"
  wait "$storm_pid" || fail "the storm's login wrk failed"
  storm_pid=""
  echo "-- storm_login:"
  cat "$work/storm_login.wrk"
  record_wrk storm_login "$work/auth_results"
  record_wrk storm_refresh "$work/auth_results"
}

# check_find_one URL BODY TOKEN NOTE_ID OWNER_ID: the findOne call BODY, made
# with the access token TOKEN, must answer 200 with the note NOTE_ID owned by
# OWNER_ID.
check_find_one() {
  local url=$1 body=$2 token=$3 note_id=$4 owner_id=$5 code
  code=$(post_json "$url" "$body" -H "Authorization: Bearer $token")
  [[ $code == 200 ]] || fail "findOne by the note's owner answered $code: $(head -c 300 "$work/body")"
  # shellcheck disable=SC2016 # "$oid" is Python's string, not the shell's
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = isinstance(d, dict) and d.get("_id") == {"$oid": sys.argv[2]} and d.get("owner_id") == sys.argv[3]
sys.exit(0 if ok else 1)' "$work/body" "$note_id" "$owner_id" ||
    fail "findOne by the note's owner did not answer the note $note_id: $(head -c 300 "$work/body")"
}

# The rules part, on the plinth server at $1 (host:port), which also serves
# bench/http/rules-app/: appdb.notes, where a user reads and writes only the
# notes whose owner_id is its id. Two anonymous users insert notes through
# functions/call; wrk then loads findOne by _id of one of the first user's
# notes as that user. Results go to $work/rules_results.
run_rules_bench() {
  local base="http://$1" code user_a user_b token_a token_b note_id
  local app_base="$base/api/client/v2.0/app/$rules_app_id"
  local call="$app_base/functions/call"
  grep '^plinth_location ' "$work/results" >"$work/rules_results"

  # Two anonymous users (each anon-user login makes a new user). Their access
  # tokens live 30 minutes (the default), far longer than the runs below.
  code=$(post_json "$app_base/auth/providers/anon-user/login" '{}')
  [[ $code == 200 ]] || fail "anon-user login answered $code: $(head -c 300 "$work/body")"
  token_a=$(json_field access_token) || fail "anon-user login answer has no access_token"
  user_a=$(json_field user_id) || fail "anon-user login answer has no user_id"
  code=$(post_json "$app_base/auth/providers/anon-user/login" '{}')
  [[ $code == 200 ]] || fail "anon-user login answered $code: $(head -c 300 "$work/body")"
  token_b=$(json_field access_token) || fail "anon-user login answer has no access_token"
  user_b=$(json_field user_id) || fail "anon-user login answer has no user_id"
  [[ -n $user_a && -n $token_a && -n $token_b && $user_a != "$user_b" ]] ||
    fail "two anon-user logins did not give two users"

  # insertMany bodies, 500 notes each, with ObjectIds chosen here; the note
  # benchmarked is one in the middle of the first user's.
  echo "== rules: inserting $rules_notes notes of user A and $(( (rules_notes + 9) / 10 )) of user B (insertMany through functions/call)"
  note_id=$(python3 - "$work" "$user_a" "$rules_notes" "$user_b" "$(( (rules_notes + 9) / 10 ))" <<'PY'
import json, os, sys
work, owners = sys.argv[1], [(sys.argv[2], int(sys.argv[3])), (sys.argv[4], int(sys.argv[5]))]
batch = 500
ids = []
for who, (owner, count) in enumerate(owners):
    docs = []
    for i in range(count):
        oid = os.urandom(12).hex()
        if who == 0:
            ids.append(oid)
        docs.append({"_id": {"$oid": oid}, "owner_id": owner, "n": i,
                     "text": "note %d of %s" % (i, owner)})
    for b in range(0, count, batch):
        body = {"name": "insertMany", "service": "mongodb-atlas",
                "arguments": [{"database": "appdb", "collection": "notes",
                               "documents": docs[b:b + batch]}]}
        with open("%s/notes-%d-%06d.json" % (work, who, b), "w") as f:
            json.dump(body, f)
print(ids[len(ids) // 2])
PY
  ) || fail "cannot write the insertMany bodies"
  local f token n
  for f in "$work"/notes-*.json; do
    token=$token_a
    [[ $f == "$work"/notes-1-* ]] && token=$token_b
    code=$(post_json "$call" "@$f" -H "Authorization: Bearer $token")
    [[ $code == 200 ]] || fail "insertMany answered $code: $(head -c 300 "$work/body")"
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["insertedIds"]))' \
      "$work/body") || fail "insertMany answer has no insertedIds: $(head -c 300 "$work/body")"
    [[ $n == $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["arguments"][0]["documents"]))' "$f") ]] ||
      fail "insertMany inserted $n of the notes in $(basename "$f")"
  done

  # The note as its owner; null as the other user (the rules' filter hides it).
  local find_one="{\"name\":\"findOne\",\"arguments\":[{\"database\":\"appdb\",\"collection\":\"notes\",\"query\":{\"_id\":{\"\$oid\":\"$note_id\"}}}],\"service\":\"mongodb-atlas\"}"
  check_find_one "$call" "$find_one" "$token_a" "$note_id" "$user_a"
  code=$(post_json "$call" "$find_one" -H "Authorization: Bearer $token_b")
  [[ $code == 200 ]] || fail "findOne by another user answered $code: $(head -c 300 "$work/body")"
  [[ $(tr -d ' \n' <"$work/body") == null ]] ||
    fail "findOne by another user did not answer null: $(head -c 300 "$work/body")"

  export BENCH_ACCESS_TOKEN=$token_a BENCH_NOTE_ID=$note_id
  echo "== rules_find_one: wrk -t$wrk_threads -c$connections -d$duration --latency POST .../functions/call (findOne by _id, owner-only rules)"
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$root/bench/http/find_one.lua" \
    "$call" | tee "$work/rules_find_one.wrk"
  record_wrk rules_find_one "$work/rules_results"
  # Still the right answer after the load.
  check_find_one "$call" "$find_one" "$token_a" "$note_id" "$user_a"
}

# -- functions part (BENCH_FUNCTIONS, BENCH_FUNCTIONS_BUSY) -------------------

# server_cpu_us: user + system CPU the plinth server has used so far, in µs
# (/proc/PID/stat fields 14 and 15, after the command name).
server_cpu_us() {
  local ticks hz
  hz=$(getconf CLK_TCK)
  ticks=$(sed 's/^.*) //' "/proc/$server_pid/stat" | awk '{print $12 + $13}') ||
    fail "cannot read /proc/$server_pid/stat"
  echo $((ticks * 1000000 / hz))
}

# run_wrk_cpu NAME SCRIPT URL: a wrk run like run_wrk's, recorded in
# $work/functions_results with the server's CPU per request during it.
run_wrk_cpu() {
  local name=$1 script=$2 url=$3 before after requests
  echo "== $name: wrk -t$wrk_threads -c$connections -d$duration --latency $url"
  before=$(server_cpu_us)
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$script" "$url" |
    tee "$work/$name.wrk"
  after=$(server_cpu_us)
  record_wrk "$name" "$work/functions_results"
  requests=$(sed -n 's/^RESULT requests=\([0-9]*\) .*/\1/p' "$work/$name.wrk")
  ((requests > 0)) || fail "$name: wrk made no requests"
  echo "cpu $name cpu_us=$((after - before)) requests=$requests" >>"$work/functions_results"
}

# The functions part, on the plinth server at $1 (host:port), which also
# serves bench/http/functions-app/ (`add`, and `spin` computing for the ms it
# is given; functions.threads JS threads). An anonymous user calls them.
# Results go to $work/functions_results.
run_functions_bench() {
  local base="http://$1" code token refresh secs start_ns end_ns
  local app_base="$base/api/client/v2.0/app/$functions_app_id"
  local call="$app_base/functions/call"
  grep '^plinth_location ' "$work/results" >"$work/functions_results"

  code=$(post_json "$app_base/auth/providers/anon-user/login" '{}')
  [[ $code == 200 ]] || fail "anon-user login answered $code: $(head -c 300 "$work/body")"
  token=$(json_field access_token) || fail "anon-user login answer has no access_token"
  refresh=$(json_field refresh_token) || fail "anon-user login answer has no refresh_token"
  [[ -n $token && -n $refresh ]] || fail "anon-user login gave no tokens"

  code=$(post_json "$call" '{"name":"add","arguments":[2,3]}' -H "Authorization: Bearer $token")
  [[ $code == 200 ]] || fail "functions/call add answered $code: $(head -c 300 "$work/body")"
  # shellcheck disable=SC2016 # "$numberInt" is EJSON's, not the shell's
  [[ $(tr -d ' \n' <"$work/body") == '{"$numberInt":"5"}' ]] ||
    fail "functions/call add(2, 3) did not answer 5: $(head -c 300 "$work/body")"

  if [[ $run_functions != 0 ]]; then
    echo "== functions: functions/call of add, and location again, each with the server's CPU"
    BENCH_FUNCTION_TOKEN=$token BENCH_FUNCTION_NAME=add BENCH_FUNCTION_ARGS='[2,3]' \
      run_wrk_cpu functions_add "$root/bench/functions/call.lua" "$call"
    run_wrk_cpu location_cpu "$root/bench/http/report.lua" "$base/api/client/v2.0/app/$app_id/location"
  fi

  if [[ $run_functions_busy != 0 ]]; then
    start_ns=$(date +%s%N)
    code=$(post_json "$call" "{\"name\":\"spin\",\"arguments\":[$spin_ms]}" \
      -H "Authorization: Bearer $token")
    end_ns=$(date +%s%N)
    [[ $code == 200 ]] || fail "functions/call spin answered $code: $(head -c 300 "$work/body")"
    echo "spin_call ms=$(((end_ns - start_ns) / 1000000))" >>"$work/functions_results"
    code=$(post_json "$base/api/client/v2.0/auth/session" "" -H "Authorization: Bearer $refresh")
    [[ $code == 201 ]] || fail "auth/session answered $code: $(head -c 300 "$work/body")"

    secs=$(duration_seconds "$duration")
    [[ $secs =~ ^[0-9]+$ ]] || fail "cannot read BENCH_DURATION=$duration as seconds"
    echo "== busy_refresh_idle: wrk -t1 -c$storm_connections -d${secs}s refreshes, JS threads idle"
    BENCH_REFRESH_TOKEN=$refresh wrk -t1 -c"$storm_connections" -d"${secs}s" --latency \
      -s "$root/bench/auth/refresh.lua" "$base/api/client/v2.0/auth/session" |
      tee "$work/busy_refresh_idle.wrk"
    record_wrk busy_refresh_idle "$work/functions_results"

    # One connection per JS thread, each calling spin back to back: every JS
    # thread computes for the whole refresh run (spin starts 1 s before it
    # and ends 1 s after it).
    echo "== busy: wrk -t1 -c$functions_threads -d$((secs + 2))s spin(${spin_ms} ms) calls, and after 1 s" \
      "wrk -t1 -c$storm_connections -d${secs}s refreshes"
    BENCH_FUNCTION_TOKEN=$token BENCH_FUNCTION_NAME=spin BENCH_FUNCTION_ARGS="[$spin_ms]" \
      wrk -t1 -c"$functions_threads" -d"$((secs + 2))s" --timeout 30s --latency \
      -s "$root/bench/functions/call.lua" "$call" >"$work/busy_spin.wrk" &
    storm_pid=$!
    sleep 1
    BENCH_REFRESH_TOKEN=$refresh wrk -t1 -c"$storm_connections" -d"${secs}s" --latency \
      -s "$root/bench/auth/refresh.lua" "$base/api/client/v2.0/auth/session" |
      tee "$work/busy_refresh.wrk"
    wait "$storm_pid" || fail "the busy part's spin wrk failed"
    storm_pid=""
    echo "-- busy_spin:"
    cat "$work/busy_spin.wrk"
    record_wrk busy_spin "$work/functions_results"
    record_wrk busy_refresh "$work/functions_results"
  fi
}
# -- end functions part --------------------------------------------------------

# -- custom user data part (BENCH_CUSTOM_DATA) ---------------------------------

# cd_wrk_cpu NAME SCRIPT URL: a wrk run like run_wrk's, recorded in
# $work/custom_data_results with the server's CPU per request during it.
cd_wrk_cpu() {
  local name=$1 script=$2 url=$3 before after requests
  echo "== $name: wrk -t$wrk_threads -c$connections -d$duration --latency $url"
  before=$(server_cpu_us)
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$script" "$url" |
    tee "$work/$name.wrk"
  after=$(server_cpu_us)
  record_wrk "$name" "$work/custom_data_results"
  requests=$(sed -n 's/^RESULT requests=\([0-9]*\) .*/\1/p' "$work/$name.wrk")
  ((requests > 0)) || fail "$name: wrk made no requests"
  echo "cpu $name cpu_us=$((after - before)) requests=$requests" >>"$work/custom_data_results"
}

# cd_start APP_DIR: a plinth server serving examples/quickstart (for the
# location run) and APP_DIR on the data dir $work/cd-data; sets cd_port.
cd_start() {
  cd_port=$(free_port)
  start_server plinth_cd "http://127.0.0.1:$cd_port/healthz" \
    "$plinth_bin" serve --app "$app_dir" --app "$1" --data "$work/cd-data" \
    --listen "127.0.0.1:$cd_port" --io-threads "$io_threads" --log-level "$log_level"
}

# cd_check_refresh TOKEN USER_ID ENABLED: one refresh must answer 201 with an
# access token whose user_data is USER_ID's ~1 KB document (ENABLED 1), or
# that has no user_data (ENABLED 0).
cd_check_refresh() {
  local code
  code=$(post_json "http://127.0.0.1:$cd_port/api/client/v2.0/auth/session" "" \
    -H "Authorization: Bearer $1")
  [[ $code == 201 ]] || fail "auth/session answered $code: $(head -c 300 "$work/body")"
  python3 - "$work/body" "$2" "$3" <<'PY' || fail "the refreshed access token does not carry the user's custom data as expected"
import base64, json, sys
token = json.load(open(sys.argv[1]))["access_token"]
part = token.split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
data = claims.get("user_data")
if sys.argv[3] == "0":
    sys.exit(0 if data is None else 1)
ok = isinstance(data, dict) and data.get("user_account_id") == sys.argv[2] and len(data.get("pad", "")) >= 1000
sys.exit(0 if ok else 1)
PY
}

# The custom user data part, after the HTTP part's server has stopped: a
# second server on its own data dir, seeded directly into the store (the
# server stopped) with $custom_data_users documents plus the benchmarked
# anonymous user's own, in the middle. Results go to $work/custom_data_results.
run_custom_data_bench() {
  local code user_id refresh cd_bin copy
  cd_bin=$(find_binary bench_custom_data)
  [[ -n $cd_bin ]] || fail "no bench_custom_data in $build (configure with -DPLINTH_BENCH=ON)"
  local cd_app_id
  cd_app_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app_id"])' \
    "$custom_data_app_dir/root_config.json") || fail "cannot read app_id from bench/http/customdata-app"
  local cd_base="/api/client/v2.0/app/$cd_app_id"
  grep '^plinth_location ' "$work/results" >"$work/custom_data_results"
  mkdir "$work/cd-data"

  cd_start "$custom_data_app_dir"
  code=$(post_json "http://127.0.0.1:$cd_port$cd_base/auth/providers/anon-user/login" '{}')
  [[ $code == 200 ]] || fail "anon-user login answered $code: $(head -c 300 "$work/body")"
  user_id=$(json_field user_id) || fail "anon-user login answer has no user_id"
  refresh=$(json_field refresh_token) || fail "anon-user login answer has no refresh_token"
  stop_server plinth_cd

  echo "== custom data: seeding $custom_data_users documents of ~1 KB and user $user_id's own" \
    "(bench_custom_data seed, InsertMany batches of 10000, then the user id index)"
  "$cd_bin" seed "$work/cd-data/plinth.sqlite" "$cd_app_id" benchdb users user_account_id \
    "$custom_data_users" "$user_id" | tee "$work/cd_seed.out" || fail "bench_custom_data seed failed"
  grep '^SEED ' "$work/cd_seed.out" >>"$work/custom_data_results" || fail "no SEED line"

  # (a) the server's caches as configured (custom data cached until a write).
  cd_start "$custom_data_app_dir"
  cd_check_refresh "$refresh" "$user_id" 1
  cd_wrk_cpu cd_location "$root/bench/http/report.lua" \
    "http://127.0.0.1:$cd_port/api/client/v2.0/app/$app_id/location"
  BENCH_REFRESH_TOKEN=$refresh cd_wrk_cpu cd_refresh "$root/bench/auth/refresh.lua" \
    "http://127.0.0.1:$cd_port/api/client/v2.0/auth/session"
  stop_server plinth_cd

  # (b) tokens.state_cache_ms 0: every refresh reads the custom data
  # document (a point read through the index of all the documents), and
  # also the session and user records; (c) the same with custom data
  # disabled, so (b) - (c) is the custom data lookup.
  copy="$work/customdata-app-nocache"
  cp -r "$custom_data_app_dir" "$copy"
  echo '{"tokens": {"state_cache_ms": 0}}' >"$copy/plinth.json"
  cd_start "$copy"
  cd_check_refresh "$refresh" "$user_id" 1
  BENCH_REFRESH_TOKEN=$refresh cd_wrk_cpu cd_refresh_nocache "$root/bench/auth/refresh.lua" \
    "http://127.0.0.1:$cd_port/api/client/v2.0/auth/session"
  stop_server plinth_cd
  sed -i 's/"enabled": true/"enabled": false/' "$copy/auth/custom_user_data.json"
  cd_start "$copy"
  cd_check_refresh "$refresh" "$user_id" 0
  BENCH_REFRESH_TOKEN=$refresh cd_wrk_cpu cd_refresh_nocache_off "$root/bench/auth/refresh.lua" \
    "http://127.0.0.1:$cd_port/api/client/v2.0/auth/session"
  stop_server plinth_cd
}
# -- end custom user data part -------------------------------------------------

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
apps=(--app "$app_dir")
if [[ $run_rules != 0 ]]; then apps+=(--app "$rules_app_dir"); fi
if [[ $run_functions != 0 || $run_functions_busy != 0 ]]; then apps+=(--app "$functions_app_dir"); fi
start_server plinth "http://127.0.0.1:$port/healthz" \
  "$plinth_bin" serve "${apps[@]}" --data "$work/data" --listen "127.0.0.1:$port" \
  --io-threads "$io_threads" --log-level "$log_level"
run_wrk plinth_location "http://127.0.0.1:$port$location"
if [[ $run_auth != 0 ]]; then run_auth_bench "127.0.0.1:$port"; fi
if [[ $run_rules != 0 ]]; then run_rules_bench "127.0.0.1:$port"; fi
if [[ $run_functions != 0 || $run_functions_busy != 0 ]]; then
  run_functions_bench "127.0.0.1:$port"
fi
stop_server plinth
# -- custom user data (BENCH_CUSTOM_DATA)
if [[ $run_custom_data != 0 ]]; then run_custom_data_bench; fi
# -- end custom user data

echo
awk -v target="$target" -v goal=plinth_location -f "$root/bench/http/summarize.awk" "$work/results"
if [[ $run_auth != 0 ]]; then
  echo
  echo "== auth ($(nproc) cores; wrk, plinth's I/O threads and its hashing pool share them)"
  awk -v cores="$(nproc)" -v refresh_target="$refresh_target" -v storm_p99_ms="$storm_p99_ms" \
    -f "$root/bench/auth/summarize.awk" "$work/auth_results"
  cat "$work/auth_store_check"
fi
if [[ $run_rules != 0 ]]; then
  echo
  echo "== MongoDB service under rules (findOne by _id as the owner; ratio to plinth_location)"
  awk -v target="$rules_target" -v goal=rules_find_one -f "$root/bench/http/summarize.awk" \
    "$work/rules_results" | sed 's/ of baseline requests\/s/ of plinth_location requests\/s/'
fi
if [[ $run_functions != 0 || $run_functions_busy != 0 ]]; then
  echo
  echo "== functions ($(nproc) cores; wrk, plinth's I/O threads and its $functions_threads JS threads share them)"
  awk -v target="$functions_target" -v busy_p99_ms="$busy_p99_ms" -v spin_ms="$spin_ms" \
    -v js_threads="$functions_threads" -f "$root/bench/functions/summarize.awk" \
    "$work/functions_results"
fi
# -- custom user data (BENCH_CUSTOM_DATA)
if [[ $run_custom_data != 0 ]]; then
  echo
  echo "== custom user data: token refresh with a ~1 KB document among $custom_data_users ($(nproc) cores; wrk shares them)"
  awk -v target="$custom_data_target" -f "$root/bench/auth/custom_data.awk" \
    "$work/custom_data_results"
fi
# -- end custom user data
fi

# Functions in process: a client call of a trivial function through
# FunctionRuntime against a bare compiled call (bench/functions/). Its summary
# is its last lines.
if [[ $run_functions_inproc != 0 ]]; then
  functions_bin=$(find_binary bench_functions)
  [[ -n $functions_bin ]] || fail "no bench_functions in $build (configure with -DPLINTH_BENCH=ON)"
  echo
  echo "== plinth functions benchmark (in process), $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  "$functions_bin" --benchmark_min_time=1 || fail "bench_functions failed"
fi

# -- custom user data (BENCH_CUSTOM_DATA_INPROC): CustomDataLookup point reads
# at 1k to 1M documents (bench/auth/custom_data_bench.cc); the ratio 1M/1k is
# its last line.
if [[ $run_custom_data_inproc != 0 ]]; then
  custom_data_bin=$(find_binary bench_custom_data)
  [[ -n $custom_data_bin ]] || fail "no bench_custom_data in $build (configure with -DPLINTH_BENCH=ON)"
  echo
  echo "== plinth custom data lookup benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  TMPDIR="$work" "$custom_data_bin" || fail "bench_custom_data failed"
fi
# -- end custom user data

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

# $lookup: a 100k x 100k join through Collection::Aggregate against reading
# both collections in full (bench/storage/lookup_bench.cc); the ratio is its
# last line.
if [[ $run_lookup != 0 ]]; then
  lookup_bin=$(find_binary bench_lookup)
  [[ -n $lookup_bin ]] || fail "no bench_lookup in $build (configure with -DPLINTH_BENCH=ON)"
  echo
  echo "== plinth \$lookup benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  TMPDIR="$work" "$lookup_bin" || fail "bench_lookup failed"
fi

# Aggregation: $group over 1M documents against a full Find and a
# hand-written group in the same process (bench/storage/aggregate_bench.cc).
if [[ $run_aggregate != 0 ]]; then
  aggregate_bin=$(find_binary bench_aggregate)
  [[ -n $aggregate_bin ]] || fail "no bench_aggregate in $build (configure with -DPLINTH_BENCH=ON)"
  echo
  echo "== plinth aggregation benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  TMPDIR="$work" "$aggregate_bin" || fail "bench_aggregate failed"
fi

# JavaScript: per-call cost of a function with its isolation, against a bare
# compiled call in the same process (bench/js/). Its summary is its last lines.
if [[ $run_js != 0 ]]; then
  js_bin=$(find_binary bench_js)
  [[ -n $js_bin ]] || fail "no bench_js in $build (configure with -DPLINTH_BENCH=ON)"
  echo
  echo "== plinth js benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  "$js_bin" --benchmark_min_time=1 || fail "bench_js failed"
fi
