using ImpVpn.Core.WireGuard.Types;
using ImpVpn.Core.WireGuard.Export;

namespace ImpVpn.Core.Buying;

/// <summary>A bought tunnel as a wg-quick configuration, for a device ImpVpn does not drive (a phone, another
/// machine): the buyer's key from the store, the address the seller assigned, and the seller as the one peer. The
/// store keeps a copy of each active tunnel's file beside its key.</summary>
public static class TunnelExport
{
    /// <summary>The configuration of a contract the seller activated. Holds the private key: write it only with
    /// <see cref="WgQuickConfig.WriteFile"/> or <see cref="TunnelQrCode.SavePng"/>, which create owner-only files.</summary>
    public static WgQuickConfig ConfigOf(BoughtContract contract, BoughtContracts contracts)
    {
        if (!contract.HasTunnel)
        {
            throw new InvalidOperationException($"Contract {contract.Id} has no tunnel to export: it was never activated ({contract.State}).");
        }

        var key = contracts.ReadPrivateKey(contract.Id)
            ?? throw new InvalidOperationException($"The private key of tunnel {contract.Id} is missing from {contracts.StoreRoot}.");
        return new WgQuickConfig(key, [IpPrefix.Parse(contract.BuyerTunnelAddress)])
        {
            Peers =
            [
                new WgQuickPeer(WireGuardPublicKey.Parse(contract.SellerWireGuardKey), contract.AllowedIps.Select(IpPrefix.Parse).ToList())
                {
                    Endpoint = contract.Endpoint,
                    PersistentKeepalive = TunnelSetup.Keepalive,
                },
            ],
        };
    }

    /// <summary>Writes the store's own copy of the tunnel's wg-quick file (owner-only) and returns its path.</summary>
    public static string WriteStoreCopy(BoughtContract contract, BoughtContracts contracts)
    {
        var path = contracts.ConfigPath(contract.Id);
        ConfigOf(contract, contracts).WriteFile(path);
        return path;
    }
}
