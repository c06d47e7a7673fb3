using ImpVpn.Core.Daemon;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Daemon;

/// <summary>The WireGuard client of the daemon's seller (as Session/SessionWireGuard chooses for the cmdlets): none
/// for a config-only seller; otherwise this machine's, in the configured network namespace, after the
/// prerequisites are checked, so what the machine lacks is said before any payment is taken.</summary>
internal static class SellerWireGuard
{
    public static WireGuardHost? For(SellerSettings settings)
    {
        if (settings.Options.ConfigOnly)
        {
            return null;
        }

        WireGuardPrerequisites.EnsureReady();
        return WireGuardHosts.ForThisMachine(settings.NetworkNamespace is { } ns ? new LinuxNetworkContext(ns) : null);
    }
}
