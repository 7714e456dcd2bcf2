using Grpc.Core;

namespace Etcd.Client;

/// <summary>Renders call failures the way etcd's Go client reports them, since scripts match on the text.</summary>
public static class EtcdErrorText
{
    /// <summary>The message etcd's Go client would give for this failure.</summary>
    /// <param name="error">The failure.</param>
    /// <param name="deadlineExpired">True when the caller's own deadline or cancellation ended the call.</param>
    public static string Describe(RpcException error, bool deadlineExpired = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (deadlineExpired || (error.StatusCode == StatusCode.DeadlineExceeded && error.Status.Detail == "Deadline Exceeded"))
        {
            return "context deadline exceeded";
        }

        if (error.StatusCode == StatusCode.Cancelled && error.Status.Detail == "Call canceled by the client.")
        {
            return "context canceled";
        }

        // The Go client turns every server error it knows ("etcdserver: ...") into a bare message.
        string detail = error.Status.Detail;
        if (detail.StartsWith("etcdserver: ", StringComparison.Ordinal))
        {
            return detail;
        }

        return GrpcStatusText(error.StatusCode, detail);
    }

    /// <summary>grpc-go's rendering of a status: "rpc error: code = X desc = Y".</summary>
    public static string GrpcStatusText(StatusCode code, string detail)
        => "rpc error: code = " + GoCodeName(code) + " desc = " + detail;

    // grpc-go's names; they match the C# enum except for the spelling of Canceled.
    private static string GoCodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "Canceled",
        StatusCode.Unknown => "Unknown",
        StatusCode.InvalidArgument => "InvalidArgument",
        StatusCode.DeadlineExceeded => "DeadlineExceeded",
        StatusCode.NotFound => "NotFound",
        StatusCode.AlreadyExists => "AlreadyExists",
        StatusCode.PermissionDenied => "PermissionDenied",
        StatusCode.ResourceExhausted => "ResourceExhausted",
        StatusCode.FailedPrecondition => "FailedPrecondition",
        StatusCode.Aborted => "Aborted",
        StatusCode.OutOfRange => "OutOfRange",
        StatusCode.Unimplemented => "Unimplemented",
        StatusCode.Internal => "Internal",
        StatusCode.Unavailable => "Unavailable",
        StatusCode.DataLoss => "DataLoss",
        StatusCode.Unauthenticated => "Unauthenticated",
        _ => "Code(" + ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")",
    };
}
