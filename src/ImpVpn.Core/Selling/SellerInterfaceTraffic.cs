using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The seller's interface as the operator's view reads it: each buyer's peer (handshake, bytes) by the buyer's
/// WireGuard key, so a sold contract can show its tunnel's traffic. Read once per listing, not once per contract.
/// An interface that is not there or cannot be read (config-only, another host, no privileges) reads as no peers:
/// the contracts still show, without traffic.
/// </summary>
public sealed class SellerInterfaceTraffic
{
    private readonly Dictionary<string, WireGuardPeer> _peers;

    private SellerInterfaceTraffic(Dictionary<string, WireGuardPeer> peers) => _peers = peers;

    public static SellerInterfaceTraffic None { get; } = new(new Dictionary<string, WireGuardPeer>(StringComparer.Ordinal));

    /// <param name="devices">null where interfaces cannot be read here.</param>
    public static async Task<SellerInterfaceTraffic> ReadAsync(IWireGuardDevices? devices, string interfaceName, CancellationToken cancellationToken)
    {
        if (devices is null)
        {
            return None;
        }

        try
        {
            InterfaceName.Validate(interfaceName);
            var device = await devices.GetDeviceAsync(interfaceName, cancellationToken).ConfigureAwait(false);
            return device is null
                ? None
                : new SellerInterfaceTraffic(device.Peers.GroupBy(p => p.PublicKey.ToBase64(), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal));
        }
        catch (Exception e) when (e is WireGuardException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            return None;
        }
    }

    /// <summary>The live peer of <paramref name="contract"/>'s buyer, if its interface has one.</summary>
    public WireGuardPeer? For(SoldContract contract) =>
        contract.State == SoldContractState.Active && WireGuardPublicKey.TryParse(contract.BuyerWireGuardKey, out var key)
            ? _peers.GetValueOrDefault(key!.ToBase64())
            : null;
}
