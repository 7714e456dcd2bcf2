using System.Text.RegularExpressions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Blanks out what legitimately differs between two members given the same commands: their
/// ports, ids, term, timings, versions and on-disk sizes. Everything else must match byte for byte.
/// </summary>
public static partial class OutputNormalizer
{
    public static string Normalize(string text, params int[] ports)
    {
        foreach (var port in ports) text = text.Replace(port.ToString(System.Globalization.CultureInfo.InvariantCulture), "PORT");
        text = JsonIds().Replace(text, m => $"\"{m.Groups[1].Value}\":ID");
        text = FieldIds().Replace(text, m => $"\"{m.Groups[1].Value}\" : ID");
        text = Took().Replace(text, "took = T");
        // etcdctl's own log lines carry a time stamp and a random client id.
        text = LogTime().Replace(text, "\"ts\":\"T\"");
        text = ClientId().Replace(text, "client-ID");
        text = HexId().Replace(text, "HEXID");
        return text;
    }

    [GeneratedRegex("\"(cluster_id|member_id|raft_term|leader|ID)\":\\d+")]
    private static partial Regex JsonIds();

    [GeneratedRegex("\"(ClusterID|MemberID|RaftTerm)\" : \\d+")]
    private static partial Regex FieldIds();

    [GeneratedRegex("\"ts\":\"[^\"]*\"")]
    private static partial Regex LogTime();

    [GeneratedRegex("client-[0-9a-f-]{36}")]
    private static partial Regex ClientId();

    [GeneratedRegex(@"took = [0-9.]+[µnm]?s")]
    private static partial Regex Took();

    // Member and lease ids printed with %x: a lease id whose top byte is zero has fewer than 16
    // digits (CI saw 14), so anything from 12 digits up counts as an id.
    [GeneratedRegex(@"\b[0-9a-f]{12,16}\b")]
    private static partial Regex HexId();
}
