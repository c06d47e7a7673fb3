using System.Net;
using ImpVpn.Core.Buying;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Fakes;

/// <summary>A machine of the test's making: these addresses, these routes ("10.0.0.0/24 eth0"), and these names.</summary>
internal sealed class FakeLocalNetwork(IEnumerable<string>? addresses = null, IEnumerable<string>? routes = null, IReadOnlyDictionary<string, string[]>? names = null) : ILocalNetwork
{
    private readonly IPAddress[] _addresses = (addresses ?? []).Select(IPAddress.Parse).ToArray();

    private readonly LocalRoute[] _routes = (routes ?? []).Select(r => r.Split(' ')).Select(r => new LocalRoute(IpPrefix.Parse(r[0]), r[1])).ToArray();

    /// <summary>A machine with one LAN, its default route, and 10.0.0.7 as its own address.</summary>
    public static FakeLocalNetwork Typical(IReadOnlyDictionary<string, string[]>? names = null) =>
        new(["10.0.0.7", "192.168.1.20"], ["0.0.0.0/0 eth0", "::/0 eth0", "192.168.1.0/24 eth0", "10.0.0.0/24 docker0"], names);

    public IReadOnlyCollection<IPAddress> Addresses() => _addresses;

    public IReadOnlyList<LocalRoute> Routes() => _routes;

    public IReadOnlyList<IPAddress> Resolve(string hostName) =>
        names is not null && names.TryGetValue(hostName, out var found) ? found.Select(IPAddress.Parse).ToArray() : [];
}
