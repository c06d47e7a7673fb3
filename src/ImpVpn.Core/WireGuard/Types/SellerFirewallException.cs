namespace ImpVpn.Core.WireGuard.Types;

/// <summary>The seller's interface could not be closed to buyers: no firewall on this machine, the firewall tool
/// missing, or the tool refusing the rules. A seller stops here rather than serve buyers on an open host.</summary>
public sealed class SellerFirewallException(string interfaceName, string fact, Exception? inner = null)
    : WireGuardException($"The firewall of interface '{interfaceName}' could not be set: {fact}", inner)
{
    public string InterfaceName { get; } = interfaceName;

    /// <summary>True when this machine has no firewall ImpVpn can drive (not a failure of one that exists).</summary>
    public bool Unavailable { get; init; }

    /// <summary>The exit's egress interface, when it is what is missing (no interface of that name here).</summary>
    public string? MissingEgressInterface { get; init; }
}
