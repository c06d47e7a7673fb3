using System.Net;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buyer;

/// <summary>The buyer's WireGuard side: bringing the interface up and waiting for the first handshake.</summary>
public sealed partial class VpnBuyer
{
    private async Task<ContractRecord> BringUpAsync(ContractRecord contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        if (options.ConfigOnly || _wireGuard is null)
        {
            return contract;
        }

        _log.Progress(new ProgressUpdate("Buying a tunnel", $"Bringing up {contract.InterfaceName}", 80));
        _log.Log(LogLevel.Verbose, $"Bringing up {contract.InterfaceName} ({contract.BuyerAddress}) with peer {contract.Endpoint}.");
        var key = WireGuardPrivateKey.Parse(_store.ReadSecret(contract.Id + ".key") ?? throw new PurchaseException(PurchaseError.ActivationFailed, "The tunnel's private key is missing from the store."));
        var family = IPAddress.Parse(contract.BuyerAddress).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        await _wireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
        await _wireGuard.Links.CreateInterfaceAsync(contract.InterfaceName, new InterfaceOptions
        {
            PrivateKey = key,
            Addresses = [new IpPrefix(IPAddress.Parse(contract.BuyerAddress), family)],
        }, cancellationToken).ConfigureAwait(false);
        var allowed = contract.AllowedIps.Select(IpPrefix.Parse).ToList();
        await _wireGuard.Devices.ConfigureDeviceAsync(contract.InterfaceName, new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(WireGuardPublicKey.Parse(contract.SellerWireGuardKey))
                {
                    Endpoint = IPEndPoint.Parse(contract.Endpoint),
                    PersistentKeepalive = TimeSpan.FromSeconds(25),
                    ReplaceAllowedIps = true,
                    AllowedIps = allowed,
                },
            ],
        }, cancellationToken).ConfigureAwait(false);
        foreach (var route in allowed)
        {
            await _wireGuard.Links.AddRouteAsync(contract.InterfaceName, route, cancellationToken).ConfigureAwait(false);
        }

        _log.Progress(new ProgressUpdate("Buying a tunnel", "Waiting for the first WireGuard handshake", 90));
        var deadline = DateTime.UtcNow + options.HandshakeTimeout;
        // A handshake on a working path takes a few milliseconds; reading the device is cheap (one UAPI get), so
        // look again soon and back off to 20 ms.
        var pause = TimeSpan.FromMilliseconds(1);
        while (DateTime.UtcNow < deadline)
        {
            var device = await _wireGuard.Devices.GetDeviceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
            if (device?.Peers.FirstOrDefault()?.LastHandshake is not null)
            {
                _log.Log(LogLevel.Verbose, $"{contract.InterfaceName}: first handshake with {contract.Endpoint}.");
                return contract;
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(20, pause.TotalMilliseconds * 2));
        }

        _log.Log(LogLevel.Warning, $"{contract.InterfaceName} is up but no handshake with {contract.Endpoint} within {options.HandshakeTimeout.TotalSeconds:0} s.");
        return contract;
    }
}
