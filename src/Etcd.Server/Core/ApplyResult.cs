using Google.Protobuf;

namespace Etcd.Server.Core;

/// <summary>What applying one entry produced for the client that proposed it: a response or an error.</summary>
public readonly record struct ApplyResult(IMessage? Response, Api.EtcdException? Error)
{
    public static ApplyResult Of(IMessage response) => new(response, null);
    public static ApplyResult Failed(Api.EtcdException error) => new(null, error);

    /// <summary>A v2 request's outcome (v2 answers are events and v2 errors, not protobuf messages).</summary>
    public V2.Apply.V2Outcome? V2 { get; init; }

    public static ApplyResult OfV2(V2.Apply.V2Outcome outcome) => new(null, null) { V2 = outcome };
}
