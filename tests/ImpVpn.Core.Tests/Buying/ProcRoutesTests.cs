using ImpVpn.Core.Buying;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>The Linux routing tables as /proc shows them, read into routes.</summary>
public sealed class ProcRoutesTests
{
    [Fact]
    public void IPv4_routes_are_read_from_little_endian_hex()
    {
        string[] lines =
        [
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
            "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
            "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "garbage",
        ];

        var routes = ProcRoutes.IPv4(lines).Select(r => $"{r.Destination} {r.Device}").ToList();

        Assert.Equal(["0.0.0.0/0 eth0", "192.0.2.0/24 eth0"], routes);
    }

    [Fact]
    public void IPv6_routes_are_read_with_their_device()
    {
        string[] lines =
        [
            "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0",
            "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo",
        ];

        var routes = ProcRoutes.IPv6(lines).Select(r => $"{r.Destination} {r.Device}").ToList();

        Assert.Equal(["fd00::/64 eth0", "::1/128 lo"], routes);
    }

    [Fact]
    public void This_machines_routes_include_its_on_link_networks()
    {
        var network = ThisMachineNetwork.Instance;

        foreach (var address in network.Addresses().Where(a => !System.Net.IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal))
        {
            Assert.Contains(network.Routes(), r => TunnelPlacement.Overlaps(r.Destination, new(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)));
        }
    }
}
