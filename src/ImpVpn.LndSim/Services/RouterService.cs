using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>routerrpc.Router for one simulated node: payments as streams of lnrpc.Payment updates.</summary>
public sealed class RouterService(NodeContext nodeContext) : Router.RouterBase
{
    public override Task SendPaymentV2(SendPaymentRequest request, IServerStreamWriter<Payment> responseStream, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.PaymentRequest))
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "the simulator pays only payment requests (payment_request)");
        }

        // LND's rule: no fee limit given means no fee allowed.
        var feeLimitMsat = request.FeeLimitMsat != 0 ? request.FeeLimitMsat : request.FeeLimitSat * 1000;
        var options = PaymentLimits.From(request, feeLimitMsat, nodeContext.Network.DecodeForPayment(request.PaymentRequest));
        var payment = nodeContext.Network.Pay(nodeContext.Node.Name, request.PaymentRequest, options, RouteHints.FromProto(request.RouteHints));
        return FollowAsync(payment, request.NoInflightUpdates, responseStream, context.CancellationToken);
    }

    public override async Task<RouteFeeResponse> EstimateRouteFee(RouteFeeRequest request, ServerCallContext context)
    {
        if (nodeContext.Node.RouteFeeEstimationUnavailable)
        {
            throw SimErrors.Of(StatusCode.Unimplemented, "unknown method EstimateRouteFee for service routerrpc.Router");
        }

        var byDestination = request.Dest.Length > 0;
        if (byDestination == !string.IsNullOrEmpty(request.PaymentRequest))
        {
            throw SimErrors.Of(StatusCode.Unknown, "specify either a destination or an invoice");
        }

        if (!byDestination)
        {
            return await RouteEstimates.ByProbeAsync(nodeContext.Network, nodeContext.Node.Name, request.PaymentRequest, context.CancellationToken);
        }

        if (request.Dest.Length != 33)
        {
            throw SimErrors.Of(StatusCode.Unknown, "invalid length destination key");
        }

        if (request.AmtSat <= 0)
        {
            throw SimErrors.Of(StatusCode.Unknown, "amount must be greater than 0");
        }

        return RouteEstimates.FromGraph(nodeContext.Network, nodeContext.Node.Name, request.Dest.ToByteArray(), request.AmtSat);
    }

    public override Task TrackPaymentV2(TrackPaymentRequest request, IServerStreamWriter<Payment> responseStream, ServerCallContext context)
    {
        var payment = nodeContext.Network.FindPayment(nodeContext.Node.Name, request.PaymentHash.ToByteArray()) ?? throw SimErrors.UnknownPayment();
        return FollowAsync(payment, request.NoInflightUpdates, responseStream, context.CancellationToken);
    }

    private async Task FollowAsync(SimPayment payment, bool finalOnly, IServerStreamWriter<Payment> responseStream, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var (changed, snapshot, final) = nodeContext.Network.Read(() => (payment.Changed.Task, payment.ToProto(), payment.IsFinal));
                if (final || !finalOnly)
                {
                    await responseStream.WriteAsync(snapshot, cancellationToken);
                }

                if (final)
                {
                    return;
                }

                await changed.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
