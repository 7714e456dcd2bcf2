using System.Text;
using System.Text.RegularExpressions;

namespace Etcd.Ctl.Tests;

/// <summary>
/// Removes what legitimately differs between two etcdctl runs: the Go client's zap log lines carry
/// a timestamp, a client pointer and (3.4 vs 3.5) different logger/caller fields, so only their
/// level and message are compared.
/// </summary>
public static partial class OutputNormalizer
{
    public static string Stderr(string stderr)
    {
        var sb = new StringBuilder();
        foreach (string line in stderr.Split('\n'))
        {
            if (line.StartsWith("{\"level\":", StringComparison.Ordinal))
            {
                Match level = LevelField().Match(line);
                Match msg = MsgField().Match(line);
                sb.Append("<log ").Append(level.Groups[1].Value).Append(": ").Append(msg.Groups[1].Value).Append(">\n");
                continue;
            }

            sb.Append(line).Append('\n');
        }

        return sb.ToString();
    }

    [GeneratedRegex("\"level\":\"([^\"]*)\"")]
    private static partial Regex LevelField();

    [GeneratedRegex("\"msg\":\"([^\"]*)\"")]
    private static partial Regex MsgField();
}
