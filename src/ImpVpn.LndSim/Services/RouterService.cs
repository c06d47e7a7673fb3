using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>routerrpc.Router for one simulated node: payments as streams of lnrpc.Payment updates.</summary>
public sealed class RouterService(NodeContext context) : Router.RouterBase
{
    public override Task SendPaymentV2(SendPaymentRequest request, IServerStreamWriter<Payment> stream, ServerCallContext call)
    {
        if (string.IsNullOrEmpty(request.PaymentRequest))
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "the simulator pays only payment requests (payment_request)");
        }

        // LND's rule: no fee limit given means no fee allowed.
        var feeLimitMsat = request.FeeLimitMsat != 0 ? request.FeeLimitMsat : request.FeeLimitSat * 1000;
        var payment = context.Network.Pay(context.Node.Name, request.PaymentRequest, feeLimitMsat);
        return FollowAsync(payment, request.NoInflightUpdates, stream, call.CancellationToken);
    }

    public override Task TrackPaymentV2(TrackPaymentRequest request, IServerStreamWriter<Payment> stream, ServerCallContext call)
    {
        var payment = context.Network.FindPayment(context.Node.Name, request.PaymentHash.ToByteArray()) ?? throw SimErrors.UnknownPayment();
        return FollowAsync(payment, request.NoInflightUpdates, stream, call.CancellationToken);
    }

    private async Task FollowAsync(SimPayment payment, bool finalOnly, IServerStreamWriter<Payment> stream, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var (changed, snapshot, final) = context.Network.Read(() => (payment.Changed.Task, payment.ToProto(), payment.IsFinal));
                if (final || !finalOnly)
                {
                    await stream.WriteAsync(snapshot, cancellationToken);
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
