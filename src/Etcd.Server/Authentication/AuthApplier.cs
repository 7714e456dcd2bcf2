using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Api;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Authentication;

/// <summary>
/// The auth side of applying an entry (etcd's authApplierV3): applies the auth store's own
/// requests, and, while auth is enabled, checks a request against the identity in its header
/// before it changes anything. The check runs at apply time on every member, so a permission
/// revoked after the request was sent, but before it was applied, still refuses it.
/// </summary>
public sealed class AuthApplier(AuthStore store)
{
    public AuthStore Store { get; } = store;

    /// <summary>
    /// Applies <paramref name="request"/> when it is an auth request (<paramref name="index"/> is
    /// its entry's, which becomes part of a new token); null when it is not.
    /// </summary>
    public IMessage? Apply(ApplyBatch batch, InternalRaftRequest request, ulong index) => request switch
    {
        { AuthEnable: not null } => Store.Enable(batch),
        { AuthDisable: not null } => Store.Disable(batch),
        { AuthStatus: not null } => new AuthStatusResponse { Header = new ResponseHeader { Revision = batch.Revision }, Enabled = Store.Enabled, AuthRevision = Store.Revision },
        { Authenticate: { } authenticate } => Store.Authenticate(batch, authenticate, index),
        { AuthUserAdd: { } add } => Store.UserAdd(batch, add),
        { AuthUserDelete: { } delete } => Store.UserDelete(batch, delete),
        { AuthUserGet: { } get } => Store.UserGet(batch, get),
        { AuthUserList: not null } => Store.UserList(batch),
        { AuthUserChangePassword: { } change } => Store.UserChangePassword(batch, change),
        { AuthUserGrantRole: { } grant } => Store.UserGrantRole(batch, grant),
        { AuthUserRevokeRole: { } revoke } => Store.UserRevokeRole(batch, revoke),
        { AuthRoleAdd: { } add } => Store.RoleAdd(batch, add),
        { AuthRoleDelete: { } delete } => Store.RoleDelete(batch, delete),
        { AuthRoleGet: { } get } => Store.RoleGet(batch, get),
        { AuthRoleList: not null } => Store.RoleList(batch),
        { AuthRoleGrantPermission: { } grant } => Store.RoleGrantPermission(batch, grant),
        { AuthRoleRevokePermission: { } revoke } => Store.RoleRevokePermission(batch, revoke),
        _ => null,
    };

    /// <summary>
    /// etcd's refusal of <paramref name="request"/> for the identity in its header, or null when
    /// it may be applied. Call only while auth is enabled.
    /// </summary>
    public EtcdException? Check(InternalRaftRequest request, KvStore kv)
    {
        var header = request.Header;
        var info = header is null ? AuthInfo.Anonymous : new AuthInfo(header.Username, header.AuthRevision);
        if (NeedsAdmin(request)) return Store.CheckAdmin(info);
        return request switch
        {
            { Put: { } put } => CheckPut(info, put, kv),
            { DeleteRange: { } delete } => CheckDelete(info, delete),
            { Txn: { } txn } => CheckTxn(info, txn),
            { LeaseRevoke: { } revoke } => CheckLeaseKeys(info, revoke.ID, kv),
            // Users may read themselves, and roles they hold, without being root.
            { AuthUserGet: { } get } => get.Name == info.Username ? null : Store.CheckAdmin(info),
            { AuthRoleGet: { } get } => Store.HasRole(info.Username, get.Role) ? null : Store.CheckAdmin(info),
            _ => null,
        };
    }

    private static bool NeedsAdmin(InternalRaftRequest request) =>
        request.AuthEnable is not null || request.AuthDisable is not null
        || request.AuthUserAdd is not null || request.AuthUserDelete is not null || request.AuthUserChangePassword is not null
        || request.AuthUserGrantRole is not null || request.AuthUserRevokeRole is not null || request.AuthUserList is not null
        || request.AuthRoleAdd is not null || request.AuthRoleDelete is not null || request.AuthRoleList is not null
        || request.AuthRoleGrantPermission is not null || request.AuthRoleRevokePermission is not null;

    private EtcdException? CheckPut(AuthInfo info, PutRequest put, KvStore kv) =>
        Store.CheckPut(info, put.Key.Span)
        // A lease whose keys the user may not write is one it may not revoke: attaching it is refused too.
        ?? CheckLeaseKeys(info, put.Lease, kv)
        ?? (put.PrevKv ? Store.CheckRange(info, put.Key.Span, []) : null);

    private EtcdException? CheckDelete(AuthInfo info, DeleteRangeRequest delete) =>
        Store.CheckDelete(info, delete.Key.Span, delete.RangeEnd.Span)
        ?? (delete.PrevKv ? Store.CheckRange(info, delete.Key.Span, delete.RangeEnd.Span) : null);

    /// <summary>Every compare and every operation of both branches, whichever branch would run.</summary>
    public EtcdException? CheckTxn(AuthInfo info, TxnRequest txn)
    {
        foreach (var compare in txn.Compare)
        {
            if (Store.CheckRange(info, compare.Key.Span, compare.RangeEnd.Span) is { } refused) return refused;
        }
        return CheckOps(info, txn.Success) ?? CheckOps(info, txn.Failure);
    }

    private EtcdException? CheckOps(AuthInfo info, IEnumerable<RequestOp> ops)
    {
        foreach (var op in ops)
        {
            var refused = op.RequestCase switch
            {
                RequestOp.RequestOneofCase.RequestRange => Store.CheckRange(info, op.RequestRange.Key.Span, op.RequestRange.RangeEnd.Span),
                RequestOp.RequestOneofCase.RequestPut => Store.CheckPut(info, op.RequestPut.Key.Span),
                RequestOp.RequestOneofCase.RequestDeleteRange => (op.RequestDeleteRange.PrevKv ? Store.CheckRange(info, op.RequestDeleteRange.Key.Span, op.RequestDeleteRange.RangeEnd.Span) : null)
                    ?? Store.CheckDelete(info, op.RequestDeleteRange.Key.Span, op.RequestDeleteRange.RangeEnd.Span),
                RequestOp.RequestOneofCase.RequestTxn => CheckTxn(info, op.RequestTxn),
                _ => null,
            };
            if (refused is not null) return refused;
        }
        return null;
    }

    /// <summary>etcd's checkLeasePuts: the user must be able to write every key attached to the lease.</summary>
    public EtcdException? CheckLeaseKeys(AuthInfo info, long leaseId, KvStore kv)
    {
        if (leaseId == 0) return null;
        foreach (var key in kv.KeysWithLease(leaseId))
        {
            if (Store.CheckPut(info, key) is { } refused) return refused;
        }
        return null;
    }
}
