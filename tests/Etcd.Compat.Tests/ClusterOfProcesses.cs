using Etcd.Api.Etcdserverpb;
using Etcd.Client;

namespace Etcd.Compat.Tests;

/// <summary>
/// A cluster of member processes (ours or the reference) on loopback, bootstrapped together from
/// one --initial-cluster, under one temporary directory that disposing deletes.
/// </summary>
public sealed class ClusterOfProcesses : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ClusterMember> _members = [];
    private readonly List<ClusterPeerProxy> _proxies = [];
    private readonly string _root;
    private readonly string[] _extraArgs;
    private readonly string _clientScheme;
    private readonly string _peerScheme;

    private ClusterOfProcesses(string binary, string token, string[] extraArgs, string clientScheme = "http", string peerScheme = "http")
    {
        _clientScheme = clientScheme;
        _peerScheme = peerScheme;
        Binary = binary;
        Token = token;
        _extraArgs = extraArgs;
        _root = Directory.CreateTempSubdirectory("etcd-cluster-").FullName;
        Partitions = new ClusterPartitions(() => _members);
    }

    public string Binary { get; }
    public string Token { get; }
    public IReadOnlyList<ClusterMember> Members => _members;

    /// <summary>Which members may not reach which (only with proxied peers).</summary>
    public ClusterPartitions Partitions { get; }

    /// <summary>Cuts <paramref name="isolated"/> off from every other member, both ways.</summary>
    public void Isolate(ClusterMember isolated)
    {
        Partitions.Isolate(isolated);
        foreach (var proxy in _proxies) proxy.DropForbidden();
    }

    public void Heal() => Partitions.Heal();

    /// <summary>Client URLs of the members that run, comma-separated (etcdctl's --endpoints).</summary>
    public string Endpoints => string.Join(",", _members.Where(m => m.IsRunning).Select(m => m.ClientUrl));

    public string InitialCluster => string.Join(",", _members.Select(m => $"{m.Name}={(m.AdvertisedPeerUrl.Length > 0 ? m.AdvertisedPeerUrl : m.PeerUrl)}"));

    /// <summary>
    /// Starts <paramref name="size"/> members together. With <paramref name="proxied"/> each member
    /// is reached by the others through a <see cref="ClusterPeerProxy"/>, so tests can partition it.
    /// </summary>
    public static async Task<ClusterOfProcesses> StartAsync(string binary, int size, IEnumerable<string>? extraArgs = null, string token = "test-cluster",
        bool proxied = false, string clientScheme = "http", string peerScheme = "http")
    {
        var cluster = new ClusterOfProcesses(binary, token, [.. extraArgs ?? []], clientScheme, peerScheme);
        try
        {
            for (var i = 0; i < size; i++) cluster._members.Add(cluster.NewMember($"m{i}"));
            if (proxied)
            {
                foreach (var member in cluster._members)
                {
                    var proxy = new ClusterPeerProxy(member, cluster.Partitions);
                    cluster._proxies.Add(proxy);
                    member.AdvertisedPeerUrl = proxy.Url;
                }
            }
            foreach (var member in cluster._members) member.Start(cluster.InitialCluster, "new", token, cluster._extraArgs);
            await Task.WhenAll(cluster._members.Select(m => m.WaitReadyAsync(StartTimeout)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a member that was added with MemberAdd, with --initial-cluster-state existing.</summary>
    public async Task<ClusterMember> JoinAsync(ClusterMember member, IEnumerable<string>? extraArgs = null)
    {
        if (!_members.Contains(member)) _members.Add(member);
        member.Start(InitialCluster, "existing", Token, [.. _extraArgs, .. extraArgs ?? []]);
        await member.WaitReadyAsync(StartTimeout);
        return member;
    }

    /// <summary>A member not yet in the cluster, with fresh ports and data dir (add it with etcdctl member add, then join).</summary>
    public ClusterMember NewMember(string name) => new(Binary, name, Path.Combine(_root, name)) { ClientScheme = _clientScheme, PeerScheme = _peerScheme };

    /// <summary>Forgets a member (after it was removed and stopped).</summary>
    public void Forget(ClusterMember member) => _members.Remove(member);

    /// <summary>Restarts a killed member on its data dir.</summary>
    public async Task RestartAsync(ClusterMember member)
    {
        member.Start(InitialCluster, "new", Token, _extraArgs);
        await member.WaitReadyAsync(StartTimeout);
    }

    public Etcdctl Ctl(string? endpoints = null) => new(endpoints ?? Endpoints, Binaries.OfficialEtcdctl);

    /// <summary>Polls the running members until one of them is leader and all running members agree; returns it.</summary>
    public async Task<ClusterMember> WaitForLeaderAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var statuses = await StatusesAsync();
            var leaders = statuses.Values.Select(s => s?.Leader ?? 0).Distinct().ToList();
            if (leaders.Count == 1 && leaders[0] != 0 && statuses.Values.All(s => s is not null))
            {
                var leader = statuses.FirstOrDefault(p => p.Value!.Header.MemberId == leaders[0]).Key;
                if (leader is not null) return leader;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no leader agreed on by all running members in " + timeout);
            await Task.Delay(50);
        }
    }

    /// <summary>Maintenance.Status of every running member (null for one that did not answer).</summary>
    public async Task<Dictionary<ClusterMember, StatusResponse?>> StatusesAsync()
    {
        var running = _members.Where(m => m.IsRunning).ToList();
        var answers = await Task.WhenAll(running.Select(async m =>
        {
            using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [m.ClientUrl] });
            try
            {
                return await client.Maintenance.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            }
            catch (Grpc.Core.RpcException)
            {
                return null;
            }
        }));
        return running.Zip(answers).ToDictionary(p => p.First, p => p.Second);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members) await member.DisposeAsync();
        foreach (var proxy in _proxies) await proxy.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
