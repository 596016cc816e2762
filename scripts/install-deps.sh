#!/usr/bin/env bash
# Installs the Debian packages and npm modules Plinth builds and tests with.
# Idempotent: packages already present are not touched, so a warm machine
# spends well under a second here. Called by `make build`, `make run`,
# `make test` and `make bench`; safe to run by hand.
set -euo pipefail

# The decided stack (docs/architecture.md lists why each one is here).
packages=(
  cmake ninja-build g++ pkg-config lld clang-format
  libboost1.81-dev libbson-dev libsqlite3-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libmozjs-102-dev libpcre2-dev libintelrdfpmath-dev libsodium-dev libcurl4-openssl-dev
  wrk curl
  # Tests only: the local SMTP sink src/mail/mail_test.cc sends mail to.
  python3-aiosmtpd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js may come from Debian or from another repository that bundles npm;
# only ask Debian for it when the commands are absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm modules for the end-to-end tests, pinned by tests/e2e/package-lock.json.
root=$(cd "$(dirname "$0")/.." && pwd)
e2e="$root/tests/e2e"
if [[ -f "$e2e/package-lock.json" ]]; then
  if [[ ! -d "$e2e/node_modules" || "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]]; then
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
