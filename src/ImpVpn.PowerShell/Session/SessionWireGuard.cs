using ImpVpn.Core.Buying;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.PowerShell.Session;

/// <summary>The one place that decides which WireGuard client a cmdlet gets, for what it is about to do. Whatever
/// changes interfaces checks the machine's prerequisites first (throwing <see cref="WireGuardPrerequisiteException"/>),
/// so nothing is paid for a tunnel that cannot be set up; whatever only reads gets a client only where reading works.</summary>
internal static class SessionWireGuard
{
    /// <summary>For buying, resuming or selling: null with -ConfigOnly; otherwise a client for this machine.</summary>
    public static WireGuardHost? ForChanging(bool configOnly) => configOnly ? null : Ready();

    /// <summary>For showing live state: a client only where interfaces can be read; null shows contracts without it.</summary>
    public static WireGuardHost? ForReading() =>
        OperatingSystem.IsLinux() && WireGuardPrerequisites.HasNetAdmin() ? WireGuardHosts.ForThisMachine() : null;

    /// <summary>For removing a tunnel: null where it has no interface on this machine; a client where it has, or an
    /// error (before anything is deleted) where this session may not touch it.</summary>
    public static WireGuardHost? ForRemoving(BoughtContract contract) =>
        contract.InterfaceName.Length == 0 || InterfaceName.ExistsHere(contract.InterfaceName) == false ? null : Ready();

    private static WireGuardHost Ready()
    {
        WireGuardPrerequisites.EnsureReady();
        return WireGuardHosts.ForThisMachine();
    }
}
