using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Daemon;

/// <summary>The daemon's configuration once every value has been checked (<see cref="DaemonConfigurationCheck"/>):
/// what it connects to and which roles it runs.</summary>
/// <param name="SellerLeftover">with the seller turned off: the seller the configuration names (its interface,
/// namespace, firewall), whose interface and table an earlier run may have left, for the daemon to take away.</param>
/// <param name="Api">the API the daemon serves, when enabled.</param>
public sealed record DaemonSettings(string StorePath, LndConnectionOptions Node, bool RequireSynced, SellerSettings? Seller, RefreshSchedule? Refresh, SellerSettings? SellerLeftover = null, ApiSettings? Api = null);

/// <summary>The seller the daemon runs; <paramref name="NetworkNamespace"/> (Linux) holds its interface and firewall.</summary>
public sealed record SellerSettings(SellerOptions Options, string? NetworkNamespace)
{
    /// <summary>The seller's WireGuard client, as a cmdlet's seller gets it (<see cref="WireGuardUse.ForChanging"/>),
    /// in the configured network namespace.</summary>
    public WireGuardHost? WireGuard() =>
        WireGuardUse.ForChanging(Options.ConfigOnly, NetworkNamespace is { } ns ? new LinuxNetworkContext(ns) : null);
}

/// <summary>The buyer's scheduled refresh: every <paramref name="Interval"/>, the tunnels expiring within
/// <paramref name="ExpiringWithin"/> get <paramref name="Duration"/> more, all of them within <paramref name="BudgetSat"/>
/// per <paramref name="BudgetPeriod"/> (fees included).</summary>
public sealed record RefreshSchedule(TimeSpan Interval, TimeSpan ExpiringWithin, TimeSpan Duration, long BudgetSat, TimeSpan BudgetPeriod, BuyerOptions Buyer);
