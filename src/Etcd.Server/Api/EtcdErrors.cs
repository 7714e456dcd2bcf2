using Grpc.Core;

namespace Etcd.Server.Api;

/// <summary>
/// The gRPC errors etcd returns, with its status codes and messages: clients match on the text
/// (etcd's client turns these strings back into typed errors), so they must not change.
/// </summary>
public static class EtcdErrors
{
    private static RpcException E(StatusCode code, string message) => new(new Status(code, message), message);

    public static RpcException EmptyKey => E(StatusCode.InvalidArgument, "etcdserver: key is not provided");
    public static RpcException KeyNotFound => E(StatusCode.InvalidArgument, "etcdserver: key not found");
    public static RpcException ValueProvided => E(StatusCode.InvalidArgument, "etcdserver: value is provided");
    public static RpcException LeaseProvided => E(StatusCode.InvalidArgument, "etcdserver: lease is provided");
    public static RpcException TooManyOps => E(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request");
    public static RpcException DuplicateKey => E(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request");
    public static RpcException Compacted => E(StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted");
    public static RpcException FutureRev => E(StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision");
    public static RpcException NoSpace => E(StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded");
    public static RpcException LeaseNotFound => E(StatusCode.NotFound, "etcdserver: requested lease not found");
    public static RpcException LeaseExist => E(StatusCode.FailedPrecondition, "etcdserver: lease already exists");
    public static RpcException LeaseTTLTooLarge => E(StatusCode.OutOfRange, "etcdserver: too large lease TTL");
    public static RpcException WatchCanceled => E(StatusCode.Cancelled, "etcdserver: watch canceled");
    public static RpcException MemberExist => E(StatusCode.FailedPrecondition, "etcdserver: member ID already exist");
    public static RpcException PeerURLExist => E(StatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists");
    public static RpcException MemberNotEnoughStarted => E(StatusCode.FailedPrecondition, "etcdserver: re-configuration failed due to not enough started members");
    public static RpcException MemberBadURLs => E(StatusCode.InvalidArgument, "etcdserver: given member URLs are invalid");
    public static RpcException MemberNotFound => E(StatusCode.NotFound, "etcdserver: member not found");
    public static RpcException MemberNotLearner => E(StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member");
    public static RpcException LearnerNotReady => E(StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader");
    public static RpcException TooManyLearners => E(StatusCode.FailedPrecondition, "etcdserver: too many learner members in cluster");
    public static RpcException RequestTooLarge => E(StatusCode.InvalidArgument, "etcdserver: request is too large");
    public static RpcException RequestTooManyRequests => E(StatusCode.ResourceExhausted, "etcdserver: too many requests");
    public static RpcException RootUserNotExist => E(StatusCode.FailedPrecondition, "etcdserver: root user does not exist");
    public static RpcException RootRoleNotExist => E(StatusCode.FailedPrecondition, "etcdserver: root user does not have root role");
    public static RpcException UserAlreadyExist => E(StatusCode.FailedPrecondition, "etcdserver: user name already exists");
    public static RpcException UserEmpty => E(StatusCode.InvalidArgument, "etcdserver: user name is empty");
    public static RpcException UserNotFound => E(StatusCode.FailedPrecondition, "etcdserver: user name not found");
    public static RpcException RoleAlreadyExist => E(StatusCode.FailedPrecondition, "etcdserver: role name already exists");
    public static RpcException RoleNotFound => E(StatusCode.FailedPrecondition, "etcdserver: role name not found");
    public static RpcException RoleEmpty => E(StatusCode.InvalidArgument, "etcdserver: role name is empty");
    public static RpcException AuthFailed => E(StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password");
    public static RpcException PermissionDenied => E(StatusCode.PermissionDenied, "etcdserver: permission denied");
    public static RpcException RoleNotGranted => E(StatusCode.FailedPrecondition, "etcdserver: role is not granted to the user");
    public static RpcException PermissionNotGranted => E(StatusCode.FailedPrecondition, "etcdserver: permission is not granted to the role");
    public static RpcException AuthNotEnabled => E(StatusCode.FailedPrecondition, "etcdserver: authentication is not enabled");
    public static RpcException InvalidAuthToken => E(StatusCode.Unauthenticated, "etcdserver: invalid auth token");
    public static RpcException InvalidAuthMgmt => E(StatusCode.InvalidArgument, "etcdserver: invalid auth management");
    // etcd has no gRPC error for this one: its text reaches the client with code Unknown.
    public static RpcException NoPasswordUser => E(StatusCode.Unknown, "auth: authentication failed, password was given for no password user");
    public static RpcException AuthOldRevision => E(StatusCode.InvalidArgument, "etcdserver: revision of auth store is old");
    public static RpcException NoLeader => E(StatusCode.Unavailable, "etcdserver: no leader");
    public static RpcException NotLeader => E(StatusCode.FailedPrecondition, "etcdserver: not leader");
    public static RpcException LeaderChanged => E(StatusCode.Unavailable, "etcdserver: leader changed");
    public static RpcException NotCapable => E(StatusCode.Unavailable, "etcdserver: not capable");
    public static RpcException Stopped => E(StatusCode.Unavailable, "etcdserver: server stopped");
    public static RpcException Timeout => E(StatusCode.Unavailable, "etcdserver: request timed out");
    public static RpcException TimeoutDueToLeaderFail => E(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure");
    public static RpcException TimeoutDueToConnectionLost => E(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to connection lost");
    public static RpcException TimeoutWaitAppliedIndex => E(StatusCode.Unavailable, "etcdserver: request timed out, waiting for the applied index took too long");
    public static RpcException Unhealthy => E(StatusCode.Unavailable, "etcdserver: unhealthy cluster");
    public static RpcException Corrupt => E(StatusCode.DataLoss, "etcdserver: corrupt cluster");
    public static RpcException BadLeaderTransferee => E(StatusCode.FailedPrecondition, "etcdserver: bad leader transferee");
}
