using ImpVpn.Core.Contracts;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Export;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buyer;

/// <summary>A bought tunnel as a wg-quick configuration, for a device ImpVpn does not drive (a phone, another
/// machine): the buyer's key from the store, the address the seller assigned, and the seller as the one peer.</summary>
public static class TunnelConfig
{
    // Keeps the tunnel's NAT mapping alive from behind a home router, as WireGuard's own docs suggest.
    private static readonly TimeSpan Keepalive = TimeSpan.FromSeconds(25);

    /// <summary>The configuration of an active (or once active) bought contract. Holds the private key: write it
    /// only with <see cref="SecretFileWriter"/> or <see cref="TunnelQrCode.SavePng"/>.</summary>
    public static WgQuickConfig For(ContractRecord contract, ContractStore store)
    {
        if (contract.Role != ContractRole.Buyer || contract.SellerWireGuardKey.Length == 0)
        {
            throw new InvalidOperationException($"Contract {contract.Id} has no tunnel to export: it was never activated ({contract.State}).");
        }

        var key = WireGuardPrivateKey.Parse(store.ReadSecret(contract.Id + ".key")
            ?? throw new InvalidOperationException($"The private key of tunnel {contract.Id} is missing from {store.Root}."));
        return new WgQuickConfig(key, [IpPrefix.Parse(contract.BuyerAddress)])
        {
            Peers =
            [
                new WgQuickPeer(WireGuardPublicKey.Parse(contract.SellerWireGuardKey), contract.AllowedIps.Select(IpPrefix.Parse).ToList())
                {
                    Endpoint = contract.Endpoint,
                    PersistentKeepalive = Keepalive,
                },
            ],
        };
    }
}
