using Grpc.Core;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Lightning.Tests.Client;

/// <summary>How gRPC failures become typed errors, for the failures a live simulator cannot produce on demand
/// (they depend on the moment a node goes away).</summary>
public sealed class ErrorMappingTests
{
    private static readonly LndConnectionOptions Options = new("127.0.0.1", 10009, null, [1, 2, 3], "regtest");

    [Fact]
    public void A_connection_the_node_closes_while_a_call_starts_means_the_node_is_unreachable()
    {
        // What Grpc.Net.Client reports when LND shuts down as a call begins (HTTP/2 GOAWAY with NO_ERROR).
        var closed = new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call. HttpRequestException: The HTTP/2 server closed the connection.",
            new HttpRequestException("The HTTP/2 server closed the connection.")));

        var mapped = LndErrorMapper.Map(closed, "GetInfo", Options, new PinnedCertificateHandler(null));

        var unreachable = Assert.IsType<NodeUnreachableException>(mapped);
        Assert.Contains("127.0.0.1:10009", unreachable.Message);
    }

    [Fact]
    public void An_internal_error_of_lnd_itself_stays_an_rpc_error()
    {
        var internalError = new RpcException(new Status(StatusCode.Internal, "unable to find a path to destination"));

        var mapped = LndErrorMapper.Map(internalError, "SendPaymentV2", Options, new PinnedCertificateHandler(null));

        Assert.IsNotType<NodeUnreachableException>(mapped);
        Assert.Contains("unable to find a path", mapped.Message);
    }

    [Fact]
    public void An_answer_larger_than_the_client_takes_is_a_typed_error_naming_the_call_and_the_limit()
    {
        // What Grpc.Net.Client reports when an answer exceeds MaxReceiveMessageSize.
        var tooLarge = new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));

        var mapped = LndErrorMapper.Map(tooLarge, "DescribeGraph", Options, new PinnedCertificateHandler(null));

        var large = Assert.IsType<ResponseTooLargeException>(mapped);
        Assert.Equal(200 * 1024 * 1024, large.LimitBytes);
        Assert.Contains("DescribeGraph", large.Message);
        Assert.Contains("200 MB", large.Message);
    }
}
