using System.Net;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>The buyer's WireGuard side: the bought tunnel's interface brought up with the seller as its one peer,
/// then a wait for the first handshake; before a claim, also the proof that the tunnel carries packets. An exit
/// contract's tunnel is a full tunnel (<see cref="FullTunnelSetup"/>): the device gets the plan's firewall mark, and no
/// route per allowed IP is added to the main table.</summary>
/// <param name="node">The buyer's node, whose connected peers an exit keeps outside the tunnel; none without it.</param>
public sealed class TunnelSetup(WireGuardHost wireGuard, BoughtContracts contracts, IProgressLog log, ILightningNode? node = null)
{
    private readonly FullTunnelSetup _fullTunnel = new(wireGuard.FullTunnel, contracts, node, log);

    // Keeps the tunnel's NAT mapping alive from behind a home router, as WireGuard's own documentation suggests.
    internal static readonly TimeSpan Keepalive = TimeSpan.FromSeconds(25);

    /// <summary>Brings the interface up (replacing a half-made one of the same name) and waits at most
    /// <paramref name="handshakeTimeout"/> for the first handshake; no handshake is a warning, not a failure (the
    /// seller's side may just be slow, and WireGuard keeps trying). For a tunnel already paid for.</summary>
    public async Task BringUpAsync(BoughtContract contract, TimeSpan handshakeTimeout, CancellationToken cancellationToken, FullTunnelOptions? fullTunnel = null)
    {
        await ConfigureAsync(contract, fullTunnel ?? new(), cancellationToken).ConfigureAwait(false);
        log.Progress(new ProgressUpdate("Buying a tunnel", "Waiting for the first WireGuard handshake", 90));
        if (await WaitForHandshakeAsync(contract.InterfaceName, handshakeTimeout, cancellationToken).ConfigureAwait(false))
        {
            log.Log(LogLevel.Verbose, $"{contract.InterfaceName}: first handshake with {contract.Endpoint}.");
        }
        else
        {
            log.Log(LogLevel.Warning, $"{contract.InterfaceName} is up but no handshake with {contract.Endpoint} within {handshakeTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Why this machine cannot set up a tunnel of <paramref name="mode"/> itself; null when it can.</summary>
    public string? CannotSetUp(TunnelMode mode) => mode switch
    {
        TunnelMode.Exit when wireGuard.FullTunnel is not { Supported: true } =>
            "This version of ImpVpn routes all traffic through an exit on Linux only; here, buy it as a configuration only and import that into WireGuard.",
        TunnelMode.PortForward when wireGuard.SourceRouting is null =>
            "A port forward routes this node's replies through the tunnel by source address, which ImpVpn does on Linux only.",
        _ => null,
    };

    /// <summary>Brings the interface up and proves, within <paramref name="timeout"/>, that the tunnel works: a
    /// handshake, then an echo to the seller's tunnel address answered through it. This is what the buyer pays for,
    /// so it is checked before the preimage is revealed. On failure the interface is removed (nothing half-made
    /// stays) and the reason is returned; null when the tunnel works.</summary>
    public async Task<string?> BringUpAndProveAsync(BoughtContract contract, TimeSpan timeout, CancellationToken cancellationToken, FullTunnelOptions? fullTunnel = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? failure = null;
        try
        {
            await ConfigureAsync(contract, fullTunnel ?? new(), cancellationToken).ConfigureAwait(false);
            log.Progress(new ProgressUpdate("Buying a tunnel", "Checking the tunnel before paying for it", 85));
            if (!await WaitForHandshakeAsync(contract.InterfaceName, timeout, cancellationToken).ConfigureAwait(false))
            {
                failure = $"no WireGuard handshake with {contract.Endpoint} within {timeout.TotalSeconds:0} s";
            }
            else if (!await EchoUntilAsync(contract, deadline, cancellationToken).ConfigureAwait(false))
            {
                failure = $"a handshake, but no answer from {contract.SellerTunnelAddress} through the tunnel within {timeout.TotalSeconds:0} s";
            }
        }
        catch (Exception e) when (e is WireGuardException or IOException or PlatformNotSupportedException)
        {
            failure = $"its interface could not be set up: {e.Message}";
        }

        if (failure is not null)
        {
            await RemoveAsync(contract, CancellationToken.None).ConfigureAwait(false);
            log.Log(LogLevel.Verbose, $"{contract.InterfaceName}: {failure}; removed.");
            return failure;
        }

        log.Log(LogLevel.Verbose, $"{contract.InterfaceName}: handshake with {contract.Endpoint}, and {contract.SellerTunnelAddress} answers through the tunnel.");
        return null;
    }

    /// <summary>Whether a tunnel already up on this machine still carries packets to the seller's tunnel address
    /// (an echo answered within <paramref name="timeout"/>); null when its interface is not on this machine, so there
    /// is nothing here to check.</summary>
    public async Task<bool?> StillWorksAsync(BoughtContract contract, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (contract.InterfaceName.Length == 0
            || await wireGuard.Devices.GetDeviceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        return await EchoUntilAsync(contract, DateTime.UtcNow + timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the interface of a tunnel that will not be paid for (its payment failed after all), and the
    /// full tunnel recorded for it.</summary>
    public Task TakeDownAsync(BoughtContract contract, CancellationToken cancellationToken) =>
        contract.InterfaceName.Length == 0 ? Task.CompletedTask : RemoveAsync(contract, cancellationToken);

    /// <summary>The interface first, then a port forward's source rule, then what a full tunnel changed (its kill switch last): nothing leaves outside the
    /// tunnel in between.</summary>
    internal async Task RemoveAsync(BoughtContract contract, CancellationToken cancellationToken)
    {
        if (contract.InterfaceName.Length > 0)
        {
            await wireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
        }

        await PortForwardRouting.RemoveAsync(wireGuard, contract, cancellationToken).ConfigureAwait(false);
        await _fullTunnel.UndoAsync(contract.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task ConfigureAsync(BoughtContract contract, FullTunnelOptions fullTunnel, CancellationToken cancellationToken)
    {
        log.Log(LogLevel.Verbose, $"Bringing up {contract.InterfaceName} ({contract.BuyerTunnelAddress}) with peer {contract.Endpoint}.");
        var key = contracts.ReadPrivateKey(contract.Id) ?? throw new WireGuardException($"The private key of tunnel {contract.Id} is missing from the store.");
        var address = IPAddress.Parse(contract.BuyerTunnelAddress);
        var hostBits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        // A half-made interface of an earlier run goes, and whatever full tunnel it recorded.
        await RemoveAsync(contract, cancellationToken).ConfigureAwait(false);
        await wireGuard.Links.CreateInterfaceAsync(contract.InterfaceName, new InterfaceOptions
        {
            PrivateKey = key,
            Addresses = [new IpPrefix(address, hostBits)],
        }, cancellationToken).ConfigureAwait(false);
        var allowed = contract.AllowedIps.Select(IpPrefix.Parse).ToList();
        var full = FullTunnelSetup.Wanted(contract)
            ? await _fullTunnel.PlanAndRecordAsync(contract, fullTunnel, cancellationToken).ConfigureAwait(false)
            : null;
        await wireGuard.Devices.ConfigureDeviceAsync(contract.InterfaceName, new DeviceConfig
        {
            // The tunnel's own UDP carries the mark, which keeps it out of the full tunnel's table.
            FirewallMark = full is null ? null : (uint)full.Table,
            Peers =
            [
                new PeerConfig(WireGuardPublicKey.Parse(contract.SellerWireGuardKey))
                {
                    Endpoint = IPEndPoint.Parse(contract.Endpoint),
                    PersistentKeepalive = Keepalive,
                    ReplaceAllowedIps = true,
                    AllowedIps = allowed,
                },
            ],
        }, cancellationToken).ConfigureAwait(false);
        if (full is not null)
        {
            try
            {
                await _fullTunnel.ApplyAsync(full, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Half a full tunnel is worse than none: everything goes, interface first.
                await RemoveAsync(contract, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            return;
        }

        // A port forward routes only the seller's address in the main table, and its own replies by source (PortForwardRouting).
        foreach (var route in PortForwardRouting.Applies(contract) ? PortForwardRouting.MainTableRoutes(contract) : allowed)
        {
            await wireGuard.Links.AddRouteAsync(contract.InterfaceName, route, cancellationToken).ConfigureAwait(false);
        }

        if (PortForwardRouting.Applies(contract))
        {
            await PortForwardRouting.ApplyAsync(wireGuard, contract, log, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> WaitForHandshakeAsync(string interfaceName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        // A handshake on a working path takes a few milliseconds; reading the device is cheap (one UAPI get), so
        // look again soon and back off to 20 ms.
        var pause = TimeSpan.FromMilliseconds(1);
        while (DateTime.UtcNow < deadline)
        {
            var device = await wireGuard.Devices.GetDeviceAsync(interfaceName, cancellationToken).ConfigureAwait(false);
            if (device?.Peers is [{ LastHandshake: not null }, ..])
            {
                return true;
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(20, pause.TotalMilliseconds * 2));
        }

        return false;
    }

    private async Task<bool> EchoUntilAsync(BoughtContract contract, DateTime deadline, CancellationToken cancellationToken)
    {
        var target = IPAddress.Parse(contract.SellerTunnelAddress);
        do
        {
            if (await wireGuard.Links.EchoAsync(contract.InterfaceName, target, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            // An echo usually waits its second for an answer; one refused at once (no route yet) is not retried in a
            // tight loop.
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
        while (DateTime.UtcNow < deadline);

        return false;
    }
}
