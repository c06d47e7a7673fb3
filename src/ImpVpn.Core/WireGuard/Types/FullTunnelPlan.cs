using System.Net;
using System.Net.Sockets;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// Everything a full tunnel (an exit bought by this machine) changes on the host, decided before anything changes:
/// the routing table and firewall mark, the families routed into the tunnel or blocked, what stays outside it, the
/// resolvers, the kill switch, and how DNS was set (with what it replaced). The buyer writes it to its store before
/// <see cref="IFullTunnelRouting.ApplyAsync"/> changes anything, so a removal, also after a crash, undoes exactly this.
/// </summary>
public sealed record FullTunnelPlan
{
    /// <summary>The tunnel's interface: the default route's device, the kill switch's allowed output.</summary>
    public required string InterfaceName { get; init; }

    /// <summary>The routing table holding the tunnel's default route; also the interface's firewall mark, which keeps
    /// the tunnel's own UDP out of that table (wg-quick's scheme). 0 until <see cref="IFullTunnelRouting.PlanAsync"/>
    /// chooses a free one.</summary>
    public int Table { get; init; }

    /// <summary>The seller's WireGuard endpoint, ip:port: the one UDP destination the kill switch lets out unencrypted.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The buyer's address inside the tunnel (packets to it from outside the tunnel are dropped as spoofed).</summary>
    public required string BuyerTunnelAddress { get; init; }

    /// <summary>The address families the tunnel carries (0.0.0.0/0, ::/0 in its allowed IPs); the other family is
    /// blocked while the tunnel is up, never sent around it.</summary>
    public required IReadOnlyList<string> RoutedFamilies { get; init; }

    /// <summary>TCP ports (the Lightning node's p2p port) whose traffic, either way, stays on the main table.</summary>
    public IReadOnlyList<int> KeepOutsidePorts { get; init; } = [];

    /// <summary>Addresses (the node's connected peers) whose traffic stays on the main table.</summary>
    public IReadOnlyList<string> KeepOutsideAddresses { get; init; } = [];

    /// <summary>The tunnel's resolvers, the only DNS servers the kill switch lets queries reach.</summary>
    public IReadOnlyList<string> Resolvers { get; init; } = [];

    /// <summary>Whether nothing may leave outside the tunnel (nftables) while it is meant to be up.</summary>
    public bool KillSwitch { get; init; } = true;

    /// <summary>How DNS was pointed at the resolvers, and what it replaced; null when the tunnel named none.</summary>
    public TunnelDnsChange? Dns { get; init; }

    public const string IPv4 = "ipv4";
    public const string IPv6 = "ipv6";

    /// <summary>Whether <paramref name="family"/> (<see cref="IPv4"/>, <see cref="IPv6"/>) goes through the tunnel.</summary>
    public bool Routes(string family) => RoutedFamilies.Contains(family);

    /// <summary>Whether an address carries a scope (an IPv6 link-local with %zone), which no rule can hold.</summary>
    public static bool HasScope(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0;
    }

    /// <summary>The family name of an address.</summary>
    public static string FamilyOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6 : IPv4;
    }
}

/// <summary>How a full tunnel's DNS was set.</summary>
public enum TunnelDnsMethod
{
    /// <summary>systemd-resolved manages the system's resolv.conf: the tunnel's interface got the resolvers and the
    /// catch-all routing domain <c>~.</c> (resolvectl); undone by <c>resolvectl revert</c>, or with the interface.</summary>
    Resolved,

    /// <summary>resolv.conf was rewritten in place (it may be a bind mount, so never replaced by rename); the original
    /// text is kept here and written back.</summary>
    ResolvConf,

    /// <summary>Windows: the interface's DNS servers set with netsh.</summary>
    Netsh,
}

/// <summary>One DNS change, recorded before it is made.</summary>
/// <param name="FilePath">ResolvConf: the file rewritten.</param>
/// <param name="OriginalText">ResolvConf: the file's text before; null when there was no file.</param>
/// <param name="WrittenText">ResolvConf: what ImpVpn wrote; the original goes back only over this.</param>
public sealed record TunnelDnsChange(TunnelDnsMethod Method, string? FilePath = null, string? OriginalText = null, string? WrittenText = null);
