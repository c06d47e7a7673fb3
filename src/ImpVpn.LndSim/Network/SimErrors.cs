using Grpc.Core;

namespace ImpVpn.LndSim.Network;

/// <summary>The errors LND returns, with the status codes and texts clients depend on.</summary>
internal static class SimErrors
{
    public static RpcException Of(StatusCode code, string detail) => new(new Status(code, detail));

    public static RpcException PeerNotConnected() => Of(StatusCode.NotFound, "peer is not connected");

    public static RpcException UnknownInvoice() => Of(StatusCode.NotFound, "unable to locate invoice");

    public static RpcException UnknownPayment() => Of(StatusCode.NotFound, "payment isn't initiated");

    public static RpcException AlreadyPaid() => Of(StatusCode.AlreadyExists, "invoice is already paid");

    public static RpcException InTransition() => Of(StatusCode.AlreadyExists, "payment is in transition");
}
