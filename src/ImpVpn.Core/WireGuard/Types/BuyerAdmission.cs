using System.Net;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A buyer's tunnel address and how much longer it may pass the seller's filter.</summary>
public sealed record BuyerAdmission(IPAddress BuyerTunnelAddress, TimeSpan PaidFor)
{
    /// <summary>A port-forward buyer's public port, forwarded to it for the same time (<see cref="SellerPortForwardRules"/>);
    /// null for other buyers.</summary>
    public int? ForwardedPort { get; init; }

    /// <summary>Whether the buyer paid for an exit: only then may its packets leave by the seller's egress interface
    /// (a node-to-node buyer of an exit-selling seller still reaches nothing beyond the seller's tunnel address).</summary>
    public bool Exit { get; init; }
}
