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
/// the contract's <see cref="SoldContract.AccessUntil"/> (its expiry, or its claim deadline while time is unclaimed;
/// <see cref="ISellerFirewall.AdmitAsync"/>), and the filter ends that admission by itself.
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

        await RemoveFromDeviceAsync(contract, cancellationToken).ConfigureAwait(false);
        await RevokeAdmissionAsync(contract, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Admits the contract's buyer address until <see cref="SoldContract.AccessUntil"/> as it stands now
    /// (longer after a claim or a refresh, shorter after a withdrawn refresh); one with no time left is revoked.</summary>
    public async Task FollowExpiryAsync(SoldContract contract, CancellationToken cancellationToken)
    {
        if (Firewall is not { } firewall)
        {
            return;
        }

        if (Admission(contract, clock.GetUtcNow()) is { } admission)
        {
            // No forwarding configured (any more): the firewall has no map for the port, and the admission stays plain.
            admission = options.PortForward is null ? admission with { ForwardedPort = null } : admission;
            await firewall.AdmitAsync(options.InterfaceName, [admission], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await RevokeAdmissionAsync(contract, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes back the peer and admission of a contract whose activation failed half way, as far as it can:
    /// the failure being handled is the one the caller reports.</summary>
    public async Task RevokeQuietlyAsync(SoldContract contract, CancellationToken cancellationToken)
    {
        if (ConfigOnly)
        {
            return;
        }

        // Each step tried whatever the other did: unlike RemovePeerAsync, a failed removal does not skip the revocation.
        Func<Task>[] steps = [() => RemoveFromDeviceAsync(contract, cancellationToken), () => RevokeAdmissionAsync(contract, cancellationToken)];
        foreach (var step in steps)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception e) when (e is WireGuardException or IOException)
            {
                log.Log(LogLevel.Verbose, $"Contract {contract.Id}: taking back its peer or admission failed too ({e.Message}).");
            }
        }
    }

    /// <summary>After a restart: the interface keeps only the peers of contracts still active (it may hold peers of
    /// contracts that expired or were removed meanwhile, and may have lost some). Their admissions were applied with
    /// the firewall (<see cref="Admissions"/>) before the start's expiry round.</summary>
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

        // One device change for all, not one per contract: a seller with thousands of buyers restarts quickly. Their
        // admissions went in with the firewall itself (BuyerReach), in the same nft run.

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

    /// <summary>The admissions of <paramref name="contracts"/> as they stand at <paramref name="now"/>: what the
    /// firewall is applied with on start, so that re-applying it never leaves a paid buyer out, not even for a moment.</summary>
    public static IReadOnlyCollection<BuyerAdmission> Admissions(IEnumerable<SoldContract> contracts, DateTimeOffset now) =>
        [.. contracts.Select(c => Admission(c, now)).OfType<BuyerAdmission>()];

    private static BuyerAdmission? Admission(SoldContract contract, DateTimeOffset now)
    {
        var left = (contract.AccessUntil ?? DateTimeOffset.MinValue) - now;
        // A port forward's public port is forwarded for exactly the admission's time (NftablesPortForward); only an
        // exit's buyer may leave by the egress interface.
        return left > TimeSpan.Zero
            ? new BuyerAdmission(BuyerAddress(contract), left) { ForwardedPort = ForwardedPorts.HeldBy(contract), Exit = contract.TunnelMode == Protocol.TunnelMode.Exit }
            : null;
    }

    private Task RemoveFromDeviceAsync(SoldContract contract, CancellationToken cancellationToken) =>
        wireGuard!.Devices.ConfigureDeviceAsync(options.InterfaceName,
            new DeviceConfig { Peers = [PeerConfig.Removal(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))] }, cancellationToken);

    // The contract's public port goes with its admission: the address returns to the pool, and the port's map element
    // would otherwise forward to the address's next buyer until the old timeout.
    private Task RevokeAdmissionAsync(SoldContract contract, CancellationToken cancellationToken) =>
        Firewall?.RevokeAsync(options.InterfaceName, BuyerAddress(contract), ForwardedPorts.HeldBy(contract), cancellationToken) ?? Task.CompletedTask;

    private static IPAddress BuyerAddress(SoldContract contract) => IpPrefix.Parse(contract.BuyerTunnelAddress).Address;
}
