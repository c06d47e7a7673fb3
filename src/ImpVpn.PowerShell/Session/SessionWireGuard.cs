using ImpVpn.Core.Buying;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.PowerShell.Session;

/// <summary>The one place that decides which WireGuard client a cmdlet gets, for what it is about to do (the
/// choice itself is the core's <see cref="WireGuardUse"/>, which the daemon makes too).</summary>
internal static class SessionWireGuard
{
    /// <summary>For buying, resuming or selling: null with -ConfigOnly; otherwise a client for this machine.</summary>
    public static WireGuardHost? ForChanging(bool configOnly) => WireGuardUse.ForChanging(configOnly);

    /// <summary>For showing live state: a client only where interfaces can be read; null shows contracts without it.</summary>
    public static WireGuardHost? ForReading() => WireGuardUse.ForReading();

    /// <summary>For removing a tunnel: null where it has no interface on this machine; a client where it has, or an
    /// error (before anything is deleted) where this session may not touch it. An exit whose full tunnel is recorded
    /// gets a client even when its interface is gone (wireguard-go died): its routes, DNS and kill switch remain.</summary>
    public static WireGuardHost? ForRemoving(BoughtContract contract, bool fullTunnelRecorded = false) =>
        !fullTunnelRecorded && (contract.InterfaceName.Length == 0 || InterfaceName.ExistsHere(contract.InterfaceName) == false)
            ? null
            : WireGuardUse.ForChanging(configOnly: false);
}
