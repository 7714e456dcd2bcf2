namespace Etcd.Server.JsonGateway;

/// <summary>A request body value larger than the gateway takes; answered as gRPC's ResourceExhausted, as the call would be refused.</summary>
public sealed class GatewayBodyTooLargeException(long read, long limit)
    : Exception($"grpc: received message larger than max ({read} vs. {limit})");
