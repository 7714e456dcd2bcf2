using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Authentication;
using static Etcd.Server.Tests.Authentication.AuthFixture;

namespace Etcd.Server.Tests.Authentication;

public sealed class AuthApplierTests : IDisposable
{
    private readonly AuthFixture _auth = new();

    public AuthApplierTests()
    {
        _auth.AddUser("alice");
        _auth.AddRole("rw");
        _auth.AddRole("ro");
        _auth.Permit("rw", Permission.Types.Type.Readwrite, "w/", "w0");
        _auth.Permit("ro", Permission.Types.Type.Read, "r/", "r0");
        _auth.Grant("alice", "rw");
        _auth.Grant("alice", "ro");
        _auth.EnableWithRoot();
    }

    public void Dispose() => _auth.Dispose();

    private InternalRaftRequest As(string user, InternalRaftRequest request)
    {
        request.Header = new RequestHeader { ID = 1, Username = user, AuthRevision = user.Length == 0 ? 0 : _auth.Store.Revision };
        return request;
    }

    private string? Refusal(string user, InternalRaftRequest request) => _auth.Applier.Check(As(user, request), _auth.Kv)?.Message;

    private static RequestOp PutOp(string key) => new() { RequestPut = new PutRequest { Key = B(key) } };

    private static RequestOp RangeOp(string key) => new() { RequestRange = new RangeRequest { Key = B(key) } };

    [Fact]
    public void APutNeedsWriteAndWithPrevKvAlsoRead()
    {
        Assert.Null(Refusal("alice", new InternalRaftRequest { Put = new PutRequest { Key = B("w/a") } }));
        Assert.Null(Refusal("alice", new InternalRaftRequest { Put = new PutRequest { Key = B("w/a"), PrevKv = true } }));
        Assert.Equal(EtcdErrors.PermissionDenied.Message, Refusal("alice", new InternalRaftRequest { Put = new PutRequest { Key = B("r/a") } }));
        Assert.Equal(EtcdErrors.UserEmpty.Message, Refusal("", new InternalRaftRequest { Put = new PutRequest { Key = B("w/a") } }));
    }

    [Fact]
    public void ADeleteWithPrevKvNeedsReadToo()
    {
        _auth.AddRole("wo");
        _auth.Permit("wo", Permission.Types.Type.Write, "o/", "o0");
        _auth.Grant("alice", "wo");
        Assert.Null(Refusal("alice", new InternalRaftRequest { DeleteRange = new DeleteRangeRequest { Key = B("o/"), RangeEnd = B("o0") } }));
        Assert.Equal(EtcdErrors.PermissionDenied.Message,
            Refusal("alice", new InternalRaftRequest { DeleteRange = new DeleteRangeRequest { Key = B("o/"), RangeEnd = B("o0"), PrevKv = true } }));
    }

    [Fact]
    public void ATxnIsCheckedWholeWhicheverBranchWouldRun()
    {
        var allowed = new TxnRequest();
        allowed.Compare.Add(new Compare { Key = B("r/x"), Target = Compare.Types.CompareTarget.Version });
        allowed.Success.Add(PutOp("w/1"));
        allowed.Failure.Add(RangeOp("r/1"));
        Assert.Null(Refusal("alice", new InternalRaftRequest { Txn = allowed }));

        var badFailure = allowed.Clone();
        badFailure.Failure.Add(PutOp("r/1"));
        Assert.NotNull(Refusal("alice", new InternalRaftRequest { Txn = badFailure }));

        var badCompare = allowed.Clone();
        badCompare.Compare.Add(new Compare { Key = B("secret") });
        Assert.NotNull(Refusal("alice", new InternalRaftRequest { Txn = badCompare }));

        var nested = new TxnRequest();
        nested.Success.Add(new RequestOp { RequestTxn = badFailure });
        Assert.NotNull(Refusal("alice", new InternalRaftRequest { Txn = nested }));
    }

    [Fact]
    public void RevokingOrAttachingALeaseNeedsWriteOnEveryKeyOfIt()
    {
        _auth.Apply(b =>
        {
            _auth.Lessor.Grant(9, 60);
            return b.Put(new PutRequest { Key = B("r/held"), Lease = 9 });
        });
        Assert.Equal(EtcdErrors.PermissionDenied.Message, Refusal("alice", new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = 9 } }));
        Assert.Equal(EtcdErrors.PermissionDenied.Message, Refusal("alice", new InternalRaftRequest { Put = new PutRequest { Key = B("w/a"), Lease = 9 } }));
        Assert.Null(Refusal("root", new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = 9 } }));
    }

    [Fact]
    public void AuthManagementIsForRootOnlyButUsersMayReadThemselvesAndTheirRoles()
    {
        Assert.Equal(EtcdErrors.PermissionDenied.Message, Refusal("alice", new InternalRaftRequest { AuthUserList = new AuthUserListRequest() }));
        Assert.Equal(EtcdErrors.PermissionDenied.Message, Refusal("alice", new InternalRaftRequest { AuthRoleAdd = new AuthRoleAddRequest { Name = "x" } }));
        Assert.Equal(EtcdErrors.UserEmpty.Message, Refusal("", new InternalRaftRequest { AuthDisable = new AuthDisableRequest() }));
        Assert.Null(Refusal("root", new InternalRaftRequest { AuthUserList = new AuthUserListRequest() }));
        Assert.Null(Refusal("alice", new InternalRaftRequest { AuthUserGet = new AuthUserGetRequest { Name = "alice" } }));
        Assert.NotNull(Refusal("alice", new InternalRaftRequest { AuthUserGet = new AuthUserGetRequest { Name = "root" } }));
        Assert.Null(Refusal("alice", new InternalRaftRequest { AuthRoleGet = new AuthRoleGetRequest { Role = "ro" } }));
        Assert.NotNull(Refusal("alice", new InternalRaftRequest { AuthRoleGet = new AuthRoleGetRequest { Role = "root" } }));
    }

    [Fact]
    public void ARequestCheckedBeforeARevokeIsRefusedWhenApplied()
    {
        var put = As("alice", new InternalRaftRequest { Put = new PutRequest { Key = B("w/a") } });
        _auth.Apply(b => _auth.Store.UserRevokeRole(b, new AuthUserRevokeRoleRequest { Name = "alice", Role = "rw" }));
        Assert.Equal(EtcdErrors.AuthOldRevision.Message, _auth.Applier.Check(put, _auth.Kv)?.Message);
    }

    [Fact]
    public void AuthEntriesAreAppliedAndOthersLeftAlone()
    {
        var response = _auth.Apply(b => _auth.Applier.Apply(b, new InternalRaftRequest { AuthRoleAdd = new AuthRoleAddRequest { Name = "new" } }, 10));
        Assert.IsType<AuthRoleAddResponse>(response);
        Assert.Contains("new", _auth.Store.State.Roles.Keys);
        Assert.Null(_auth.Apply(b => _auth.Applier.Apply(b, new InternalRaftRequest { Put = new PutRequest { Key = B("k") } }, 11)));
        var status = Assert.IsType<AuthStatusResponse>(_auth.Apply(b => _auth.Applier.Apply(b, new InternalRaftRequest { AuthStatus = new AuthStatusRequest() }, 12)));
        Assert.True(status.Enabled);
        Assert.Equal(_auth.Store.Revision, status.AuthRevision);
    }
}
