using Etcd.Api.Authpb;

namespace Etcd.Server.Authentication;

/// <summary>What one user may read and write: the permissions of all its roles, merged (etcd's unifiedRangePermissions).</summary>
public sealed class UserPermissions(KeyIntervals read, KeyIntervals write)
{
    public KeyIntervals Read { get; } = read;
    public KeyIntervals Write { get; } = write;

    public static UserPermissions Of(User user, IReadOnlyDictionary<string, Role> roles)
    {
        var read = new List<(byte[], byte[])>();
        var write = new List<(byte[], byte[])>();
        foreach (var roleName in user.Roles)
        {
            if (!roles.TryGetValue(roleName, out var role)) continue;
            foreach (var permission in role.KeyPermission)
            {
                var interval = IntervalOf(permission);
                if (permission.PermType is Permission.Types.Type.Read or Permission.Types.Type.Readwrite) read.Add(interval);
                if (permission.PermType is Permission.Types.Type.Write or Permission.Types.Type.Readwrite) write.Add(interval);
            }
        }
        return new UserPermissions(KeyIntervals.Merge(read), KeyIntervals.Merge(write));
    }

    /// <summary>
    /// Whether the user may access [key, rangeEnd): one key when rangeEnd is empty, from key on
    /// when it is "\0", as in a request.
    /// </summary>
    public bool Permits(ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd, bool write)
    {
        var intervals = write ? Write : Read;
        if (rangeEnd.IsEmpty) return intervals.Contains(key);
        if (rangeEnd is [0]) rangeEnd = [];
        return intervals.Covers(key, rangeEnd);
    }

    // A permission with no range end grants its key alone; "\0" as end grants every key from it on.
    private static (byte[] Begin, byte[] End) IntervalOf(Permission permission)
    {
        var key = permission.Key.ToByteArray();
        var end = permission.RangeEnd.Span;
        if (end.IsEmpty) return (key, KeyBound.PointEnd(key));
        return (key, end is [0] ? [] : end.ToArray());
    }
}
