using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Authentication;
using Etcd.Server.Leases;
using Etcd.Server.Logging;
using Etcd.Server.Tests.Leases;
using Etcd.Storage.Backend.Memory;
using Google.Protobuf;

namespace Etcd.Server.Tests.Authentication;

/// <summary>An auth store over an in-memory backend and key-value store, changed through apply batches as the apply loop does.</summary>
internal sealed class AuthFixture : IDisposable
{
    public ManualClock Clock { get; } = new();
    public MemoryBackend Backend { get; } = new();
    public Lessor Lessor { get; }
    public KvStore Kv { get; }
    public AuthStore Store { get; }
    public AuthApplier Applier { get; }

    public AuthFixture()
    {
        Lessor = new Lessor(Clock, 2, null);
        Kv = new KvStore(Backend, Lessor);
        Store = AuthStore.Load(Backend, new SimpleTokens(Clock, TimeSpan.FromSeconds(300)), ZapLogger.Discard);
        Applier = new AuthApplier(Store);
    }

    public void Dispose()
    {
        Kv.Dispose();
        Backend.Dispose();
    }

    public T Apply<T>(Func<ApplyBatch, T> operation)
    {
        using var batch = Kv.BeginApply();
        var result = operation(batch);
        batch.Commit();
        return result;
    }

    public static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    public void AddUser(string name, string password = "pass") => Apply(b => Store.UserAdd(b, new AuthUserAddRequest
    {
        Name = name,
        HashedPassword = PasswordHash.Hash(password, PasswordHash.MinCost),
    }));

    public void AddRole(string name) => Apply(b => Store.RoleAdd(b, new AuthRoleAddRequest { Name = name }));

    public void Grant(string user, string role) => Apply(b => Store.UserGrantRole(b, new AuthUserGrantRoleRequest { User = user, Role = role }));

    public void Permit(string role, Permission.Types.Type type, string key, string rangeEnd = "") =>
        Apply(b => Store.RoleGrantPermission(b, new AuthRoleGrantPermissionRequest
        {
            Name = role,
            Perm = new Permission { PermType = type, Key = B(key), RangeEnd = B(rangeEnd) },
        }));

    /// <summary>A root user, then auth enabled.</summary>
    public void EnableWithRoot()
    {
        AddUser("root");
        Grant("root", "root");
        Apply(Store.Enable);
    }

    /// <summary>The identity a token for <paramref name="user"/> would resolve to now.</summary>
    public AuthInfo As(string user) => new(user, Store.Revision);
}
