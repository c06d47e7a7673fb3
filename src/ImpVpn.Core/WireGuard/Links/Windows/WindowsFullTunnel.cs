using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Windows;

/// <summary>
/// A full tunnel on Windows: not made by this version. WireGuard for Windows does its own full tunnel (and a kill
/// switch) for a tunnel service whose AllowedIPs is 0.0.0.0/0; ImpVpn's routing, kill switch and DNS restore for it
/// are not written yet, so an exit cannot be brought up here: buy it with -ConfigOnly and import the file. Only the
/// DNS commands are written (<see cref="DnsCommands"/>), unit-tested, not yet run.
/// </summary>
internal sealed class WindowsFullTunnel : IFullTunnelRouting
{
    public bool Supported => false;

    public Task<FullTunnelPlan> PlanAsync(FullTunnelPlan draft, CancellationToken cancellationToken) =>
        throw new FullTunnelNotSupportedException();

    public Task ApplyAsync(FullTunnelPlan plan, CancellationToken cancellationToken) =>
        throw new FullTunnelNotSupportedException();

    // Nothing was ever applied here.
    public Task UndoAsync(FullTunnelPlan plan, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>netsh command lines that point the tunnel's interface at the resolvers (first one set, the others
    /// added in order) and, for undo, give it back to DHCP.</summary>
    internal static IReadOnlyList<string[]> DnsCommands(string interfaceName, IReadOnlyList<string> resolvers)
    {
        ArgumentNullException.ThrowIfNull(resolvers);
        var name = SellerFirewallRules.ValidInterfaceName(interfaceName);
        var commands = new List<string[]>();
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var netshFamily = family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
            var index = 0;
            foreach (var resolver in resolvers.Select(IPAddress.Parse).Where(a => a.AddressFamily == family))
            {
                index++;
                commands.Add(index == 1
                    ? ["interface", netshFamily, "set", "dnsservers", $"name={name}", "source=static", $"address={resolver}", "register=none", "validate=no"]
                    : ["interface", netshFamily, "add", "dnsservers", $"name={name}", $"address={resolver}", $"index={index}", "validate=no"]);
            }
        }

        return commands;
    }

    internal static IReadOnlyList<string[]> DnsUndoCommands(string interfaceName)
    {
        var name = SellerFirewallRules.ValidInterfaceName(interfaceName);
        return [["interface", "ipv4", "set", "dnsservers", $"name={name}", "source=dhcp"], ["interface", "ipv6", "set", "dnsservers", $"name={name}", "source=dhcp"]];
    }
}
