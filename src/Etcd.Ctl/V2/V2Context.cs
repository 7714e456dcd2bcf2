using Etcd.Ctl.Output;

namespace Etcd.Ctl.V2;

/// <summary>
/// What a v2 command sees (urfave/cli's Context): the global flags, its own flags and arguments,
/// the console and the environment; the HTTP client is made on first use.
/// </summary>
public sealed class V2Context
{
    private V2Client? _client;

    public required GoFlagSet Global { get; init; }

    public required GoFlagSet Flags { get; init; }

    public required ConsoleOutput Out { get; init; }

    public required ConsoleOutput Err { get; init; }

    public required Func<Stream> OpenStdin { get; init; }

    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>"etcdctl member list" for a subcommand: names the command in messages.</summary>
    public required string CommandPath { get; init; }

    public IReadOnlyList<string> Args => Flags.Args;

    public string Output => Global.GetString("output");

    public TimeSpan TotalTimeout => Global.GetDuration("total-timeout");

    public string Env(string name) => Environment.TryGetValue(name, out string? value) ? value : "";

    /// <summary>A client that synchronised its endpoints with the cluster first (unless --no-sync).</summary>
    public async Task<V2Client> ClientAsync()
    {
        if (_client is null)
        {
            _client = V2Client.Create(this);
            if (!Global.GetBool("no-sync"))
            {
                await _client.SyncAsync(this).ConfigureAwait(false);
            }

            if (Global.GetBool("debug"))
            {
                Err.WriteLine("Cluster-Endpoints: " + string.Join(", ", _client.Endpoints));
            }
        }

        return _client;
    }

    /// <summary>A client without the sync (cluster-health).</summary>
    public V2Client ClientNoSync()
    {
        if (_client is null)
        {
            _client = V2Client.Create(this);
            if (Global.GetBool("debug"))
            {
                Err.WriteLine("Cluster-Endpoints: " + string.Join(", ", _client.Endpoints));
            }
        }

        return _client;
    }

    /// <summary>etcdctl's handleError: "Error:  " and the error, the cluster detail, then exit.</summary>
    public V2ExitException Fail(int code, Exception error)
    {
        Out.Flush();
        Err.WriteLine("Error:  " + error.Message);
        if (error is V2ClusterException cluster)
        {
            Err.WriteLine(cluster.Detail());
        }

        if (error is V2InvalidJsonException)
        {
            // Ours, not etcdctl's: the usual cause is a server started without the v2 API.
            Err.WriteLine(Cli.NewcomerHints.NoV2Api);
        }

        return new V2ExitException(code);
    }

    public V2ExitException Fail(int code, string message) => Fail(code, new V2RequestException(message));

    /// <summary>A message on stderr (fmt.Fprintln(os.Stderr, ...)) and the exit code.</summary>
    public V2ExitException Exit(int code, string stderrLine)
    {
        Out.Flush();
        Err.WriteLine(stderrLine);
        return new V2ExitException(code);
    }
}
