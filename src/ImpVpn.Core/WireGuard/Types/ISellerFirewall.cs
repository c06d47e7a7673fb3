namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// What closes a seller's host to its buyers: a packet filter on the seller's WireGuard interface that lets a buyer
/// reach only what <see cref="SellerFirewallRules"/> grants. A backend per platform (nftables on Linux); a host
/// without one has none, and a seller then refuses to start unless told the host is guarded otherwise.
/// </summary>
/// <remarks>
/// The filter also holds each buyer's paid time: a buyer's tunnel address passes only while it is admitted, and an
/// admission lapses by itself when its time is up (kept by the packet filter, not by the seller's process), so a
/// peer left on the interface by a seller that stopped or died is cut off at its expiry all the same.
/// </remarks>
public interface ISellerFirewall
{
    /// <summary>Puts <paramref name="rules"/> in place for their interface with <paramref name="admitted"/> as its
    /// only admissions, replacing what an earlier run put there, in one step: the interface is never without a filter
    /// in between, and a buyer admitted before and in <paramref name="admitted"/> never loses its admission. The
    /// interface need not exist yet. Returns what it changed on the host beyond its filter (an exit's forwarding, an
    /// interface's accept_ra), said for the seller's log; empty when nothing.</summary>
    /// <exception cref="SellerFirewallException">The filter could not be put in place.</exception>
    Task<IReadOnlyList<string>> ApplyAsync(SellerFirewallRules rules, IReadOnlyCollection<BuyerAdmission> admitted, CancellationToken cancellationToken);

    /// <summary>Takes the filter of <paramref name="interfaceName"/> away, and puts back what an exit's filter changed on
    /// the host (forwarding it turned on); nothing happens when there is none.</summary>
    /// <exception cref="SellerFirewallException">The filter could not be taken away.</exception>
    Task RemoveAsync(string interfaceName, CancellationToken cancellationToken);

    /// <summary>Lets each buyer address through the filter of <paramref name="interfaceName"/> for its time from now,
    /// replacing any earlier admission of that address (a refresh lengthens it, a withdrawn refresh shortens it), all
    /// in one step. The filter must be in place.</summary>
    /// <exception cref="SellerFirewallException">The admissions could not be made (then none is).</exception>
    Task AdmitAsync(string interfaceName, IReadOnlyCollection<BuyerAdmission> admissions, CancellationToken cancellationToken);

    /// <summary>Ends the admission of <paramref name="buyerTunnelAddress"/> now, and the forwarding of
    /// <paramref name="forwardedPort"/> (the public port its contract held, if any) with it; nothing happens when there
    /// is none.</summary>
    /// <remarks>The port goes too: the address returns to the pool, and a forwarding left until its timeout would lead
    /// the old public port to whoever is given the address next.</remarks>
    /// <exception cref="SellerFirewallException">The admission could not be ended.</exception>
    Task RevokeAsync(string interfaceName, System.Net.IPAddress buyerTunnelAddress, int? forwardedPort, CancellationToken cancellationToken);
}
