using System.Text;
using Etcd.Server.Core;

namespace Etcd.Server.Configuration;

/// <summary>The help and version texts (our own wording; the version lines keep etcd's labels, which scripts parse).</summary>
public static class Usage
{
    public static string Text()
    {
        var text = new StringBuilder();
        text.Append("Usage:\n\n  etcd [flags]\n    Start an etcd member.\n\n  etcd --version\n    Print the version and exit.\n\n");
        text.Append("  etcd -h | --help\n    Print this help and exit.\n\nFlags:\n");
        foreach (var flag in EtcdFlags.All)
        {
            text.Append("  --").Append(flag.Name);
            if (flag.Kind != FlagKind.Bool || flag.Default != "false") text.Append(" '").Append(flag.Default).Append('\'');
            text.Append("\n    ").Append(flag.Usage).Append('\n');
            if (FlagSupport.Claims.TryGetValue(flag.Name, out var claim))
            {
                if (claim.Kind == FlagSupportKind.NotApplicable) text.Append("    Has no effect here: ").Append(claim.Note).Append(".\n");
                else if (claim.Kind == FlagSupportKind.Refused) text.Append("    Not supported: ").Append(claim.Note).Append("; a value other than the default stops the server.\n");
            }
        }
        return text.ToString();
    }

    public static string VersionText() =>
        $"etcd Version: {EtcdServer.Version}\nGit SHA: {GitSha()}\nGo Version: not applicable (.NET {System.Environment.Version})\nGo OS/Arch: linux/amd64\n";

    private static string GitSha() =>
        typeof(Usage).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is
            [System.Reflection.AssemblyInformationalVersionAttribute { InformationalVersion: var v }] && v.Contains('+')
            ? v[(v.IndexOf('+') + 1)..] : "Not provided";
}
