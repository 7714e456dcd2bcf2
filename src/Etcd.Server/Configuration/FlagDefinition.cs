namespace Etcd.Server.Configuration;

/// <summary>One command-line flag: its name without dashes, kind, default text and help line.</summary>
public sealed record FlagDefinition(string Name, FlagKind Kind, string Default, string Usage, string[]? Choices = null)
{
    /// <summary>The environment variable that may set this flag: ETCD_ + upper snake case.</summary>
    public string EnvironmentName => "ETCD_" + Name.ToUpperInvariant().Replace('-', '_');
}
