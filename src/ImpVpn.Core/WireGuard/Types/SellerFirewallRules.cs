using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// What buyers may reach through a seller's WireGuard interface: the seller's tunnel address, answering ping (a
/// buyer proves its tunnel works that way) and TCP on <see cref="AllowedTcpPorts"/>; other buyers only with
/// <see cref="AllowBuyerToBuyer"/>; nothing else. Every value is checked against a strict grammar here, because
/// each ends up in a firewall script run as root: a name or address that could carry a second statement must
/// never get that far.
/// </summary>
public sealed partial record SellerFirewallRules
{
    public SellerFirewallRules(string interfaceName, IPAddress sellerTunnelAddress, IReadOnlyList<int> allowedTcpPorts, bool allowBuyerToBuyer)
    {
        ArgumentNullException.ThrowIfNull(sellerTunnelAddress);
        ArgumentNullException.ThrowIfNull(allowedTcpPorts);
        InterfaceName = ValidInterfaceName(interfaceName);
        SellerTunnelAddress = ValidAddress(sellerTunnelAddress);
        AllowedTcpPorts = ValidPorts(allowedTcpPorts);
        AllowBuyerToBuyer = allowBuyerToBuyer;
    }

    /// <summary>The seller's WireGuard interface: letters, digits, '_', '.' and '-', starting with a letter or
    /// digit, at most 15 characters (stricter than Linux, which also takes quotes and wildcards a filter script
    /// would read as syntax).</summary>
    public string InterfaceName { get; }

    /// <summary>The seller's own address inside the tunnels, the only one buyers may reach.</summary>
    public IPAddress SellerTunnelAddress { get; }

    /// <summary>The TCP ports buyers may reach on <see cref="SellerTunnelAddress"/>, ascending, each once; may be
    /// empty (ping only).</summary>
    public IReadOnlyList<int> AllowedTcpPorts { get; }

    /// <summary>Whether packets from one buyer may go on to another through the seller.</summary>
    public bool AllowBuyerToBuyer { get; }

    /// <summary>When set, the seller is also an exit: admitted buyers reach the internet through its egress
    /// interface (and still nothing else). Null: node to node only.</summary>
    public SellerExitRules? Exit
    {
        get;
        init => field = value is null || !string.Equals(value.EgressInterfaceName, InterfaceName, StringComparison.Ordinal)
            ? value
            : throw new ArgumentException($"The egress interface cannot be the WireGuard interface '{InterfaceName}' itself.", nameof(value));
    }

    /// <summary>When set, the seller forwards public ports to admitted buyers' Lightning port (see
    /// <see cref="SellerPortForwardRules"/>). Null: no port is forwarded.</summary>
    public SellerPortForwardRules? PortForward { get; init; }

    public bool IsIPv6 => SellerTunnelAddress.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The name as given, when it fits the grammar of <see cref="InterfaceName"/>.</summary>
    /// <exception cref="ArgumentException">It does not.</exception>
    public static string ValidInterfaceName(string name) =>
        name is not null && InterfaceNameGrammar().IsMatch(name)
            ? name
            : throw new ArgumentException(
                $"'{name}' cannot be given to a firewall as an interface name: 1-{Types.InterfaceName.MaxLength} letters, digits, '_', '.' or '-', starting with a letter or digit.",
                nameof(name));

    /// <summary>A buyer's tunnel address, rendered for a filter script, when it could be one (the same grammar as
    /// the seller's own).</summary>
    /// <exception cref="ArgumentException">It could not.</exception>
    public static string ValidBuyerAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ValidAddress(address).ToString();
    }

    private static IPAddress ValidAddress(IPAddress address)
    {
        // A scope (fe80::1%eth0) renders with a '%' the filter would not parse, and a link-local or mapped address
        // is not one a tunnel pool hands out; what is left renders as plain dotted or colon notation.
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0) || address.IsIPv4MappedToIPv6 || address.IsIPv6LinkLocal
            || IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            throw new ArgumentException($"'{address}' cannot be a seller's tunnel address in a firewall rule.", nameof(address));
        }

        return address;
    }

    private static int[] ValidPorts(IReadOnlyList<int> ports)
    {
        foreach (var port in ports)
        {
            if (port is < 1 or > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(ports), port, $"{port} is not a TCP port (1-65535).");
            }
        }

        return [.. ports.Distinct().Order()];
    }

    // \z, not $: $ would also match before a final newline, which is a statement separator to nft.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,14}\z", RegexOptions.CultureInvariant)]
    private static partial Regex InterfaceNameGrammar();
}
