using System.Net;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The buyer's full tunnel for an exit contract: what it will change is decided (<see cref="IFullTunnelRouting.PlanAsync"/>)
/// and written to the store before anything changes, then applied; undone from that record, by this run or by any
/// later one (a removal after a crash). Only a contract whose mode is exit gets one, and its mode is the buyer's own
/// choice, recorded from the quote it asked for: a seller's answer never makes a tunnel full.
/// Kept outside the tunnel: its endpoint (the device's firewall mark), the Lightning node's p2p port, and the
/// addresses of the peers the node is connected to when the tunnel comes up (IP addresses only: a Tor peer's
/// connection goes to the local Tor daemon, whose own connections are not kept outside).
/// </summary>
internal sealed class FullTunnelSetup(IFullTunnelRouting? routing, BoughtContracts contracts, ILightningNode? node, IProgressLog log)
{
    /// <summary>Whether this contract's tunnel carries all of this machine's traffic.</summary>
    public static bool Wanted(BoughtContract contract) => contract.TunnelMode == TunnelMode.Exit;

    /// <summary>Decides the full tunnel of <paramref name="contract"/> and records it; nothing is changed yet.</summary>
    public async Task<FullTunnelPlan> PlanAndRecordAsync(BoughtContract contract, FullTunnelOptions options, CancellationToken cancellationToken)
    {
        var full = routing ?? throw new FullTunnelNotSupportedException();
        var routed = contract.AllowedIps.Select(IpPrefix.Parse).Where(p => p.PrefixLength == 0).Select(p => FullTunnelPlan.FamilyOf(p.Address)).Distinct().ToList();
        var draft = new FullTunnelPlan
        {
            InterfaceName = contract.InterfaceName,
            Endpoint = contract.Endpoint,
            BuyerTunnelAddress = contract.BuyerTunnelAddress,
            RoutedFamilies = routed,
            KeepOutsidePorts = [options.NodeP2pPort],
            KeepOutsideAddresses = [.. options.KeepOutsideAddresses.Select(a => IPAddress.Parse(a).ToString()).Concat(await PeerAddressesAsync(contract, cancellationToken).ConfigureAwait(false)).Distinct()],
            Resolvers = contract.Resolvers,
            KillSwitch = options.KillSwitch,
        };
        var plan = await full.PlanAsync(draft, cancellationToken).ConfigureAwait(false);
        contracts.SaveFullTunnel(contract.Id, plan);
        log.Log(LogLevel.Verbose,
            $"{contract.InterfaceName}: full tunnel recorded (table {plan.Table}, {string.Join(" and ", plan.RoutedFamilies)} through the tunnel{(plan.Routes(FullTunnelPlan.IPv6) ? string.Empty : ", IPv6 blocked")}{(plan.Routes(FullTunnelPlan.IPv4) ? string.Empty : ", IPv4 blocked")}, kill switch {(plan.KillSwitch ? "on" : "off")}, DNS {plan.Dns?.Method.ToString() ?? "unchanged"}, kept outside: TCP port {options.NodeP2pPort} and {plan.KeepOutsideAddresses.Count} peer address(es)).");
        return plan;
    }

    public async Task ApplyAsync(FullTunnelPlan plan, CancellationToken cancellationToken)
    {
        var full = routing ?? throw new FullTunnelNotSupportedException();
        await full.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
        log.Log(LogLevel.Verbose, $"{plan.InterfaceName}: all traffic now goes through the tunnel{(plan.KillSwitch ? "; the kill switch is on" : string.Empty)}.");
    }

    /// <summary>Undoes the full tunnel recorded for this contract, if any, and then forgets it; a failure keeps the
    /// record, so the next removal tries again.</summary>
    public async Task UndoAsync(string contractId, CancellationToken cancellationToken)
    {
        if (contracts.ReadFullTunnel(contractId) is not { } plan)
        {
            return;
        }

        var full = routing ?? throw new FullTunnelException(plan.InterfaceName, "this machine's WireGuard client cannot undo it.");
        await full.UndoAsync(plan, cancellationToken).ConfigureAwait(false);
        contracts.DeleteFullTunnel(contractId);
        log.Log(LogLevel.Verbose, $"{plan.InterfaceName}: the full tunnel's routes, rules{(plan.Dns is null ? string.Empty : ", DNS")} and kill switch are undone.");
    }

    /// <summary>The IP addresses of the node's connected peers, but the seller's endpoint and loopback.</summary>
    private async Task<IReadOnlyList<string>> PeerAddressesAsync(BoughtContract contract, CancellationToken cancellationToken)
    {
        if (node is null)
        {
            return [];
        }

        IReadOnlyList<PeerInfo> peers;
        try
        {
            peers = await node.ListPeersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (LightningException e)
        {
            // The tunnel still comes up: the node's p2p port stays outside, only its peers' addresses are not known.
            log.Log(LogLevel.Warning, $"{contract.InterfaceName}: the node's peers could not be listed ({e.Message}); only TCP port traffic of the node stays outside the tunnel.");
            return [];
        }

        var addresses = new List<string>();
        foreach (var peer in peers)
        {
            if (IPEndPoint.TryParse(peer.Address, out var endpoint) && !IPAddress.IsLoopback(endpoint.Address) && !FullTunnelPlan.HasScope(endpoint.Address))
            {
                addresses.Add(endpoint.Address.ToString());
            }
            else if (!string.IsNullOrEmpty(peer.Address))
            {
                log.Log(LogLevel.Verbose, $"{contract.InterfaceName}: peer {peer.PubKey[..Math.Min(16, peer.PubKey.Length)]}… at {peer.Address} is not kept outside the tunnel by address (not an IP address off this machine).");
            }
        }

        return [.. addresses.Distinct()];
    }
}
