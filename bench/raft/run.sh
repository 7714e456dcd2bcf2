#!/usr/bin/env bash
# Runs our Raft benchmarks and etcd's (BenchmarkOneNode, BenchmarkProposal3Nodes) on this machine,
# one after the other, so the numbers in RESULTS.md can be reproduced and compared.
# etcd's need Debian's golang-etcd-server-dev (Go sources under /usr/share/gocode).
set -euo pipefail
cd "$(dirname "$0")/../.."
proposals="${1:-200000}"

echo "== ours (dotnet, Release) =="
dotnet build -c Release bench/raft -v quiet -nologo > /dev/null
dotnet bench/raft/bin/Release/net10.0/Etcd.Raft.Benchmarks.dll "$proposals"

if [ -d /usr/share/gocode/src/go.etcd.io/etcd/raft ]; then
  echo "== etcd 3.4 (go test -bench) =="
  export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-/tmp/etcd-raft-bench-gocache}"
  # etcd's raft logs to the same output, so only the result lines are kept, labelled here.
  echo "BenchmarkOneNode        $(go test -run x -bench 'BenchmarkOneNode' -benchmem go.etcd.io/etcd/raft 2>/dev/null | grep -E 'ns/op' | tail -1)"
  echo "BenchmarkProposal3Nodes $(go test -run x -bench . -benchmem go.etcd.io/etcd/raft/rafttest 2>/dev/null | grep -E 'ns/op' | tail -1)"
else
  echo "etcd's Go sources are not installed (apt-get install golang-etcd-server-dev); skipping them"
fi
