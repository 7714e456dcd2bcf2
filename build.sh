#!/usr/bin/env bash
# Publishes the executables into ./bin: etcd (the server), etcdctl (Native AOT).
# Each program is published into its own folder under bin/.publish and linked from bin/,
# so that the seeds' ./bin/etcd and ./bin/etcdctl work.
set -euo pipefail
cd "$(dirname "$0")"
out=bin/.publish
mkdir -p bin "$out"
dotnet publish src/Etcd.Server/Etcd.Server.csproj -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$out/etcd" -nologo -v quiet
ln -sfn .publish/etcd/etcd bin/etcd
if [ -f src/Etcd.Ctl/Program.cs ]; then
  dotnet publish src/Etcd.Ctl/Etcd.Ctl.csproj -c Release -r linux-x64 -o "$out/etcdctl" -nologo -v quiet
  ln -sfn .publish/etcdctl/etcdctl bin/etcdctl
fi
ls -l bin
