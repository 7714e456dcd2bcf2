#!/usr/bin/env bash
# Publishes the executables, all Native AOT: etcd (the server), etcdctl and etcdutl, each into its
# own folder under bin/.publish, then lays them out as etcd's release does:
#   bin/etcd-v<version>-linux-amd64/{etcd,etcdctl,etcdutl,librocksdb.so,README.md}
#   bin/etcd-v<version>-linux-amd64.tar.gz (that folder)
# bin/etcd, bin/etcdctl and bin/etcdutl link into the folder, so the seeds' ./bin/etcd and the
# tests run what the archive ships. etcd and etcdutl load librocksdb.so from beside their
# resolved path (links followed); etcdctl needs it only for snapshot restore and backup.
set -euo pipefail
cd "$(dirname "$0")"
out=bin/.publish
mkdir -p bin "$out"
rm -rf "$out/etcd" # no stale files from an earlier (JIT) publish
dotnet publish src/Etcd.Server/Etcd.Server.csproj -c Release -r linux-x64 -o "$out/etcd" -nologo -v quiet
dotnet publish src/Etcd.Ctl/Etcd.Ctl.csproj -c Release -r linux-x64 -o "$out/etcdctl" -nologo -v quiet
dotnet publish src/Etcd.Util/Etcd.Util.csproj -c Release -r linux-x64 -o "$out/etcdutl" -nologo -v quiet
version=$("$out/etcd/etcd" --version | sed -n 's/^etcd Version: //p')
release="etcd-v$version-linux-amd64"
rm -rf bin/etcd-v*-linux-amd64 bin/etcd-v*-linux-amd64.tar.gz
mkdir "bin/$release"
# The RocksDB package ships musl and jemalloc builds too; the programs load only librocksdb.so.
# Readable by all (the package's file is 0744): a member running as its own user loads it.
install -m 0755 "$out/etcd/etcd" "$out/etcdctl/etcdctl" "$out/etcdutl/etcdutl" "$out/etcd/librocksdb.so" "bin/$release/"
install -m 0644 README.md "bin/$release/"
tar -C bin -czf "bin/$release.tar.gz" "$release"
for program in etcd etcdctl etcdutl; do ln -sfn "$release/$program" "bin/$program"; done
ls -l bin
