namespace Etcd.Ctl.Commands;

/// <summary>An etcd call failed; Message is the text etcdctl prints for it (after "Error: ").</summary>
public sealed class CallFailedException(string message, Grpc.Core.StatusCode code) : Exception(message)
{
    public Grpc.Core.StatusCode Code { get; } = code;
}
