namespace ImpVpn.Core.Selling;

/// <summary>A seller told to sell port forwards that cannot deliver them: no public address or port range, or no
/// firewall of ImpVpn's to forward with (<see cref="SellerOptions.ManageFirewall"/> off, configuration only, no
/// WireGuard here). Raised before the seller starts, so no buyer pays for a port that would never be forwarded.</summary>
public sealed class PortForwardConfigurationException(string message) : ArgumentException(message)
{
}
