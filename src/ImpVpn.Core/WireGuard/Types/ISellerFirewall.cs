namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// What closes a seller's host to its buyers: a packet filter on the seller's WireGuard interface that lets a buyer
/// reach only what <see cref="SellerFirewallRules"/> grants. A backend per platform (nftables on Linux); a host
/// without one has none, and a seller then refuses to start unless told the host is guarded otherwise.
/// </summary>
public interface ISellerFirewall
{
    /// <summary>Puts <paramref name="rules"/> in place for their interface, replacing what an earlier run put there,
    /// in one step: the interface is never without a filter in between. The interface need not exist yet.</summary>
    /// <exception cref="SellerFirewallException">The filter could not be put in place.</exception>
    Task ApplyAsync(SellerFirewallRules rules, CancellationToken cancellationToken);

    /// <summary>Takes the filter of <paramref name="interfaceName"/> away; nothing happens when there is none.</summary>
    /// <exception cref="SellerFirewallException">The filter could not be taken away.</exception>
    Task RemoveAsync(string interfaceName, CancellationToken cancellationToken);
}
