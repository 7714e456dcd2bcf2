using Grpc.Core;

namespace Etcd.Server.Api;

/// <summary>
/// The errors etcd returns, with their gRPC status codes and messages, in one place: clients match
/// on the text (etcd's client turns these strings back into typed errors), so they must not change.
/// </summary>
public static class EtcdErrors
{
    private static EtcdException E(StatusCode code, string message) => new(code, message);

    public static EtcdException EmptyKey => E(StatusCode.InvalidArgument, "etcdserver: key is not provided");
    public static EtcdException KeyNotFound => E(StatusCode.InvalidArgument, "etcdserver: key not found");
    public static EtcdException ValueProvided => E(StatusCode.InvalidArgument, "etcdserver: value is provided");
    public static EtcdException LeaseProvided => E(StatusCode.InvalidArgument, "etcdserver: lease is provided");
    public static EtcdException TooManyOps => E(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request");
    public static EtcdException DuplicateKey => E(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request");
    public static EtcdException Compacted => E(StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted");
    public static EtcdException FutureRev => E(StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision");
    public static EtcdException NoSpace => E(StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded");
    public static EtcdException LeaseNotFound => E(StatusCode.NotFound, "etcdserver: requested lease not found");
    public static EtcdException LeaseExist => E(StatusCode.FailedPrecondition, "etcdserver: lease already exists");
    public static EtcdException LeaseTTLTooLarge => E(StatusCode.OutOfRange, "etcdserver: too large lease TTL");
    public static EtcdException WatchCanceled => E(StatusCode.Cancelled, "etcdserver: watch canceled");
    public static EtcdException MemberExist => E(StatusCode.FailedPrecondition, "etcdserver: member ID already exist");
    public static EtcdException PeerURLExist => E(StatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists");
    public static EtcdException MemberNotEnoughStarted => E(StatusCode.FailedPrecondition, "etcdserver: re-configuration failed due to not enough started members");
    public static EtcdException MemberBadURLs => E(StatusCode.InvalidArgument, "etcdserver: given member URLs are invalid");
    public static EtcdException MemberNotFound => E(StatusCode.NotFound, "etcdserver: member not found");
    public static EtcdException MemberNotLearner => E(StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member");
    public static EtcdException LearnerNotReady => E(StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader");
    public static EtcdException TooManyLearners => E(StatusCode.FailedPrecondition, "etcdserver: too many learner members in cluster");
    public static EtcdException RequestTooLarge => E(StatusCode.InvalidArgument, "etcdserver: request is too large");
    public static EtcdException RequestTooManyRequests => E(StatusCode.ResourceExhausted, "etcdserver: too many requests");
    public static EtcdException RootUserNotExist => E(StatusCode.FailedPrecondition, "etcdserver: root user does not exist");
    public static EtcdException RootRoleNotExist => E(StatusCode.FailedPrecondition, "etcdserver: root user does not have root role");
    public static EtcdException UserAlreadyExist => E(StatusCode.FailedPrecondition, "etcdserver: user name already exists");
    public static EtcdException UserEmpty => E(StatusCode.InvalidArgument, "etcdserver: user name is empty");
    public static EtcdException UserNotFound => E(StatusCode.FailedPrecondition, "etcdserver: user name not found");
    public static EtcdException RoleAlreadyExist => E(StatusCode.FailedPrecondition, "etcdserver: role name already exists");
    public static EtcdException RoleNotFound => E(StatusCode.FailedPrecondition, "etcdserver: role name not found");
    public static EtcdException RoleEmpty => E(StatusCode.InvalidArgument, "etcdserver: role name is empty");
    public static EtcdException AuthFailed => E(StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password");
    public static EtcdException PermissionDenied => E(StatusCode.PermissionDenied, "etcdserver: permission denied");
    public static EtcdException RoleNotGranted => E(StatusCode.FailedPrecondition, "etcdserver: role is not granted to the user");
    public static EtcdException PermissionNotGranted => E(StatusCode.FailedPrecondition, "etcdserver: permission is not granted to the role");
    public static EtcdException AuthNotEnabled => E(StatusCode.FailedPrecondition, "etcdserver: authentication is not enabled");
    public static EtcdException InvalidAuthToken => E(StatusCode.Unauthenticated, "etcdserver: invalid auth token");
    public static EtcdException InvalidAuthMgmt => E(StatusCode.InvalidArgument, "etcdserver: invalid auth management");
    // etcd has no gRPC error for this one: its text reaches the client with code Unknown.
    public static EtcdException NoPasswordUser => E(StatusCode.Unknown, "auth: authentication failed, password was given for no password user");
    public static EtcdException AuthOldRevision => E(StatusCode.InvalidArgument, "etcdserver: revision of auth store is old");
    public static EtcdException Canceled => E(StatusCode.Cancelled, "context canceled");
    public static EtcdException NotSupportedYet => E(StatusCode.Unimplemented, "etcdserver: request not supported by this server yet");
    public static EtcdException LeaderTransferTimeout => E(StatusCode.Unknown, "etcdserver: request timed out, leader transfer took too long");
    public static EtcdException NotPrimaryLessor => E(StatusCode.FailedPrecondition, "lease: not primary lessor");
    // The concurrency services' errors reach clients with code Unknown, as etcd's do.
    public static EtcdException ElectionNotLeader => E(StatusCode.Unknown, "election: not leader");
    public static EtcdException ElectionNoLeader => E(StatusCode.Unknown, "election: no leader");
    public static EtcdException ElectionMissingLeaderKey => E(StatusCode.Unknown, "\"leader\" field must be provided");
    public static EtcdException LostWatcher => E(StatusCode.Unknown, "lost watcher waiting for delete");

    /// <summary>An error with no gRPC code of its own: its text reaches the client with code Unknown.</summary>
    public static EtcdException Unknown(string message) => E(StatusCode.Unknown, message);

    public static EtcdException NoLeader => E(StatusCode.Unavailable, "etcdserver: no leader");
    public static EtcdException NotLeader => E(StatusCode.FailedPrecondition, "etcdserver: not leader");
    public static EtcdException LeaderChanged => E(StatusCode.Unavailable, "etcdserver: leader changed");
    public static EtcdException NotCapable => E(StatusCode.Unavailable, "etcdserver: not capable");
    public static EtcdException Stopped => E(StatusCode.Unavailable, "etcdserver: server stopped");
    public static EtcdException Timeout => E(StatusCode.Unavailable, "etcdserver: request timed out");
    public static EtcdException TimeoutDueToLeaderFail => E(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure");
    public static EtcdException TimeoutDueToConnectionLost => E(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to connection lost");
    public static EtcdException TimeoutWaitAppliedIndex => E(StatusCode.Unavailable, "etcdserver: request timed out, waiting for the applied index took too long");
    public static EtcdException Unhealthy => E(StatusCode.Unavailable, "etcdserver: unhealthy cluster");
    public static EtcdException Corrupt => E(StatusCode.DataLoss, "etcdserver: corrupt cluster");
    public static EtcdException BadLeaderTransferee => E(StatusCode.FailedPrecondition, "etcdserver: bad leader transferee");
}
