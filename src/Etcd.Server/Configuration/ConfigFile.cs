using System.Globalization;
using Etcd.Api.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Etcd.Server.Configuration;

/// <summary>
/// etcd's --config-file: a YAML map whose keys are the flag names (etcd's embed config), with
/// TLS settings under client-transport-security and peer-transport-security, lists for
/// log-outputs and cipher-suites, and durations as integer nanoseconds (Go's time.Duration in
/// JSON; Go duration text is also taken). Unknown keys are ignored, as etcd's JSON decoding
/// ignores them. Read with YamlDotNet's representation model, which needs no reflection (Native AOT).
/// </summary>
public static class ConfigFile
{
    // The two TLS sections: their keys and the flags they set.
    private static readonly Dictionary<string, string> ClientSecurity = new(StringComparer.Ordinal)
    {
        ["cert-file"] = "cert-file",
        ["key-file"] = "key-file",
        ["client-cert-file"] = "client-cert-file",
        ["client-key-file"] = "client-key-file",
        ["client-cert-auth"] = "client-cert-auth",
        ["trusted-ca-file"] = "trusted-ca-file",
        ["auto-tls"] = "auto-tls",
        ["crl-file"] = "client-crl-file",
        ["allowed-hostname"] = "client-cert-allowed-hostname",
    };

    private static readonly Dictionary<string, string> PeerSecurity = new(StringComparer.Ordinal)
    {
        ["cert-file"] = "peer-cert-file",
        ["key-file"] = "peer-key-file",
        ["client-cert-file"] = "peer-client-cert-file",
        ["client-key-file"] = "peer-client-key-file",
        ["client-cert-auth"] = "peer-client-cert-auth",
        ["trusted-ca-file"] = "peer-trusted-ca-file",
        ["auto-tls"] = "peer-auto-tls",
        ["crl-file"] = "peer-crl-file",
        ["allowed-cn"] = "peer-cert-allowed-cn",
        ["allowed-hostname"] = "peer-cert-allowed-hostname",
    };

    // Keys that are command-line only.
    private static readonly HashSet<string> NotInFile = new(StringComparer.Ordinal) { "config-file", "version" };

    /// <summary>Reads the file into (flag, value text) pairs; a file etcd cannot read is a <see cref="FlagError"/>.</summary>
    public static List<KeyValuePair<string, string>> Read(string path, IReadOnlyCollection<FlagDefinition> flags)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlagError(e is FileNotFoundException or DirectoryNotFoundException ? $"open {path}: no such file or directory" : $"open {path}: {e.Message}", 1, false);
        }
        return Parse(text, flags);
    }

    public static List<KeyValuePair<string, string>> Parse(string text, IReadOnlyCollection<FlagDefinition> flags)
    {
        var kinds = new Dictionary<string, FlagKind>(StringComparer.Ordinal);
        foreach (var flag in flags) kinds[flag.Name] = flag.Kind;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FlagError("error converting YAML to JSON: yaml: " + e.Message, 1, false);
        }
        var values = new List<KeyValuePair<string, string>>();
        if (stream.Documents.Count == 0) return values;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new FlagError("error unmarshaling JSON: the config file is not a map of keys to values", 1, false);
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (key is "client-transport-security" or "peer-transport-security")
            {
                if (valueNode is not YamlMappingNode section) continue;
                var map = key == "client-transport-security" ? ClientSecurity : PeerSecurity;
                foreach (var (subKey, subValue) in section.Children)
                {
                    if (subKey is YamlScalarNode { Value: { } name } && map.TryGetValue(name, out var flag)) Add(values, kinds, flag, subValue);
                }
                continue;
            }
            if (NotInFile.Contains(key) || !kinds.ContainsKey(key)) continue;
            Add(values, kinds, key, valueNode);
        }
        return values;
    }

    private static void Add(List<KeyValuePair<string, string>> values, Dictionary<string, FlagKind> kinds, string flag, YamlNode node)
    {
        string? text = node switch
        {
            YamlScalarNode scalar => Scalar(scalar, kinds[flag]),
            YamlSequenceNode list => string.Join(',', list.Children.OfType<YamlScalarNode>().Select(item => item.Value ?? "")),
            _ => throw new FlagError($"error unmarshaling JSON: {flag} must be a value or a list", 1, false),
        };
        if (text is not null) values.Add(new(flag, text));
    }

    private static string? Scalar(YamlScalarNode scalar, FlagKind kind)
    {
        var value = scalar.Value;
        // A plain null (empty, "~" or "null") leaves the default, as JSON null does in Go.
        if (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && (value is null or "" or "~" or "null" or "Null" or "NULL")) return null;
        value ??= "";
        if (kind == FlagKind.Bool && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain)
        {
            // YAML 1.1's booleans, which etcd's YAML library (go-yaml v2) knows.
            return value.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" or "y" => "true",
                "false" or "no" or "off" or "n" => "false",
                _ => value,
            };
        }
        if (kind == FlagKind.Duration && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var nanoseconds))
            return GoDuration.Format(TimeSpan.FromTicks(nanoseconds / 100));
        return value;
    }
}
