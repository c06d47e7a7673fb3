namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// A seller that forwards ports: TCP to one of its public ports, arriving on any interface but the WireGuard one (or
/// made on the seller's host itself), is forwarded (DNAT) to the tunnel address of the buyer that port is reserved
/// for, on <see cref="TargetPort"/>, while that buyer is admitted (paid). The port-to-buyer map entries come with
/// each admission (<see cref="BuyerAdmission.ForwardedPort"/>) and lapse with it; the forward filter lets through
/// only such forwarded connections to admitted buyers on <see cref="TargetPort"/>, and their replies.
/// </summary>
public sealed record SellerPortForwardRules
{
    public SellerPortForwardRules(int targetPort)
    {
        TargetPort = targetPort is >= 1 and <= 65535
            ? targetPort
            : throw new ArgumentOutOfRangeException(nameof(targetPort), targetPort, $"{targetPort} is not a TCP port (1-65535).");
    }

    /// <summary>The buyer's port every forwarded connection goes to: the Lightning p2p port.</summary>
    public int TargetPort { get; }
}
