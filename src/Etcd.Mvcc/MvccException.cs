namespace Etcd.Mvcc;

/// <summary>
/// A request the store refused. Thrown before the request changed anything, so the apply batch
/// it came through stays usable and holds only the effects of the requests before it.
/// </summary>
public sealed class MvccException : Exception
{
    public MvccException(MvccErrorKind kind)
        : base(MessageOf(kind))
    {
        Kind = kind;
    }

    public MvccErrorKind Kind { get; }

    /// <summary>etcd's message text for each kind; clients match on these strings.</summary>
    public static string MessageOf(MvccErrorKind kind) => kind switch
    {
        MvccErrorKind.Compacted => "mvcc: required revision has been compacted",
        MvccErrorKind.FutureRevision => "mvcc: required revision is a future revision",
        MvccErrorKind.LeaseNotFound => "etcdserver: requested lease not found",
        MvccErrorKind.KeyNotFound => "etcdserver: key not found",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
