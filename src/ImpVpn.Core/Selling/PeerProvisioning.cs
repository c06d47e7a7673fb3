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
internal sealed class PeerProvisioning(WireGuardHost? wireGuard, SellerOptions options, WireGuardPrivateKey key, IPAddress sellerAddress, IProgressLog log)
{
    private bool ConfigOnly => options.ConfigOnly || wireGuard is null;

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

    public Task AddPeerAsync(SoldContract contract, CancellationToken cancellationToken) =>
        ConfigOnly
            ? Task.CompletedTask
            : wireGuard!.Devices.ConfigureDeviceAsync(options.InterfaceName, new DeviceConfig
            {
                Peers =
                [
                    new PeerConfig(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))
                    {
                        ReplaceAllowedIps = true,
                        AllowedIps = [IpPrefix.Parse(contract.BuyerTunnelAddress)],
                    },
                ],
            }, cancellationToken);

    public Task RemovePeerAsync(SoldContract contract, CancellationToken cancellationToken) =>
        ConfigOnly
            ? Task.CompletedTask
            : wireGuard!.Devices.ConfigureDeviceAsync(options.InterfaceName,
                new DeviceConfig { Peers = [PeerConfig.Removal(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))] }, cancellationToken);

    /// <summary>Adds again the peers of contracts still active after a restart (the interface may have lost them).</summary>
    public async Task ReapplyAsync(IEnumerable<SoldContract> contracts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var contract in contracts.Where(c => c.State == SoldContractState.Active && c.ExpiresAt > now))
        {
            await AddPeerAsync(contract, cancellationToken).ConfigureAwait(false);
            if (!ConfigOnly)
            {
                log.Log(LogLevel.Verbose, $"Re-applied contract {contract.Id} until {contract.ExpiresAt:u}.");
            }
        }
    }
}
