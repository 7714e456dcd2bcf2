using Etcd.Server.JsonGateway;
using Grpc.Core;

namespace Etcd.Server.Tests.Gateway;

/// <summary>The error bodies of etcd 3.4's gateway, which clients and etcd's e2e tests match on.</summary>
public sealed class GatewayErrorsTests
{
    [Fact]
    public void ACallFailureCarriesTheMessageTwiceAndTheGrpcCode()
    {
        Assert.Equal("{\"error\":\"\\\"leader\\\" field must be provided\",\"message\":\"\\\"leader\\\" field must be provided\",\"code\":2}",
            GatewayErrors.Body(StatusCode.Unknown, "\"leader\" field must be provided"));
        Assert.Equal("{\"code\":12}", GatewayErrors.Body(StatusCode.Unimplemented, ""));
    }

    [Fact]
    public void AStreamFailureIsAnErrorChunk()
    {
        Assert.Equal("{\"error\":{\"grpc_code\":5,\"http_code\":404,\"message\":\"etcdserver: requested lease not found\",\"http_status\":\"Not Found\"}}",
            GatewayErrors.StreamChunk(StatusCode.NotFound, "etcdserver: requested lease not found"));
    }

    [Theory]
    [InlineData(StatusCode.Unknown, 500)]
    [InlineData(StatusCode.InvalidArgument, 400)]
    [InlineData(StatusCode.NotFound, 404)]
    [InlineData(StatusCode.FailedPrecondition, 412)]
    [InlineData(StatusCode.Unavailable, 503)]
    [InlineData(StatusCode.Cancelled, 408)]
    [InlineData(StatusCode.ResourceExhausted, 429)]
    public void MapsGrpcCodesToHttpStatusesAsGrpcGatewayDoes(StatusCode code, int status) =>
        Assert.Equal(status, GatewayErrors.HttpStatus(code));
}
