using System.Net;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>What a seller's answer is checked against on this machine: its own addresses, its routes, and what a
/// host name resolves to. An interface so that tests can give a machine of their own instead of the one they run on.</summary>
public interface ILocalNetwork
{
    /// <summary>Every address of every interface of this machine (in its network namespace).</summary>
    IReadOnlyCollection<IPAddress> Addresses();

    /// <summary>The routes this machine has now, each with the interface it goes out of.</summary>
    IReadOnlyList<LocalRoute> Routes();

    /// <summary>The addresses <paramref name="hostName"/> resolves to; empty when it resolves to none.</summary>
    IReadOnlyList<IPAddress> Resolve(string hostName);
}

/// <summary>One route of this machine: where it leads and the interface (device) that carries it.</summary>
public sealed record LocalRoute(IpPrefix Destination, string Device);
