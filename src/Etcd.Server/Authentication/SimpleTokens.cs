using System.Globalization;
using System.Security.Cryptography;

namespace Etcd.Server.Authentication;

/// <summary>
/// etcd's "simple" tokens: 16 random letters, a dot and the Raft index of the Authenticate entry
/// that installed it. Every member installs the same token when it applies that entry; a token
/// lives --auth-token-ttl after its last use. Expired tokens are dropped when looked up and, in
/// bulk, whenever a new token is installed (so the table stays bounded by the tokens alive).
/// </summary>
public sealed class SimpleTokens(TimeProvider clock, TimeSpan ttl)
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const int PrefixLength = 16;

    private readonly Dictionary<string, (string User, long ExpiresAt)> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public TimeSpan Ttl { get; } = ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(300);

    /// <summary>The random part of a new token, chosen before proposing so every member installs the same one.</summary>
    public static string NewPrefix()
    {
        Span<char> prefix = stackalloc char[PrefixLength];
        for (var i = 0; i < prefix.Length; i++) prefix[i] = Letters[RandomNumberGenerator.GetInt32(Letters.Length)];
        return new string(prefix);
    }

    /// <summary>The Raft index a token names, or null when it is not shaped like a simple token.</summary>
    public static ulong? IndexOf(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || token.IndexOf('.', dot + 1) >= 0) return null;
        return ulong.TryParse(token.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    public static string Format(string prefix, ulong index) => prefix + "." + index.ToString(CultureInfo.InvariantCulture);

    public int Count
    {
        get
        {
            lock (_lock) return _tokens.Count;
        }
    }

    public void Assign(string token, string user)
    {
        var now = clock.GetTimestamp();
        lock (_lock)
        {
            DropExpired(now);
            _tokens[token] = (user, Expiry(now));
        }
    }

    /// <summary>The user of a live token, whose life starts over with this use; null when unknown or expired.</summary>
    public string? Use(string token)
    {
        var now = clock.GetTimestamp();
        lock (_lock)
        {
            if (!_tokens.TryGetValue(token, out var entry)) return null;
            if (entry.ExpiresAt <= now)
            {
                _tokens.Remove(token);
                return null;
            }
            _tokens[token] = (entry.User, Expiry(now));
            return entry.User;
        }
    }

    /// <summary>Forgets the user's tokens (deleted, or its password changed).</summary>
    public void InvalidateUser(string user)
    {
        lock (_lock)
        {
            foreach (var (token, entry) in _tokens)
            {
                if (entry.User == user) _tokens.Remove(token);
            }
        }
    }

    public void Clear()
    {
        lock (_lock) _tokens.Clear();
    }

    private long Expiry(long now) => now + (long)(Ttl.TotalSeconds * clock.TimestampFrequency);

    private void DropExpired(long now)
    {
        foreach (var (token, entry) in _tokens)
        {
            if (entry.ExpiresAt <= now) _tokens.Remove(token);
        }
    }
}
