using System.Net;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A buyer's tunnel address and how much longer it may pass the seller's filter.</summary>
public sealed record BuyerAdmission(IPAddress BuyerTunnelAddress, TimeSpan PaidFor);
