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
. bench/lib.sh
rps() { "$bench" --endpoints "$ep" "$@" 2>&1 | awk '/Requests\/sec:/ {print $2}'; }

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
