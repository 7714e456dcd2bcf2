#!/usr/bin/env bash
# Runs etcd's official `benchmark` watch, watch-latency and lease-keepalive against reference
# etcd 3.4 and against ours, in the same run, on a single member each, and prints the median of
# RUNS runs with the ratio (above 1.0: ours is better). Also the server's RSS while 10,000
# watchers (100 streams x 100) are open.
#
#   bench/watch.sh [RUNS]       (default 3; needs ../shared/tools/reference-etcd.sh and ./build.sh)
#
# watch:           events received per second, 10 streams x 100 watchers on one key, 2000 puts.
# watch-latency:   average put-to-event latency in ms with 100 watchers at 100 puts/s (lower is better;
#                  the ratio is etcd/ours).
# lease-keepalive: keep-alives per second, 100 clients each keeping one lease alive.
# The servers run one at a time, on random loopback ports, in fresh temporary data dirs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
source bench/lib.sh
bpid=""
# The benchmark holding watchers open goes too, before the member it watches.
trap '[ -n "$bpid" ] && kill "$bpid" 2>/dev/null; cleanup' EXIT

# The last Requests/sec of a run (watch prints creation first, then events received).
rps() { "$bench" --endpoints "$ep" "$@" 2>&1 | awk '/Requests\/sec:/ {v=$2} END {print v}'; }
avg_ms() { "$bench" --endpoints "$ep" --precise "$@" 2>&1 | awk '/Average:/ {printf "%.3f\n", $2 * 1000}'; }

declare -A result
for server in etcd ours; do
  binary=$theirs; [ "$server" = ours ] && binary=$ours
  start "$binary"
  result[$server,watch]=$(for _ in $(seq "$runs"); do
    rps --conns 10 --clients 10 watch --streams 10 --watch-per-stream 100 --put-total 2000 --put-rate 100000; done | median)
  result[$server,latency]=$(for _ in $(seq "$runs"); do
    avg_ms --conns 10 --clients 100 watch-latency --total 500 --put-rate 100; done | median)
  result[$server,keepalive]=$(for _ in $(seq "$runs"); do
    rps --conns 10 --clients 100 lease-keepalive --total 20000; done | median)

  stop
  # On a fresh member: 10,000 watchers held open while a few puts trickle in; RSS is sampled
  # two seconds after the last one is created.
  start "$binary"
  "$bench" --endpoints "$ep" --conns 100 --clients 100 watch --streams 100 --watch-per-stream 100 \
    --watched-key-total 10000 --put-total 200 --put-rate 20 > "$work/hold" 2>&1 &
  bpid=$!
  for _ in $(seq 600); do grep -q "Watch creation summary" "$work/hold" && break; sleep 0.1; done
  sleep 2
  result[$server,rss]=$(rss_mb)
  kill "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null || true; bpid=""
  stop
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (b > 0 ? a / b : 0)}'; }
printf "%-22s %12s %12s %8s\n" case etcd ours ratio
printf "%-22s %12.0f %12.0f %8.2f\n" "watch (events/s)" "${result[etcd,watch]}" "${result[ours,watch]}" "$(ratio "${result[ours,watch]}" "${result[etcd,watch]}")"
printf "%-22s %12.3f %12.3f %8.2f\n" "watch-latency (ms)" "${result[etcd,latency]}" "${result[ours,latency]}" "$(ratio "${result[etcd,latency]}" "${result[ours,latency]}")"
printf "%-22s %12.0f %12.0f %8.2f\n" "lease-keepalive (/s)" "${result[etcd,keepalive]}" "${result[ours,keepalive]}" "$(ratio "${result[ours,keepalive]}" "${result[etcd,keepalive]}")"
printf "%-22s %9s MB %9s MB %8.2f\n" "rss-10k-watchers" "${result[etcd,rss]}" "${result[ours,rss]}" "$(ratio "${result[etcd,rss]}" "${result[ours,rss]}")"
