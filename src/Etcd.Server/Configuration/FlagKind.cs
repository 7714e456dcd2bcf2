namespace Etcd.Server.Configuration;

/// <summary>How a flag's text is checked; the error texts mirror Go's flag package, which etcd uses.</summary>
public enum FlagKind
{
    String,
    Bool,
    /// <summary>Signed 64-bit integer.</summary>
    Int,
    /// <summary>Unsigned 64-bit integer ("-5" is a parse error).</summary>
    Uint,
    /// <summary>Go duration text such as "5s", "100ms", "2h".</summary>
    Duration,
    /// <summary>Comma-separated URLs with scheme http, https, unix or unixs.</summary>
    Urls,
    /// <summary>One of a fixed set of values.</summary>
    Choice,
}
