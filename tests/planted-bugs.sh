#!/usr/bin/env bash
# Proof that the whole-cluster simulator can fail: builds the server with three bugs planted
# (src/Etcd.Server/Testing/PlantedBug.cs) and runs the simulator's default seeds once per bug.
# Each run must fail; the script fails if any bug goes unnoticed. Rebuilds the normal test
# binaries at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
project=tests/Etcd.Server.Tests
restore() { dotnet build "$project" -c Release -nologo -v q >/dev/null; }
trap restore EXIT
dotnet build "$project" -c Release -nologo -v q -p:PlantedBugs=true >/dev/null
status=0
for bug in watch-restore reapply-last follower-send-first; do
  out=$(ETCD_PLANTED_BUG=$bug dotnet test "$project" -c Release --no-build -nologo \
    --filter FullyQualifiedName~ClusterSimulationTests.SeededClusters --logger "console;verbosity=detailed" 2>&1 || true)
  if found=$(grep -m1 -o '[0-9]* of [0-9]* seeds failed' <<<"$out"); then
    first=$(grep -m1 -o 'seed [0-9]*: .*' <<<"$out" | cut -c1-160)
    echo "planted bug $bug: found ($found; first: $first)"
  else
    echo "planted bug $bug: NOT found by the simulator"
    status=1
  fi
done
exit $status
