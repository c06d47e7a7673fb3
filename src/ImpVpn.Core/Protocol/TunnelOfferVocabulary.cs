namespace ImpVpn.Core.Protocol;

/// <summary>What a tunnel carries: node-to-node (the buyer reaches the seller's node only), exit (the buyer's
/// traffic leaves through the seller) or port-forward (a port of the seller's reaches the buyer).</summary>
public enum TunnelMode
{
    NodeToNode,
    Exit,
    PortForward,
}

/// <summary>Which addresses a tunnel gives the buyer: IPv4, IPv6, or one of each (dual).</summary>
public enum TunnelAddressFamily
{
    IPv4,
    IPv6,
    Dual,
}

/// <summary>
/// The offer vocabulary both roles share: the enums above and their wire names ("node-to-node", "exit",
/// "port-forward"; "ipv4", "ipv6", "dual"), kept in one place so that a buyer's request, a seller's refusal and the
/// quote promise always spell a mode or family the same way.
/// </summary>
public static class TunnelOfferVocabulary
{
    public static string WireName(TunnelMode mode) => mode switch
    {
        TunnelMode.NodeToNode => "node-to-node",
        TunnelMode.Exit => "exit",
        TunnelMode.PortForward => "port-forward",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a tunnel mode."),
    };

    public static string WireName(TunnelAddressFamily family) => family switch
    {
        TunnelAddressFamily.IPv4 => "ipv4",
        TunnelAddressFamily.IPv6 => "ipv6",
        TunnelAddressFamily.Dual => "dual",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Not an address family."),
    };

    public static TunnelOffer Offer(TunnelMode mode, TunnelAddressFamily family) => new(WireName(family), WireName(mode));

    /// <summary>The mode a wire name spells; false for anything else (a peer's text is never trusted to be one).</summary>
    public static bool TryParseMode(string? wireName, out TunnelMode mode)
    {
        foreach (var candidate in Enum.GetValues<TunnelMode>())
        {
            if (WireName(candidate) == wireName)
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }

    /// <summary>The address family a wire name spells; false for anything else.</summary>
    public static bool TryParseFamily(string? wireName, out TunnelAddressFamily family)
    {
        foreach (var candidate in Enum.GetValues<TunnelAddressFamily>())
        {
            if (WireName(candidate) == wireName)
            {
                family = candidate;
                return true;
            }
        }

        family = default;
        return false;
    }

    /// <summary>The mode a stored contract records; contracts written before modes existed were node-to-node.</summary>
    public static TunnelMode StoredMode(string? wireName) =>
        string.IsNullOrEmpty(wireName) ? TunnelMode.NodeToNode
        : TryParseMode(wireName, out var mode) ? mode
        : throw new InvalidDataException($"'{wireName}' is not a tunnel mode this version knows.");
}
