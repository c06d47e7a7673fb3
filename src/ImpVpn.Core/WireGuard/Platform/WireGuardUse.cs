using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Platform;

/// <summary>Which WireGuard client a host of the core (the cmdlets' session, the daemon) gets for what it is about to
/// do. Whatever changes interfaces checks the machine's prerequisites first (throwing
/// <see cref="WireGuardPrerequisiteException"/>), so nothing is paid for a tunnel that cannot be set up; whatever only
/// reads gets a client only where reading works.</summary>
public static class WireGuardUse
{
    /// <summary>For buying, resuming or selling: null when config-only; otherwise a client for this machine (in
    /// <paramref name="context"/>'s network namespace on Linux).</summary>
    public static WireGuardHost? ForChanging(bool configOnly, LinuxNetworkContext? context = null)
    {
        if (configOnly)
        {
            return null;
        }

        WireGuardPrerequisites.EnsureReady();
        return WireGuardHosts.ForThisMachine(context);
    }

    /// <summary>For reading live state: a client only where interfaces can be read; null otherwise.</summary>
    public static WireGuardHost? ForReading() =>
        OperatingSystem.IsLinux() && WireGuardPrerequisites.HasNetAdmin() ? WireGuardHosts.ForThisMachine() : null;
}
