# Shared by the bench/*.sh scripts: paths to the reference tools and our build, one member at a
# time on random loopback ports in a fresh data dir, and small statistics. Source it after `cd` to
# the repository root; it sets ref, bench, ours, theirs and work, and cleans up on exit.
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
  # etcd 3.4 (zap) and ours both log this once the member serves clients.
  for _ in $(seq 300); do grep -q "serving client traffic" "$work/log" && return 0; sleep 0.1; done
  echo "server did not start:"; cat "$work/log"; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
