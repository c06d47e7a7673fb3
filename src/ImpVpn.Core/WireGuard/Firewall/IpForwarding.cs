using System.Net.Sockets;

namespace ImpVpn.Core.WireGuard.Firewall;

/// <summary>
/// The sysctls an exit needs: without forwarding on, the kernel drops every buyer packet bound for the internet
/// before any rule sees it. The setting is per network namespace, so on a host (not a namespace) it is host-wide:
/// every interface forwards from then on, and the seller's table, not the setting, is what keeps buyers to the
/// egress interface. IPv6 forwarding also makes Linux ignore router advertisements on interfaces whose accept_ra is 1
/// (the default), so the egress interface gets accept_ra 2 first where it is 1 (docs/wireguard.md, "Exit rules").
/// What ImpVpn turned on is recorded in the seller's table (<see cref="HostChanges"/>) and put back when the table goes.
/// </summary>
internal static class IpForwarding
{
    public const string Sysctl = "sysctl";

    public static string Key(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";

    // Slashes, not dots: an interface name may hold a dot (eth0.100), which sysctl would read as a separator.
    public static string AcceptRaKey(string interfaceName) => "net/ipv6/conf/" + interfaceName + "/accept_ra";
}

/// <summary>What an exit changed on its host beyond its own table, kept as the table's comment so the record lives
/// exactly as long as the table: IPv4 or IPv6 forwarding that was off, and each egress interface whose accept_ra was
/// 1 (more than one when the egress changed between runs). Nothing that was already so is recorded, so nothing
/// someone else set is ever undone.</summary>
internal sealed record HostChanges(bool IPv4Forwarding, bool IPv6Forwarding, IReadOnlyList<string> AcceptRaInterfaces)
{
    public const string Marker = "impvpn turned on:";
    private const string AcceptRa = "accept_ra=2:";

    public static readonly HostChanges None = new(false, false, []);

    public bool Any => IPv4Forwarding || IPv6Forwarding || AcceptRaInterfaces.Count > 0;

    public HostChanges Merge(HostChanges other) =>
        new(IPv4Forwarding || other.IPv4Forwarding, IPv6Forwarding || other.IPv6Forwarding, [.. AcceptRaInterfaces.Union(other.AcceptRaInterfaces, StringComparer.Ordinal)]);

    /// <summary>The comment's text (only names from the interface grammar, never a quote).</summary>
    public string Comment()
    {
        var parts = new List<string>();
        if (IPv4Forwarding)
        {
            parts.Add("ipv4-forwarding");
        }

        if (IPv6Forwarding)
        {
            parts.Add("ipv6-forwarding");
        }

        parts.AddRange(AcceptRaInterfaces.Select(name => AcceptRa + name));
        return Marker + " " + string.Join(' ', parts);
    }

    /// <summary>The record in a listed table (nft list table), or <see cref="None"/>.</summary>
    public static HostChanges Parse(string listing)
    {
        var start = listing.IndexOf("comment \"" + Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return None;
        }

        start += "comment \"".Length + Marker.Length;
        var end = listing.IndexOf('"', start);
        var words = (end < 0 ? listing[start..] : listing[start..end]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var acceptRa = new List<string>();
        foreach (var word in words.Where(w => w.StartsWith(AcceptRa, StringComparison.Ordinal)))
        {
            try
            {
                acceptRa.Add(Types.SellerFirewallRules.ValidInterfaceName(word[AcceptRa.Length..]));
            }
            catch (ArgumentException)
            {
                // Not a name ImpVpn would have written: left alone.
            }
        }

        return new HostChanges(words.Contains("ipv4-forwarding"), words.Contains("ipv6-forwarding"), acceptRa);
    }
}
