using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The machine this runs on, read when asked (never cached: a route added since the last purchase counts). On Linux
/// the kernel's routing tables (/proc/net/route for IPv4's main table, /proc/net/ipv6_route for every IPv6 table)
/// are read without starting a process; elsewhere, and on Linux as well, each interface's on-link prefixes count as
/// routes, since those exist wherever an address does.
/// </summary>
public sealed class ThisMachineNetwork : ILocalNetwork
{
    public static readonly ThisMachineNetwork Instance = new();

    private ThisMachineNetwork()
    {
    }

    public IReadOnlyCollection<IPAddress> Addresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .ToHashSet();

    public IReadOnlyList<LocalRoute> Routes()
    {
        var routes = new List<LocalRoute>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                // An interface address stands for its on-link network.
                routes.Add(new LocalRoute(new IpPrefix(unicast.Address, unicast.PrefixLength).Network(), nic.Name));
            }
        }

        if (OperatingSystem.IsLinux())
        {
            routes.AddRange(ProcRoutes.IPv4(ReadOrEmpty("/proc/net/route")));
            routes.AddRange(ProcRoutes.IPv6(ReadOrEmpty("/proc/net/ipv6_route")));
        }

        return routes;
    }

    public IReadOnlyList<IPAddress> Resolve(string hostName)
    {
        try
        {
            return Dns.GetHostAddresses(hostName);
        }
        catch (SocketException)
        {
            // Unknown or unresolvable: no address, which the caller refuses.
            return [];
        }
    }

    // No IPv6 (or no /proc) is no route of that kind, not a failure.
    private static string[] ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];
}
