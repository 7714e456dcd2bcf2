namespace Etcd.Server.Authentication;

/// <summary>
/// The --auth-token value as etcd reads it: a token type ("simple" or "jwt"), then
/// comma-separated key=value options, each key at most once.
/// </summary>
public static class AuthTokenOption
{
    /// <summary>The JWT signer the option asks for; null for simple tokens. Throws <see cref="JwtOptionsException"/> with etcd's message.</summary>
    public static JwtTokens? JwtOf(string option, TimeProvider clock)
    {
        var parts = option.Split(',');
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < parts.Length; i++)
        {
            var pair = parts[i].Split('=');
            if (pair.Length != 2 || !options.TryAdd(pair[0], pair[1])) throw new JwtOptionsException("auth: invalid auth options");
        }
        return parts[0] switch
        {
            "simple" => null,
            "jwt" => JwtTokens.Load(options, clock),
            _ => throw new JwtOptionsException("auth: invalid auth options"),
        };
    }
}
