using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Authentication;
using Etcd.Server.Logging;
using Grpc.Core;
using static Etcd.Server.Tests.Authentication.AuthFixture;

namespace Etcd.Server.Tests.Authentication;

public sealed class AuthStoreTests : IDisposable
{
    private readonly AuthFixture _auth = new();

    public void Dispose() => _auth.Dispose();

    private static void AssertRefused(EtcdException expected, Action action)
    {
        var error = Assert.Throws<EtcdException>(action);
        Assert.Equal(expected.Code, error.Code);
        Assert.Equal(expected.Message, error.Message);
    }

    [Fact]
    public void UsersAreListedInNameOrderWithTheirRolesSorted()
    {
        _auth.AddUser("bob");
        _auth.AddUser("alice");
        _auth.AddRole("writer");
        _auth.AddRole("reader");
        _auth.Grant("alice", "writer");
        _auth.Grant("alice", "reader");

        Assert.Equal(["alice", "bob"], _auth.Apply(_auth.Store.UserList).Users);
        Assert.Equal(["reader", "writer"], _auth.Apply(b => _auth.Store.UserGet(b, new AuthUserGetRequest { Name = "alice" })).Roles);
        Assert.Equal(["reader", "writer"], _auth.Apply(_auth.Store.RoleList).Roles);
    }

    [Fact]
    public void RefusedChangesAnswerEtcdsErrors()
    {
        _auth.AddUser("alice");
        _auth.AddRole("reader");
        AssertRefused(EtcdErrors.UserAlreadyExist, () => _auth.AddUser("alice"));
        AssertRefused(EtcdErrors.UserEmpty, () => _auth.AddUser(""));
        AssertRefused(EtcdErrors.RoleAlreadyExist, () => _auth.AddRole("reader"));
        AssertRefused(EtcdErrors.RoleEmpty, () => _auth.AddRole(""));
        AssertRefused(EtcdErrors.UserNotFound, () => _auth.Grant("nobody", "reader"));
        AssertRefused(EtcdErrors.RoleNotFound, () => _auth.Grant("alice", "nothing"));
        AssertRefused(EtcdErrors.RoleNotGranted, () => _auth.Apply(b => _auth.Store.UserRevokeRole(b, new AuthUserRevokeRoleRequest { Name = "alice", Role = "reader" })));
        AssertRefused(EtcdErrors.PermissionNotGranted, () => _auth.Apply(b => _auth.Store.RoleRevokePermission(b, new AuthRoleRevokePermissionRequest { Role = "reader", Key = B("k") })));
        AssertRefused(EtcdErrors.UserNotFound, () => _auth.Apply(b => _auth.Store.UserDelete(b, new AuthUserDeleteRequest { Name = "nobody" })));
        AssertRefused(EtcdErrors.RoleNotFound, () => _auth.Apply(b => _auth.Store.RoleDelete(b, new AuthRoleDeleteRequest { Role = "nothing" })));
    }

    [Fact]
    public void EveryChangeBumpsTheRevisionButARepeatedGrantDoesNot()
    {
        Assert.Equal(1UL, _auth.Store.Revision);
        _auth.AddUser("alice");
        _auth.AddRole("reader");
        _auth.Grant("alice", "reader");
        Assert.Equal(4UL, _auth.Store.Revision);
        _auth.Grant("alice", "reader");
        Assert.Equal(4UL, _auth.Store.Revision);
        _auth.Permit("reader", Permission.Types.Type.Read, "k");
        Assert.Equal(5UL, _auth.Store.Revision);
    }

    [Fact]
    public void EnablingNeedsARootUserWithTheRootRole()
    {
        AssertRefused(EtcdErrors.RootUserNotExist, () => _auth.Apply(_auth.Store.Enable));
        _auth.AddUser("root");
        AssertRefused(EtcdErrors.RootRoleNotExist, () => _auth.Apply(_auth.Store.Enable));
        _auth.Grant("root", "root");
        _auth.Apply(_auth.Store.Enable);
        Assert.True(_auth.Store.Enabled);
    }

    [Fact]
    public void WhileEnabledRootCannotBeDeletedNorLoseItsRole()
    {
        _auth.EnableWithRoot();
        AssertRefused(EtcdErrors.InvalidAuthMgmt, () => _auth.Apply(b => _auth.Store.UserDelete(b, new AuthUserDeleteRequest { Name = "root" })));
        AssertRefused(EtcdErrors.InvalidAuthMgmt, () => _auth.Apply(b => _auth.Store.UserRevokeRole(b, new AuthUserRevokeRoleRequest { Name = "root", Role = "root" })));
        AssertRefused(EtcdErrors.InvalidAuthMgmt, () => _auth.Apply(b => _auth.Store.RoleDelete(b, new AuthRoleDeleteRequest { Role = "root" })));
    }

    [Fact]
    public void PermissionsOfAllRolesAreMergedAndCheckedPerKeyAndRange()
    {
        _auth.AddUser("alice");
        _auth.AddRole("a");
        _auth.AddRole("b");
        _auth.Permit("a", Permission.Types.Type.Read, "k1");
        _auth.Permit("a", Permission.Types.Type.Readwrite, "p/", "p0");      // prefix p/
        _auth.Permit("b", Permission.Types.Type.Write, "q", "r");
        _auth.Permit("b", Permission.Types.Type.Read, "r", "s");
        _auth.Permit("b", Permission.Types.Type.Read, "z", "\0");           // from z on
        _auth.Grant("alice", "a");
        _auth.Grant("alice", "b");
        _auth.EnableWithRoot();
        var alice = _auth.As("alice");
        var store = _auth.Store;

        Assert.Null(store.CheckRange(alice, "k1"u8, []));
        Assert.NotNull(store.CheckPut(alice, "k1"u8));
        Assert.NotNull(store.CheckRange(alice, "k2"u8, []));
        Assert.Null(store.CheckPut(alice, "p/x"u8));
        Assert.Null(store.CheckRange(alice, "p/"u8, "p0"u8));
        Assert.Null(store.CheckPut(alice, "q1"u8));
        // Read of q comes from neither role; the range [r, s) is readable, [q, s) is not.
        Assert.NotNull(store.CheckRange(alice, "q"u8, "s"u8));
        Assert.Null(store.CheckRange(alice, "r"u8, "s"u8));
        Assert.Null(store.CheckRange(alice, "zz"u8, "\0"u8));
        Assert.NotNull(store.CheckRange(alice, "y"u8, "\0"u8));
        Assert.Equal(EtcdErrors.PermissionDenied.Message, store.CheckPut(alice, "nope"u8)!.Message);
    }

    [Fact]
    public void RootMayDoAnythingAndUnknownOrAnonymousCallersNothing()
    {
        _auth.EnableWithRoot();
        var store = _auth.Store;
        Assert.Null(store.CheckDelete(_auth.As("root"), "a"u8, "\0"u8));
        Assert.Null(store.CheckAdmin(_auth.As("root")));
        Assert.Equal(EtcdErrors.UserEmpty.Message, store.CheckPut(AuthInfo.Anonymous, "a"u8)!.Message);
        Assert.Equal(EtcdErrors.PermissionDenied.Message, store.CheckPut(_auth.As("ghost"), "a"u8)!.Message);
        Assert.Equal(EtcdErrors.UserNotFound.Message, store.CheckAdmin(_auth.As("ghost"))!.Message);
        Assert.Equal(EtcdErrors.UserEmpty.Message, store.CheckAdmin(null)!.Message);
    }

    [Fact]
    public void AnIdentityCheckedBeforeTheStoreChangedIsRefusedAsOld()
    {
        _auth.EnableWithRoot();
        var before = _auth.As("root");
        _auth.AddRole("another");
        Assert.Equal(EtcdErrors.AuthOldRevision.Message, _auth.Store.CheckPut(before, "a"u8)!.Message);
        Assert.Null(_auth.Store.CheckPut(_auth.As("root"), "a"u8));
    }

    [Fact]
    public void WithAuthDisabledEveryoneMayDoEverything()
    {
        Assert.Null(_auth.Store.CheckPut(AuthInfo.Anonymous, "a"u8));
        Assert.Null(_auth.Store.CheckAdmin(null));
    }

    [Fact]
    public void DeletingARoleTakesItFromItsUsers()
    {
        _auth.AddUser("alice");
        _auth.AddRole("reader");
        _auth.Grant("alice", "reader");
        _auth.Apply(b => _auth.Store.RoleDelete(b, new AuthRoleDeleteRequest { Role = "reader" }));
        Assert.Empty(_auth.Apply(b => _auth.Store.UserGet(b, new AuthUserGetRequest { Name = "alice" })).Roles);
    }

    [Fact]
    public void GrantingAnExistingPermissionChangesItsTypeAndPermissionsStaySortedByKey()
    {
        _auth.AddRole("r");
        _auth.Permit("r", Permission.Types.Type.Read, "m");
        _auth.Permit("r", Permission.Types.Type.Read, "a", "c");
        _auth.Permit("r", Permission.Types.Type.Write, "m");
        var permissions = _auth.Apply(b => _auth.Store.RoleGet(b, new AuthRoleGetRequest { Role = "r" })).Perm;
        Assert.Equal(["a", "m"], permissions.Select(p => p.Key.ToStringUtf8()));
        Assert.Equal(Permission.Types.Type.Write, permissions[1].PermType);
    }

    [Fact]
    public void TheStoreSurvivesAReloadFromTheBackend()
    {
        _auth.AddUser("alice", "secret");
        _auth.AddRole("r");
        _auth.Permit("r", Permission.Types.Type.Readwrite, "k");
        _auth.Grant("alice", "r");
        _auth.EnableWithRoot();
        var revision = _auth.Store.Revision;

        using var view = _auth.Backend.Snapshot();
        var reloaded = new AuthStore(AuthBuckets.Load(view), new SimpleTokens(_auth.Clock, TimeSpan.FromSeconds(1)), ZapLogger.Discard);
        Assert.True(reloaded.Enabled);
        Assert.Equal(revision, reloaded.Revision);
        Assert.Null(reloaded.CheckPut(new AuthInfo("alice", revision), "k"u8));
        Assert.Equal(revision, reloaded.CheckPassword("alice", "secret"));
    }

    [Fact]
    public void PasswordsAreCheckedAgainstTheirBcryptHash()
    {
        _auth.AddUser("alice", "secret");
        _auth.Apply(b => _auth.Store.UserAdd(b, new AuthUserAddRequest { Name = "nopass", Options = new UserAddOptions { NoPassword = true } }));
        AssertRefused(EtcdErrors.AuthNotEnabled, () => _auth.Store.CheckPassword("alice", "secret"));
        _auth.EnableWithRoot();
        Assert.Equal(_auth.Store.Revision, _auth.Store.CheckPassword("alice", "secret"));
        AssertRefused(EtcdErrors.AuthFailed, () => _auth.Store.CheckPassword("alice", "wrong"));
        AssertRefused(EtcdErrors.AuthFailed, () => _auth.Store.CheckPassword("ghost", "secret"));
        AssertRefused(EtcdErrors.NoPasswordUser, () => _auth.Store.CheckPassword("nopass", ""));
    }

    [Fact]
    public void AuthenticateInstallsTheTokenAndAPasswordChangeRevokesIt()
    {
        _auth.AddUser("alice", "secret");
        _auth.EnableWithRoot();
        var response = _auth.Apply(b => _auth.Store.Authenticate(b, new InternalAuthenticateRequest { Name = "alice", SimpleToken = "abcdefghijklmnop" }, 17));
        Assert.Equal("abcdefghijklmnop.17", response.Token);
        Assert.Equal("alice", _auth.Store.Tokens.Use(response.Token));

        _auth.Apply(b => _auth.Store.UserChangePassword(b, new AuthUserChangePasswordRequest { Name = "alice", HashedPassword = PasswordHash.Hash("new", PasswordHash.MinCost) }));
        Assert.Null(_auth.Store.Tokens.Use(response.Token));
        Assert.Equal(_auth.Store.Revision, _auth.Store.CheckPassword("alice", "new"));
    }

    [Fact]
    public void DisablingForgetsEveryTokenAndBumpsTheRevision()
    {
        _auth.EnableWithRoot();
        var token = _auth.Apply(b => _auth.Store.Authenticate(b, new InternalAuthenticateRequest { Name = "root", SimpleToken = "x" }, 5)).Token;
        var revision = _auth.Store.Revision;
        _auth.Apply(_auth.Store.Disable);
        Assert.False(_auth.Store.Enabled);
        Assert.Equal(revision + 1, _auth.Store.Revision);
        Assert.Null(_auth.Store.Tokens.Use(token));
    }
}
