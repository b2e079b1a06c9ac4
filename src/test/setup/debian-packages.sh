#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing, so that `mvn -B verify` passes on a fresh
# machine (Maven runs this before the tests; .ci/run too). Chromium for the browser tests (browser downloads do not
# work on these machines), PostgreSQL for the store tests (PostgresServer runs its own server from
# /usr/lib/postgresql/*/bin, which is not on PATH), iptables for tests that cut network links.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
    echo "The tests need these Debian packages: ${missing[*]}. Install them as root:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  SUDO="sudo -n"
fi
echo "Installing the Debian packages the tests need: ${missing[*]}"
# the tests start their own PostgreSQL server: no system cluster on 5432 to create and keep running
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/parley-tests.conf >/dev/null
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
