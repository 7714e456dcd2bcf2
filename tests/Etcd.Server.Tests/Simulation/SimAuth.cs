using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// The auth side of the clients: an administrator sets up root and two users, each allowed half
/// of the key space (u1: k00..k05, u2: k06..k11), enables auth and, in some runs, disables and
/// enables it again; client writes carry one of these users, as a request does once its token was
/// checked on the member it reached. In runs that never disable auth, no write of u1 or u2 outside
/// its half may be acknowledged once auth is on: the apply path enforces permissions, not only
/// the API edge.
/// </summary>
internal sealed class SimAuth(ClusterSim sim, bool toggles)
{
    private static readonly string[] Users = ["root", "u1", "u2"];
    private readonly Queue<InternalRaftRequest> _setup = new(Setup());
    private long _enabledBelowRevision = long.MaxValue;
    private bool _enabled;
    private bool _started;
    private bool _inFlight;

    /// <summary>Whether this run disables auth again now and then (then permissions are not checked on acknowledged writes).</summary>
    public bool Toggles => toggles;

    /// <summary>The next administrative request: the setup in order, then toggles of auth (or nothing).</summary>
    /// One at a time: the next is proposed once the one before was answered (a step of the setup
    /// is retried until it is acknowledged, so each finds the ones before it applied).
    public InternalRaftRequest? NextAdmin()
    {
        if (_inFlight) return null;
        InternalRaftRequest? next;
        if (_setup.Count > 0) next = _setup.Peek().Clone();
        else if (!toggles) next = null;
        else next = _enabled ? new InternalRaftRequest { AuthDisable = new AuthDisableRequest() } : new InternalRaftRequest { AuthEnable = new AuthEnableRequest() };
        if (next is null) return null;
        _inFlight = true;
        next.Header = new RequestHeader { Username = "root" };
        return next;
    }

    /// <summary>The user a client write goes as, or "" (anonymous) before any user exists.</summary>
    public string NextUser() => !_started || sim.Random.Next(4) == 0 ? "" : Users[sim.Random.Next(Users.Length)];

    /// <summary>Whether this request is one of the administrator's.</summary>
    public static bool IsAdmin(InternalRaftRequest request) => request.AuthUserAdd is not null || request.AuthUserGrantRole is not null
        || request.AuthRoleAdd is not null || request.AuthRoleGrantPermission is not null || request.AuthEnable is not null || request.AuthDisable is not null;

    /// <summary>An administrative request was answered without success: it may be proposed again.</summary>
    public void Failed() => _inFlight = false;

    /// <summary>An administrative request was acknowledged: the setup moves on, and an enable is noted.</summary>
    public void Acknowledged(InternalRaftRequest request, SimMember member)
    {
        _inFlight = false;
        _started = true;
        if (_setup.Count > 0 && request.Equals(WithoutHeader(_setup.Peek(), request))) _setup.Dequeue();
        if (request.AuthEnable is not null)
        {
            _enabled = true;
            // Applied at or before the member's current revision: any write with a higher
            // revision was applied after it.
            if (!toggles) _enabledBelowRevision = Math.Min(_enabledBelowRevision, member.Kv.CurrentRevision);
        }
        else if (request.AuthDisable is not null)
        {
            _enabled = false;
        }
    }

    /// <summary>An acknowledged client write: if auth was surely on, its user must have been allowed every key it wrote.</summary>
    public void CheckAllowed(AckedWrite write)
    {
        var revision = write.Response switch
        {
            PutResponse put => put.Header.Revision,
            DeleteRangeResponse delete => delete.Header.Revision,
            TxnResponse txn => txn.Header.Revision,
            _ => 0,
        };
        if (revision <= _enabledBelowRevision || !WrittenKeys(write.Request).Any()) return;
        var user = write.Request.Header.Username;
        if (user == "root") return;
        if (user == "") throw new ClusterSimFailure($"an anonymous write was acknowledged with auth enabled: {write}");
        var (from, to) = user == "u1" ? (0, 6) : (6, 12);
        foreach (var (key, end) in WrittenKeys(write.Request))
        {
            var allowed = string.CompareOrdinal(key, ClientLoad.Key(from).ToStringUtf8()) >= 0
                && string.CompareOrdinal(end.Length == 0 ? key + "\0" : end, ClientLoad.Key(to).ToStringUtf8()) <= 0;
            if (!allowed) throw new ClusterSimFailure($"{user} may not write [{key}, {end}), yet this write was acknowledged at revision {revision}: {write}");
        }
    }

    private static IEnumerable<(string Key, string End)> WrittenKeys(InternalRaftRequest request)
    {
        if (request.Put is { } put) yield return (put.Key.ToStringUtf8(), "");
        if (request.DeleteRange is { } delete) yield return (delete.Key.ToStringUtf8(), delete.RangeEnd.ToStringUtf8());
        if (request.Txn is { } txn)
        {
            foreach (var op in txn.Success.Concat(txn.Failure))
            {
                if (op.RequestPut is { } p) yield return (p.Key.ToStringUtf8(), "");
                if (op.RequestDeleteRange is { } d) yield return (d.Key.ToStringUtf8(), d.RangeEnd.ToStringUtf8());
            }
        }
    }

    private static InternalRaftRequest WithoutHeader(InternalRaftRequest setup, InternalRaftRequest proposed)
    {
        var copy = setup.Clone();
        copy.Header = proposed.Header;
        return copy;
    }

    private static List<InternalRaftRequest> Setup()
    {
        var setup = new List<InternalRaftRequest>
        {
            new() { AuthUserAdd = new AuthUserAddRequest { Name = "root", Options = new UserAddOptions { NoPassword = true } } },
            new() { AuthUserGrantRole = new AuthUserGrantRoleRequest { User = "root", Role = "root" } },
        };
        for (var n = 1; n <= 2; n++)
        {
            var (from, to) = n == 1 ? (0, 6) : (6, 12);
            setup.Add(new() { AuthRoleAdd = new AuthRoleAddRequest { Name = $"r{n}" } });
            setup.Add(new()
            {
                AuthRoleGrantPermission = new AuthRoleGrantPermissionRequest
                {
                    Name = $"r{n}",
                    Perm = new Permission { PermType = Permission.Types.Type.Readwrite, Key = ClientLoad.Key(from), RangeEnd = ClientLoad.Key(to) },
                },
            });
            setup.Add(new() { AuthUserAdd = new AuthUserAddRequest { Name = $"u{n}", Options = new UserAddOptions { NoPassword = true } } });
            setup.Add(new() { AuthUserGrantRole = new AuthUserGrantRoleRequest { User = $"u{n}", Role = $"r{n}" } });
        }
        setup.Add(new() { AuthEnable = new AuthEnableRequest() });
        return setup;
    }

    /// <summary>Errors an auth-carrying request may meet once applied.</summary>
    public static bool IsAuthRefusal(string detail) => detail is "etcdserver: permission denied" or "etcdserver: revision of auth store is old"
        or "etcdserver: user name is empty" or "etcdserver: user name not found";

    /// <summary>Errors the administrator's requests may meet: a step repeated after an unanswered try, or a toggle that lost a race.</summary>
    public static bool IsAdminRefusal(string detail) => detail is "etcdserver: user name already exists" or "etcdserver: role name already exists"
        or "etcdserver: role is already granted to the user" or "etcdserver: authentication is not enabled" or "etcdserver: permission denied"
        or "etcdserver: revision of auth store is old";
}
