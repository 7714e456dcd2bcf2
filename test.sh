#!/usr/bin/env bash
# Runs every test: unit tests, the server end to end, and compatibility with the official etcdctl.
# Installs what the tests need (Debian's etcd-client and etcd-server for the reference) when missing.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v etcdctl >/dev/null || ! command -v etcd >/dev/null; then
  echo "installing Debian's etcd-client and etcd-server (official etcdctl 3.4 and reference etcd)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || true
  apt-get -o DPkg::Lock::Timeout=600 install -y -q etcd-client etcd-server >/dev/null
  # Debian starts an etcd service on install where systemd runs; it must not hold the test ports.
  systemctl stop etcd >/dev/null 2>&1 || true
fi
# The bbolt tests check our files with real bbolt: a small Go program over Debian's bbolt source.
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/go.etcd.io/bbolt ]; then
  echo "installing Debian's Go and bbolt source (the bbolt tests' reference)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || true
  apt-get -o DPkg::Lock::Timeout=600 install -y -q golang-go golang-github-coreos-bbolt-dev >/dev/null
fi
./build.sh >/dev/null
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Etcd.slnx -c Release --logger "trx" --results-directory "$results" -nologo "$@" || status=$?
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
# The simulator must catch each of three bugs planted in a test build.
tests/planted-bugs.sh || status=1
exit $status
