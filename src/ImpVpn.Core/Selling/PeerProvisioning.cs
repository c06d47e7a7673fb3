using System.Net;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The seller's WireGuard interface and its buyers' peers: the interface is brought up (or given the seller's key
/// and port) on start, a buyer's peer is added with its tunnel address when a contract activates, and removed when
/// it ends. With <see cref="SellerOptions.ConfigOnly"/> (or no WireGuard at all, where interfaces cannot be driven)
/// none of this touches an interface.
/// </summary>
/// <remarks>
/// Fail closed: where the seller manages the firewall, a peer's buyer address is also admitted by the filter until
/// the contract's expiry (<see cref="ISellerFirewall.AdmitAsync"/>), and the filter ends that admission by itself.
/// So a paid peer never outlives its time on this host, even while the seller is stopped or has died; the seller
/// removing the peer at expiry is the tidy-up, not the enforcement. The admission is made before the peer is added
/// and follows every change of expiry (<see cref="FollowExpiryAsync"/>).
/// </remarks>
internal sealed class PeerProvisioning(WireGuardHost? wireGuard, SellerOptions options, WireGuardPrivateKey key, IPAddress sellerAddress, TimeProvider clock, IProgressLog log)
{
    private bool ConfigOnly => options.ConfigOnly || wireGuard is null;

    private ISellerFirewall? Firewall => ConfigOnly || !options.ManageFirewall ? null : wireGuard!.Firewall;

    public async Task EnsureInterfaceAsync(CancellationToken cancellationToken)
    {
        if (ConfigOnly)
        {
            return;
        }

        if (await wireGuard!.Devices.GetDeviceAsync(options.InterfaceName, cancellationToken).ConfigureAwait(false) is null)
        {
            await wireGuard.Links.CreateInterfaceAsync(options.InterfaceName, new InterfaceOptions
            {
                PrivateKey = key,
                ListenPort = options.ListenPort,
                Addresses = [new IpPrefix(sellerAddress, options.Subnet.PrefixLength)],
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await wireGuard.Devices.ConfigureDeviceAsync(options.InterfaceName,
                new DeviceConfig { PrivateKey = key, ListenPort = options.ListenPort }, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task AddPeerAsync(SoldContract contract, CancellationToken cancellationToken)
    {
        if (ConfigOnly)
        {
            return;
        }

        await FollowExpiryAsync(contract, cancellationToken).ConfigureAwait(false);
        await wireGuard!.Devices.ConfigureDeviceAsync(options.InterfaceName, new DeviceConfig { Peers = [PeerOf(contract)] }, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemovePeerAsync(SoldContract contract, CancellationToken cancellationToken)
    {
        if (ConfigOnly)
        {
            return;
        }

        await wireGuard!.Devices.ConfigureDeviceAsync(options.InterfaceName,
            new DeviceConfig { Peers = [PeerConfig.Removal(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))] }, cancellationToken).ConfigureAwait(false);
        if (Firewall is { } firewall)
        {
            await firewall.RevokeAsync(options.InterfaceName, BuyerAddress(contract), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Admits the contract's buyer address until its expiry as it stands now (longer after a refresh,
    /// shorter after a withdrawn one); one already expired is revoked.</summary>
    public async Task FollowExpiryAsync(SoldContract contract, CancellationToken cancellationToken)
    {
        if (Firewall is not { } firewall)
        {
            return;
        }

        if (Admission(contract, clock.GetUtcNow()) is { } admission)
        {
            await firewall.AdmitAsync(options.InterfaceName, [admission], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await firewall.RevokeAsync(options.InterfaceName, BuyerAddress(contract), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After a restart: the interface keeps only the peers of contracts still active (it may hold peers of
    /// contracts that expired or were removed meanwhile, and may have lost some), and each is admitted again (the
    /// firewall was just applied afresh, with no admission).</summary>
    public async Task ReconcileAsync(IEnumerable<SoldContract> contracts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ConfigOnly)
        {
            return;
        }

        var active = contracts.Where(c => c.State == SoldContractState.Active && c.ExpiresAt > now).ToList();
        var paidKeys = active.Select(c => WireGuardPublicKey.Parse(c.BuyerWireGuardKey)).ToHashSet();
        var device = await wireGuard!.Devices.GetDeviceAsync(options.InterfaceName, cancellationToken).ConfigureAwait(false);
        var strays = device?.Peers.Select(p => p.PublicKey).Where(k => !paidKeys.Contains(k)).ToList() ?? [];
        if (strays.Count > 0)
        {
            await wireGuard.Devices.ConfigureDeviceAsync(options.InterfaceName,
                new DeviceConfig { Peers = [.. strays.Select(PeerConfig.Removal)] }, cancellationToken).ConfigureAwait(false);
            log.Log(LogLevel.Info, $"Removed {strays.Count} peer(s) from {options.InterfaceName} that no active contract pays for.");
        }

        if (active.Count == 0)
        {
            return;
        }

        // In two steps for all, not two per contract: a seller with thousands of buyers restarts in one nft run and
        // one device change. Admitted first, as for one peer.
        if (Firewall is { } firewall)
        {
            await firewall.AdmitAsync(options.InterfaceName, [.. active.Select(c => Admission(c, now)!)], cancellationToken).ConfigureAwait(false);
        }

        await wireGuard.Devices.ConfigureDeviceAsync(options.InterfaceName, new DeviceConfig
        {
            Peers = [.. active.Select(PeerOf)],
        }, cancellationToken).ConfigureAwait(false);
        log.Log(LogLevel.Verbose, $"Re-applied {active.Count} active contract(s) on {options.InterfaceName}.");
    }

    private static PeerConfig PeerOf(SoldContract contract) =>
        new(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))
        {
            ReplaceAllowedIps = true,
            AllowedIps = [IpPrefix.Parse(contract.BuyerTunnelAddress)],
        };

    private static BuyerAdmission? Admission(SoldContract contract, DateTimeOffset now)
    {
        var left = (contract.ExpiresAt ?? DateTimeOffset.MinValue) - now;
        return left > TimeSpan.Zero ? new BuyerAdmission(BuyerAddress(contract), left) : null;
    }

    private static IPAddress BuyerAddress(SoldContract contract) => IpPrefix.Parse(contract.BuyerTunnelAddress).Address;
}
