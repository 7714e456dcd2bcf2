using System.Text;

namespace Etcd.Server.Authentication;

/// <summary>
/// bcrypt password hashes as etcd stores them (the "$2a$" text of the hash, as bytes). Hashing is
/// slow on purpose, so it is done before proposing, never on the apply loop.
/// </summary>
public static class PasswordHash
{
    /// <summary>bcrypt's own bounds; etcd falls back to its default cost (10) outside them.</summary>
    public const int MinCost = 4;
    public const int MaxCost = 31;
    public const int DefaultCost = 10;

    public static int EffectiveCost(long cost) => cost is >= MinCost and <= MaxCost ? (int)cost : DefaultCost;

    public static string Hash(string password, int cost) =>
        BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(cost, 'a'));

    public static bool Verify(string password, ReadOnlySpan<byte> hash)
    {
        if (hash.IsEmpty) return false;
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, Encoding.ASCII.GetString(hash));
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
