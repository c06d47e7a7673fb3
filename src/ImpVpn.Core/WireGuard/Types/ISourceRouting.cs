using System.Net;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// Policy routing by source address: packets sent from one address (a tunnel's own) take a routing table of their
/// own whose default route is the tunnel, and nothing else on the machine changes route. A port-forward buyer uses it
/// so that replies of connections that came in through the seller's forwarded port leave through the tunnel, while
/// the machine's other traffic keeps its routes. Linux only (ip rule); null where the machine has none.
/// </summary>
public interface ISourceRouting
{
    /// <summary>Packets from <paramref name="source"/> look up <paramref name="table"/>, whose default route goes out
    /// of <paramref name="interfaceName"/>. Idempotent: an earlier rule for the pair is replaced, not doubled.</summary>
    Task RouteFromAsync(string interfaceName, IPAddress source, int table, CancellationToken cancellationToken);

    /// <summary>Takes the rule (and the table's routes) away; nothing happens when there is none.</summary>
    Task RemoveAsync(IPAddress source, int table, CancellationToken cancellationToken);
}
