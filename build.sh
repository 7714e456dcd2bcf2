#!/usr/bin/env bash
# Publishes the executables into ./bin: etcd (the server), etcdctl and etcdutl, all Native AOT.
# Each program is published into its own folder under bin/.publish and linked from bin/,
# so that the seeds' ./bin/etcd and ./bin/etcdctl work.
set -euo pipefail
cd "$(dirname "$0")"
out=bin/.publish
mkdir -p bin "$out"
rm -rf "$out/etcd" # no stale files from an earlier (JIT) publish
dotnet publish src/Etcd.Server/Etcd.Server.csproj -c Release -r linux-x64 -o "$out/etcd" -nologo -v quiet
# The RocksDB package ships musl and jemalloc builds too; the server loads only librocksdb.so.
rm -f "$out/etcd/librocksdb-musl.so" "$out/etcd/librocksdb-jemalloc.so"
ln -sfn .publish/etcd/etcd bin/etcd
if [ -f src/Etcd.Ctl/Program.cs ]; then
  dotnet publish src/Etcd.Ctl/Etcd.Ctl.csproj -c Release -r linux-x64 -o "$out/etcdctl" -nologo -v quiet
  ln -sfn .publish/etcdctl/etcdctl bin/etcdctl
fi
if [ -f src/Etcd.Util/Program.cs ]; then
  dotnet publish src/Etcd.Util/Etcd.Util.csproj -c Release -r linux-x64 -o "$out/etcdutl" -nologo -v quiet
  rm -f "$out/etcdutl/librocksdb-musl.so" "$out/etcdutl/librocksdb-jemalloc.so"
  ln -sfn .publish/etcdutl/etcdutl bin/etcdutl
fi
ls -l bin
