namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// A full tunnel on this host: every packet through the tunnel's interface, the way wg-quick does it for
/// AllowedIPs = 0.0.0.0/0 (a firewall mark on the device, a routing table with the default route through the
/// interface, a <c>not fwmark</c> rule to it, a <c>suppress_prefixlength 0</c> rule for the main table), what must
/// stay outside kept on the main table, DNS pointed at the tunnel's resolvers, and a kill switch. One implementation
/// per operating system; the buyer records each plan before it is applied.
/// </summary>
public interface IFullTunnelRouting
{
    /// <summary>Whether this host can route all traffic through a tunnel at all; checked before an exit is paid for.</summary>
    bool Supported => true;

    /// <summary>Completes <paramref name="draft"/> with a free routing table and the DNS change this host needs
    /// (reading what it will replace). Changes nothing.</summary>
    Task<FullTunnelPlan> PlanAsync(FullTunnelPlan draft, CancellationToken cancellationToken);

    /// <summary>Applies the plan: kill switch first (nothing leaks while routes change), then DNS, then the routes and
    /// rules, the rule that sends everything into the tunnel last. The device's firewall mark is the caller's (it is
    /// device configuration).</summary>
    Task ApplyAsync(FullTunnelPlan plan, CancellationToken cancellationToken);

    /// <summary>Undoes the plan, whatever part of it was applied: rules and routes, then DNS, then the kill switch
    /// last, so nothing leaves outside the tunnel until the rest is back. What is already gone is not an error;
    /// anything else is reported after every step was tried.</summary>
    Task UndoAsync(FullTunnelPlan plan, CancellationToken cancellationToken);
}

/// <summary>A full tunnel's change to the host that could not be made or undone.</summary>
public sealed class FullTunnelException(string interfaceName, string message, Exception? inner = null)
    : WireGuardException($"Full tunnel on {interfaceName}: {message}", inner)
{
    public string InterfaceName { get; } = interfaceName;
}

/// <summary>This platform's ImpVpn cannot route all traffic through a tunnel yet.</summary>
public sealed class FullTunnelNotSupportedException()
    : PlatformNotSupportedException("This version of ImpVpn sets up an exit (full tunnel) on Linux only; here, a configuration-only purchase imported into WireGuard for Windows routes all traffic through the tunnel.");
