namespace Etcd.Ctl.V2;

/// <summary>Ends a v2 command with an exit code; what it had to say is already on stderr.</summary>
public sealed class V2ExitException(int code) : Exception("exit " + code)
{
    public int Code { get; } = code;
}

/// <summary>A failed request, with the text Go's v2 client gives it.</summary>
public class V2RequestException(string message, bool isConnection = false) : Exception(message)
{
    /// <summary>A dial/read failure or timeout (etcdctl exits 2 for these during sync).</summary>
    public bool IsConnection { get; } = isConnection;
}

/// <summary>Every endpoint failed (Go's client.ClusterError).</summary>
public sealed class V2ClusterException(IReadOnlyList<V2RequestException> errors)
    : V2RequestException(Describe(errors), AllConnection(errors))
{
    public IReadOnlyList<V2RequestException> Errors { get; } = errors;

    public string Detail()
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < Errors.Count; i++)
        {
            sb.Append("error #").Append(i).Append(": ").Append(Errors[i].Message).Append('\n');
        }

        return sb.ToString();
    }

    private static string Describe(IReadOnlyList<V2RequestException> errors)
    {
        var sb = new System.Text.StringBuilder("client: etcd cluster is unavailable or misconfigured");
        for (int i = 0; i < errors.Count; i++)
        {
            sb.Append("; error #").Append(i).Append(": ").Append(errors[i].Message).Append('\n');
        }

        return sb.ToString();
    }

    private static bool AllConnection(IReadOnlyList<V2RequestException> errors)
    {
        foreach (V2RequestException e in errors)
        {
            if (!e.IsConnection)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>etcdctl v2's exit codes.</summary>
public static class V2ExitCode
{
    public const int Success = 0;
    public const int BadArgs = 1;
    public const int BadConnection = 2;
    public const int BadAuth = 3;
    public const int ServerError = 4;
    public const int ClusterNotHealthy = 5;
}

/// <summary>An answer that is not etcd's JSON (the client's ErrInvalidJSON).</summary>
public sealed class V2InvalidJsonException()
    : V2RequestException("client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint");

/// <summary>The server's v2 error (client.Error): "100: Key not found (/a) [4]".</summary>
public sealed class V2ServerException(int code, string message, string cause, ulong index)
    : V2RequestException(code + ": " + message + " (" + cause + ") [" + index + "]")
{
    public int ErrorCode { get; } = code;
}
