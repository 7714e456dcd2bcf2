#!/usr/bin/env bash
# Runs etcd's official `benchmark` against reference etcd 3.4 and against ours, in the same run,
# on a single member each, and prints requests/second (median of RUNS runs) and the ratio
# ours/etcd (above 1.0: ours is faster). Also idle RSS and RSS after 100,000 keys.
#
#   bench/kv.sh [RUNS]          (default 3; needs ../shared/tools/reference-etcd.sh and ./build.sh)
#
# The servers run one at a time (never both at once), on random loopback ports, each in a fresh
# temporary data dir that is deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
ref=${REF_DIR:-/opt/etcd-ref}/bin
bench="$ref/benchmark"
[ -x "$bench" ] || { echo "missing $bench: run ../shared/tools/reference-etcd.sh" >&2; exit 2; }
[ -x bin/etcd ] || { echo "missing bin/etcd: run ./build.sh" >&2; exit 2; }
ours=$(readlink -f bin/etcd); theirs="$ref/etcd"
work=$(mktemp -d); pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start() { # start BINARY: a member on fresh ports and data dir; sets pid and ep
  local port=$((20000 + RANDOM % 20000))
  rm -rf "$work/data"
  "$1" --name default --data-dir "$work/data" --logger zap \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "default=http://127.0.0.1:$((port + 1))" > "$work/log" 2>&1 &
  pid=$!; ep="127.0.0.1:$port"
  for _ in $(seq 300); do grep -q "serving client traffic" "$work/log" && return 0; sleep 0.1; done
  echo "server did not start:"; cat "$work/log"; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
rps() { "$bench" --endpoints "$ep" "$@" 2>&1 | awk '/Requests\/sec:/ {print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A result
cases=(
  "put-1|--conns 1 --clients 1 put --key-size 8 --val-size 256 --total 2000 --key-space-size 100000"
  "put-100|--conns 10 --clients 100 put --key-size 8 --val-size 256 --total 20000 --key-space-size 100000"
  "put-1000|--conns 100 --clients 1000 put --key-size 8 --val-size 256 --total 40000 --key-space-size 100000"
  "range-l-100|--conns 10 --clients 100 range foo --consistency l --total 40000"
  "range-s-100|--conns 10 --clients 100 range foo --consistency s --total 40000"
  "txn-put-100|--conns 10 --clients 100 txn-put --key-size 8 --val-size 256 --total 20000 --key-space-size 100000"
)
for server in etcd ours; do
  binary=$theirs; [ "$server" = ours ] && binary=$ours
  start "$binary"
  result[$server,idle]=$(rss_mb)
  "$bench" --endpoints "$ep" put --key foo >/dev/null 2>&1 || true
  for c in "${cases[@]}"; do
    name=${c%%|*}; args=${c#*|}
    # shellcheck disable=SC2086
    result[$server,$name]=$(for _ in $(seq "$runs"); do rps $args; done | median)
  done
  "$bench" --endpoints "$ep" --conns 10 --clients 100 put --key-size 8 --val-size 256 --total 100000 --sequential-keys --key-space-size 100000 >/dev/null 2>&1
  result[$server,keys]=$(rss_mb)
  stop
done

printf "%-14s %12s %12s %8s\n" case etcd ours ratio
for c in "${cases[@]}"; do
  name=${c%%|*}
  printf "%-14s %12.0f %12.0f %8.2f\n" "$name" "${result[etcd,$name]}" "${result[ours,$name]}" \
    "$(awk -v a="${result[ours,$name]}" -v b="${result[etcd,$name]}" 'BEGIN {print (b > 0 ? a / b : 0)}')"
done
printf "%-14s %10s MB %10s MB\n" "rss-idle" "${result[etcd,idle]}" "${result[ours,idle]}"
printf "%-14s %10s MB %10s MB\n" "rss-100k-keys" "${result[etcd,keys]}" "${result[ours,keys]}"
