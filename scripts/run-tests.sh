#!/usr/bin/env bash
# Runs every test against one build tree and prints one final line
# "N passed, N failed". Exit status is non-zero when anything failed.
#   scripts/run-tests.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: run-tests.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

passed=0
failed=0
skipped=0
broken=()

# ASan reports leaks and UBSan stops at the first finding; libmozjs and ICU
# noise is suppressed in one commented file.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [[ -f "$root/tests/sanitizer-suppressions.txt" ]]; then
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/sanitizer-suppressions.txt}
fi

# Unit tests: one GoogleTest binary per layer.
while IFS= read -r bin; do
  name=$(basename "$bin")
  json="$out/$name.json"
  if "$bin" --gtest_output="json:$json" >"$out/$name.log" 2>&1; then :; else
    rc=$?
    if [[ ! -s "$json" ]]; then broken+=("$name (exit $rc, no report)"); fi
  fi
  if [[ -s "$json" ]]; then
    # Skipped tests (a target that cannot run a case) are neither passed nor failed.
    read -r t f s < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
skipped = sum(1 for suite in d.get("testsuites", []) for t in suite.get("testsuite", [])
              if t.get("result") == "SKIPPED")
print(d["tests"], d["failures"], skipped)' "$json")
    passed=$((passed + t - f - s))
    failed=$((failed + f))
    skipped=$((skipped + s))
    if ((f > 0)); then broken+=("$name"); fi
  else
    failed=$((failed + 1))
  fi
  echo "unit   $name: $(grep -E '^\[  (PASSED|FAILED)  \]' "$out/$name.log" | head -n 1)"
done < <(find "$build" -maxdepth 5 -path "$build/CMakeFiles" -prune -o -type f -name '*_test' -perm -u+x -print | sort)

# End-to-end tests: node --test against a real plinth serve.
if [[ -d "$root/tests/e2e" && -x "$build/plinth" ]]; then
  log="$out/e2e.log"
  (cd "$root/tests/e2e" && PLINTH_BIN="$build/plinth" node --test --test-reporter=tap \
      --test-concurrency=2 ./*.test.mjs) >"$log" 2>&1
  p=$(grep -E '^# pass ' "$log" | awk '{print $3}')
  f=$(grep -E '^# fail ' "$log" | awk '{print $3}')
  # A test cancelled because its hook failed did not pass: count it as failed.
  c=$(grep -E '^# cancelled ' "$log" | awk '{print $3}')
  p=${p:-0}
  f=$(( ${f:-0} + ${c:-0} ))
  if [[ -z $(grep -E '^# pass ' "$log") ]]; then f=$((f + 1)); fi
  passed=$((passed + p))
  failed=$((failed + f))
  if ((f > 0)); then broken+=("e2e"); fi
  echo "e2e    node --test: $p passed, $f failed"
fi

for b in "${broken[@]}"; do
  case "$b" in
    e2e) grep -E -B2 -A30 '^not ok' "$out/e2e.log" | head -200 ;;
    *) n=${b%% *}; grep -E -A15 '\[  FAILED  \]|ERROR: |runtime error' "$out/$n.log" | head -120 ;;
  esac
done

if ((skipped > 0)); then echo "($skipped skipped: cases a target cannot run, e.g. indexes on the reference target)"; fi
echo "$passed passed, $failed failed"
((failed == 0))
