#!/usr/bin/env bash
# Runs etcd's official `benchmark` against a 3-member cluster of reference etcd 3.4 and a 3-member
# cluster of ours, in the same run, and prints requests/second (median of RUNS runs) and the ratio
# ours/etcd (above 1.0: ours is faster). Writes go to the leader or are spread over all members;
# reads are spread over all members. Then, for each, the time from killing the leader (SIGKILL)
# to the first acknowledged write on a survivor (median of FAILOVERS kills).
#
#   bench/cluster.sh [RUNS] [FAILOVERS]   (defaults 3 and 3; needs ../shared/tools/reference-etcd.sh and ./build.sh)
#
# One cluster runs at a time, on random loopback ports, in fresh temporary data dirs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; failovers=${2:-3}
. bench/lib.sh
ours=$(readlink -f "${OURS:-$ours}")   # OURS=path: a private copy while others rebuild bin/
etcdctl="$ref/etcdctl"
pids=(); clients=(); peers=()
stop_cluster() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'stop_cluster; cleanup' EXIT

start_member() { # start_member BINARY INDEX STATE
  local i=$2
  "$1" --name "m$i" --data-dir "$work/m$i" --logger zap --initial-cluster-token bench \
    --listen-client-urls "http://${clients[$i]}" --advertise-client-urls "http://${clients[$i]}" \
    --listen-peer-urls "http://${peers[$i]}" --initial-advertise-peer-urls "http://${peers[$i]}" \
    --initial-cluster "$initial" --initial-cluster-state "$3" > "$work/m$i.log" 2>&1 &
  pids[$i]=$!
}
wait_ready() { # wait_ready INDEX...
  for i in "$@"; do
    for _ in $(seq 600); do grep -q "serving client traffic" "$work/m$i.log" && continue 2; sleep 0.1; done
    echo "member m$i did not start:"; cat "$work/m$i.log"; exit 1
  done
}
start_cluster() { # start_cluster BINARY: 3 fresh members; sets eps (all client endpoints)
  local base=$((20000 + RANDOM % 20000)); initial=""
  rm -rf "$work"/m*
  for i in 0 1 2; do
    clients[$i]="127.0.0.1:$((base + 2 * i))"; peers[$i]="127.0.0.1:$((base + 2 * i + 1))"
    initial+="${initial:+,}m$i=http://${peers[$i]}"
  done
  for i in 0 1 2; do start_member "$1" "$i" new; done
  wait_ready 0 1 2
  eps=$(IFS=,; echo "${clients[*]}")
}
leader_index() { # the member whose /metrics says it leads (both servers export etcd_server_is_leader)
  for _ in $(seq 200); do
    for i in 0 1 2; do
      kill -0 "${pids[$i]}" 2>/dev/null || continue
      curl -s -m 1 "http://${clients[$i]}/metrics" | grep -q '^etcd_server_is_leader 1' && { echo "$i"; return; }
    done
    sleep 0.05
  done
  echo "no leader" >&2; exit 1
}
rps() { "$bench" "$@" 2>&1 | awk '/Requests\/sec:/ {print $2}'; }
now_ms() { date +%s%3N; }
failover_ms() { # kill the leader, time the first acknowledged write on a survivor, restart it
  local l; l=$(leader_index)
  local others=(); for i in 0 1 2; do [ "$i" = "$l" ] || others+=("${clients[$i]}"); done
  local survivors; survivors=$(IFS=,; echo "${others[*]}")
  local t0; t0=$(now_ms)
  kill -9 "${pids[$l]}"; wait "${pids[$l]}" 2>/dev/null || true
  until ETCDCTL_API=3 "$etcdctl" --endpoints "$survivors" --command-timeout=300ms put failover x >/dev/null 2>&1; do :; done
  echo $(( $(now_ms) - t0 ))
  start_member "$binary" "$l" new
  wait_ready "$l"
}

declare -A result
cases=(
  "put-1-leader|leader|--conns 1 --clients 1 put --key-size 8 --val-size 256 --total 2000 --key-space-size 100000"
  "put-100-leader|leader|--conns 10 --clients 100 put --key-size 8 --val-size 256 --total 20000 --key-space-size 100000"
  "put-1000-leader|leader|--conns 100 --clients 1000 put --key-size 8 --val-size 256 --total 40000 --key-space-size 100000"
  "put-100-all|all|--conns 10 --clients 100 put --key-size 8 --val-size 256 --total 20000 --key-space-size 100000"
  "put-1000-all|all|--conns 100 --clients 1000 put --key-size 8 --val-size 256 --total 40000 --key-space-size 100000"
  "range-l-100-all|all|--conns 10 --clients 100 range foo --consistency l --total 40000"
  "range-s-100-all|all|--conns 10 --clients 100 range foo --consistency s --total 40000"
)
for server in etcd ours; do
  binary=$theirs; [ "$server" = ours ] && binary=$ours
  start_cluster "$binary"
  "$bench" --endpoints "$eps" put --key foo >/dev/null 2>&1 || true
  for c in "${cases[@]}"; do
    name=${c%%|*}; rest=${c#*|}; target=${rest%%|*}; args=${rest#*|}
    # shellcheck disable=SC2086
    result[$server,$name]=$(for _ in $(seq "$runs"); do
      endpoints=$eps; [ "$target" = leader ] && endpoints=${clients[$(leader_index)]}
      rps --endpoints "$endpoints" $args
    done | median)
  done
  # Not in a subshell: failover_ms restarts the killed member and must record its new pid.
  : > "$work/failover"
  for _ in $(seq "$failovers"); do failover_ms >> "$work/failover"; done
  result[$server,failover]=$(median < "$work/failover")
  stop_cluster
done

printf "%-16s %12s %12s %8s\n" case etcd ours ratio
for c in "${cases[@]}"; do
  name=${c%%|*}
  printf "%-16s %12.0f %12.0f %8.2f\n" "$name" "${result[etcd,$name]}" "${result[ours,$name]}" \
    "$(awk -v a="${result[ours,$name]}" -v b="${result[etcd,$name]}" 'BEGIN {print (b > 0 ? a / b : 0)}')"
done
printf "%-16s %9s ms %9s ms\n" "leader-kill" "${result[etcd,failover]}" "${result[ours,failover]}"
