using System.Globalization;
using System.Text;
using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Compat.Tests;

/// <summary>
/// What the snapshot round trips carry: 10,000 keys over several revisions (overwrites, deletes),
/// a compaction in the middle, leases with keys, users and roles; and a text account of a
/// member's state to compare across servers (every key with its revisions, the compaction, the
/// history hash, leases, users, roles).
/// </summary>
public static class SnapshotDataset
{
    public const int Keys = 10_000;

    /// <summary>Loads the data set; returns the compacted revision.</summary>
    public static async Task<long> LoadAsync(string endpoint)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [endpoint] });
        await PutAllAsync(client, Enumerable.Range(0, Keys).Select(i => ($"snap/key/{i:d5}", $"first-{i}")));
        await PutAllAsync(client, Enumerable.Range(0, Keys).Where(i => i % 10 == 0).Select(i => ($"snap/key/{i:d5}", $"second-{i}")));
        for (var i = 0; i < Keys; i += 50) await client.KV.DeleteRangeAsync(new DeleteRangeRequest { Key = Utf8($"snap/key/{i:d5}") });
        var compactAt = (await client.KV.RangeAsync(new RangeRequest { Key = Utf8("snap/key/00001") })).Header.Revision;
        await client.KV.CompactAsync(new CompactionRequest { Revision = compactAt, Physical = true });
        await PutAllAsync(client, Enumerable.Range(0, Keys).Where(i => i % 7 == 0).Select(i => ($"snap/key/{i:d5}", $"third-{i}")));
        for (var lease = 0; lease < 3; lease++)
        {
            var granted = await client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 600 + lease });
            for (var k = 0; k < 5; k++)
            {
                await client.KV.PutAsync(new PutRequest { Key = Utf8($"snap/lease/{lease}/{k}"), Value = Utf8("leased"), Lease = granted.ID });
            }
        }
        await client.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = "root" });
        await client.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = "reader" });
        await client.Auth.RoleGrantPermissionAsync(new AuthRoleGrantPermissionRequest
        {
            Name = "reader",
            Perm = new Permission { PermType = Permission.Types.Type.Read, Key = Utf8("snap/"), RangeEnd = Utf8("snap0") },
        });
        await client.Auth.UserAddAsync(new AuthUserAddRequest { Name = "root", Password = "rootpw" });
        await client.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = "root" });
        await client.Auth.UserAddAsync(new AuthUserAddRequest { Name = "alice", Password = "alicepw" });
        await client.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "alice", Role = "reader" });
        return compactAt;
    }

    private static async Task PutAllAsync(EtcdClient client, IEnumerable<(string Key, string Value)> pairs)
    {
        // A few writers at once: enough to load 10,000 keys in seconds, in an order that does not matter.
        var queue = new Queue<(string, string)>(pairs);
        async Task Writer()
        {
            while (true)
            {
                (string Key, string Value) next;
                lock (queue)
                {
                    if (queue.Count == 0) return;
                    next = queue.Dequeue();
                }
                await client.KV.PutAsync(new PutRequest { Key = Utf8(next.Key), Value = Utf8(next.Value) });
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Writer()));
    }

    /// <summary>
    /// The member's state as text. Member and cluster ids are left out (a restore gives new ones);
    /// lease TTLs too (they start again): a lease is its id, granted TTL and keys.
    /// </summary>
    public static async Task<string> DescribeAsync(string endpoint, long compactedAt)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [endpoint] });
        var text = new StringBuilder();
        var all = await client.KV.RangeAsync(new RangeRequest { Key = Utf8("\0"), RangeEnd = Utf8("\0") });
        text.Append(CultureInfo.InvariantCulture, $"revision {all.Header.Revision}, {all.Count} keys\n");
        foreach (var kv in all.Kvs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{kv.Key.ToStringUtf8()}={kv.Value.ToStringUtf8()} create={kv.CreateRevision} mod={kv.ModRevision} version={kv.Version} lease={kv.Lease:x}\n");
        }
        var old = await client.KV.RangeAsync(new RangeRequest { Key = Utf8("snap/"), RangeEnd = Utf8("snap0"), Revision = compactedAt, CountOnly = true });
        text.Append(CultureInfo.InvariantCulture, $"at compacted revision {compactedAt}: {old.Count} keys\n");
        try
        {
            await client.KV.RangeAsync(new RangeRequest { Key = Utf8("snap/"), RangeEnd = Utf8("snap0"), Revision = compactedAt - 1 });
            text.Append("before the compaction: readable\n");
        }
        catch (RpcException e)
        {
            text.Append("before the compaction: ").Append(e.Status.Detail).Append('\n');
        }
        var hash = await client.Maintenance.HashKVAsync(new HashKVRequest { Revision = all.Header.Revision });
        text.Append(CultureInfo.InvariantCulture, $"hashkv {hash.Hash} compact {hash.CompactRevision}\n");
        var leases = await client.Lease.LeaseLeasesAsync(new LeaseLeasesRequest());
        foreach (var lease in leases.Leases.OrderBy(l => l.ID))
        {
            var ttl = await client.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID, Keys = true });
            text.Append(CultureInfo.InvariantCulture, $"lease {lease.ID:x} granted {ttl.GrantedTTL} keys {string.Join(",", ttl.Keys.Select(k => k.ToStringUtf8()).Order(StringComparer.Ordinal))}\n");
        }
        var users = await client.Auth.UserListAsync(new AuthUserListRequest());
        foreach (var user in users.Users)
        {
            var roles = await client.Auth.UserGetAsync(new AuthUserGetRequest { Name = user });
            text.Append(CultureInfo.InvariantCulture, $"user {user} roles {string.Join(",", roles.Roles)}\n");
        }
        var roleList = await client.Auth.RoleListAsync(new AuthRoleListRequest());
        foreach (var role in roleList.Roles)
        {
            var perms = await client.Auth.RoleGetAsync(new AuthRoleGetRequest { Role = role });
            text.Append(CultureInfo.InvariantCulture, $"role {role} perms {string.Join(",", perms.Perm.Select(p => $"{p.PermType}:{p.Key.ToStringUtf8()}-{p.RangeEnd.ToStringUtf8()}"))}\n");
        }
        return text.ToString();
    }

    private static ByteString Utf8(string text) => ByteString.CopyFromUtf8(text);
}
