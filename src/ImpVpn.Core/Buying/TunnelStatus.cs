using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>A bought contract with what this machine can see of its tunnel right now: the peer's handshake and
/// counters where the interface is up and readable, and the store's wg-quick file where there is one.</summary>
public sealed record TunnelStatus(BoughtContract Contract, WireGuardPeer? Live, string? ConfigPath)
{
    /// <param name="wireGuard">null where interfaces cannot be read here (no privileges, or no WireGuard): the
    /// contract still shows, without live state.</param>
    public static async Task<TunnelStatus> ReadAsync(BoughtContract contract, BoughtContracts contracts, WireGuardHost? wireGuard, CancellationToken cancellationToken)
    {
        WireGuardPeer? live = null;
        if (wireGuard is not null && contract.InterfaceName.Length > 0 && contract.State == BoughtContractState.Active)
        {
            try
            {
                var device = await wireGuard.Devices.GetDeviceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
                live = device?.Peers is [var peer, ..] ? peer : null;
            }
            catch (WireGuardException)
            {
                // An interface that cannot be read (config-only, or taken down by hand) has no live state to show.
            }
        }

        var configPath = contracts.ConfigPath(contract.Id);
        return new TunnelStatus(contract, live, File.Exists(configPath) ? configPath : null);
    }
}
