using System.Security.Cryptography;
using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Snapshots;
using Etcd.Server.State;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>etcd's Maintenance service. RPCs not listed here answer Unimplemented (the generated base).</summary>
public sealed class MaintenanceService(EtcdServer server) : Maintenance.MaintenanceBase
{
    public override Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var response = new StatusResponse
        {
            Header = server.Header(server.Kv.CurrentRevision),
            Version = EtcdServer.Version,
            DbSize = server.Backend.SizeBytes,
            DbSizeInUse = server.Backend.SizeInUseBytes,
            Leader = server.Raft.Leader,
            RaftIndex = server.Raft.CommitIndex,
            RaftTerm = server.Raft.Term,
            RaftAppliedIndex = server.Raft.AppliedIndex,
            IsLearner = server.Members.Find(server.MemberId)?.IsLearner ?? false,
        };
        foreach (var alarm in server.Alarms.All) response.Errors.Add(AlarmList.Describe(alarm));
        return Task.FromResult(response);
    }

    /// <summary>GET lists the alarms this member has applied; ACTIVATE and DEACTIVATE go through Raft.</summary>
    public override async Task<AlarmResponse> Alarm(AlarmRequest request, ServerCallContext context)
    {
        if (request.Action == AlarmRequest.Types.AlarmAction.Get)
        {
            var listed = new AlarmResponse { Header = server.Header(server.Kv.CurrentRevision) };
            foreach (var alarm in server.Alarms.All)
            {
                if (request.Alarm == AlarmType.None || alarm.Alarm == request.Alarm) listed.Alarms.Add(alarm);
            }
            return listed;
        }
        var response = (AlarmResponse)await server.ProposeAsync(new InternalRaftRequest { Alarm = request }, context).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }

    public override async Task<HashKVResponse> HashKV(HashKVRequest request, ServerCallContext context)
    {
        // etcd lets only root users hash, snapshot or defragment once auth is enabled.
        await server.Callers.RequireAdminUnconvertedAsync(context).ConfigureAwait(false);
        KvHash hash;
        try
        {
            hash = server.Kv.HashKV(request.Revision);
        }
        catch (MvccException e)
        {
            throw MvccErrors.ToEtcd(e);
        }
        return new HashKVResponse { Header = server.Header(hash.CurrentRevision), Hash = hash.Hash, CompactRevision = hash.CompactRevision };
    }

    // etcd's chunk size for snapshot streams.
    private const int SnapshotChunkBytes = 32 * 1024;

    /// <summary>
    /// Streams etcd's db file (a bbolt database with etcd's buckets, <see cref="EtcdDbWriter"/>)
    /// of one backend view in chunks with the bytes remaining, then one last message with the
    /// SHA-256 of everything sent, which etcdctl checks and keeps at the end of the saved file.
    /// The view is a backend snapshot, so writes go on meanwhile; the file is built in a temporary
    /// file first (bbolt's meta pages, at its start, name the root written last), so memory does
    /// not grow with the database.
    /// </summary>
    public override async Task Snapshot(SnapshotRequest request, IServerStreamWriter<SnapshotResponse> responseStream, ServerCallContext context)
    {
        await server.Callers.RequireAdminUnconvertedAsync(context).ConfigureAwait(false);
        var path = Path.Combine(Path.GetTempPath(), $"etcd-snapshot-{Guid.NewGuid():N}.db");
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            var total = await Task.Run(() =>
            {
                using var view = server.Backend.Snapshot();
                return EtcdDbWriter.Write(view, file);
            }, context.CancellationToken).ConfigureAwait(false);
            file.Position = 0;
            server.Logger.Info("sending database snapshot to client", LogField.Of("total-bytes", total), LogField.Of("size", ByteSize.Humanize(total)));
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[SnapshotChunkBytes];
            long sent = 0;
            while (sent < total)
            {
                var read = await file.ReadAtLeastAsync(buffer, (int)Math.Min(buffer.Length, total - sent), throwOnEndOfStream: true, context.CancellationToken).ConfigureAwait(false);
                sent += read;
                sha.AppendData(buffer, 0, read);
                await responseStream.WriteAsync(new SnapshotResponse
                {
                    RemainingBytes = (ulong)(total - sent),
                    Blob = ByteString.CopyFrom(buffer, 0, read),
                }).ConfigureAwait(false);
            }
            server.Logger.Info("sending database sha256 checksum to client", LogField.Of("total-bytes", total), LogField.Of("checksum-size", 32));
            await responseStream.WriteAsync(new SnapshotResponse { Blob = ByteString.CopyFrom(sha.GetHashAndReset()) }).ConfigureAwait(false);
            server.Logger.Info("successfully sent database snapshot to client", LogField.Of("total-bytes", total), LogField.Of("size", ByteSize.Humanize(total)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public override async Task<MoveLeaderResponse> MoveLeader(MoveLeaderRequest request, ServerCallContext context)
    {
        await Membership.LeaderTransfer.MoveAsync(server, request.TargetID, context.CancellationToken).ConfigureAwait(false);
        return new MoveLeaderResponse();
    }

    public override async Task<DefragmentResponse> Defragment(DefragmentRequest request, ServerCallContext context)
    {
        await server.Callers.RequireAdminUnconvertedAsync(context).ConfigureAwait(false);
        server.Backend.Defragment();
        return new DefragmentResponse { Header = server.Header(server.Kv.CurrentRevision) };
    }
}
