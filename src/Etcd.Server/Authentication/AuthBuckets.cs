using System.Buffers.Binary;
using System.Text;
using Etcd.Api.Authpb;
using Etcd.Mvcc;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Server.Authentication;

/// <summary>
/// The auth store in the backend, laid out as etcd lays it out: Auth holds "authEnabled" (one
/// byte, 1 or 0) and "authRevision" (8 bytes big-endian); AuthUsers maps a user name to its
/// authpb.User, AuthRoles a role name to its authpb.Role. Written in the apply batch of the entry
/// that changed them, so restarts and snapshots carry the store with the applied index.
/// </summary>
public static class AuthBuckets
{
    private static readonly byte[] EnabledKey = "authEnabled"u8.ToArray();
    private static readonly byte[] RevisionKey = "authRevision"u8.ToArray();

    public static AuthState Load(IBackendReader reader)
    {
        var enabled = reader.Get(Bucket.Auth, EnabledKey) is [1];
        // etcd starts a fresh store at revision 1, so that 0 can mean "no user given".
        var revision = reader.Get(Bucket.Auth, RevisionKey) is { Length: 8 } bytes ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;
        var users = new Dictionary<string, User>(StringComparer.Ordinal);
        reader.Scan(Bucket.AuthUsers, [], [], (_, value) =>
        {
            var user = User.Parser.ParseFrom(value);
            users[user.Name.ToStringUtf8()] = user;
            return true;
        });
        var roles = new Dictionary<string, Role>(StringComparer.Ordinal);
        reader.Scan(Bucket.AuthRoles, [], [], (_, value) =>
        {
            var role = Role.Parser.ParseFrom(value);
            roles[role.Name.ToStringUtf8()] = role;
            return true;
        });
        return new AuthState(enabled, Math.Max(revision, 1), users, roles);
    }

    public static void SaveEnabled(ApplyBatch batch, bool enabled) => batch.PutBucketEntry(Bucket.Auth, EnabledKey, [enabled ? (byte)1 : (byte)0]);

    public static void SaveRevision(ApplyBatch batch, ulong revision)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, revision);
        batch.PutBucketEntry(Bucket.Auth, RevisionKey, bytes);
    }

    public static void SaveUser(ApplyBatch batch, User user) => batch.PutBucketEntry(Bucket.AuthUsers, user.Name.Span, user.ToByteArray());

    public static void DeleteUser(ApplyBatch batch, string name) => batch.DeleteBucketEntry(Bucket.AuthUsers, Encoding.UTF8.GetBytes(name));

    public static void SaveRole(ApplyBatch batch, Role role) => batch.PutBucketEntry(Bucket.AuthRoles, role.Name.Span, role.ToByteArray());

    public static void DeleteRole(ApplyBatch batch, string name) => batch.DeleteBucketEntry(Bucket.AuthRoles, Encoding.UTF8.GetBytes(name));
}
