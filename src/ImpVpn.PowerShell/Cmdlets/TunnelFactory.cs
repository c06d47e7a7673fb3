using ImpVpn.Core.Buyer;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.PowerShell.Output;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>Turns stored contracts into VpnTunnel objects with live WireGuard state, and writes the 0600 wg-quick
/// file a config-only buyer takes to its device.</summary>
internal static class TunnelFactory
{
    public static async Task<VpnTunnel> DescribeAsync(ContractRecord contract, ContractStore store, WireGuardHost? wireGuard, CancellationToken ct)
    {
        WireGuardPeer? live = null;
        if (wireGuard is not null && contract.InterfaceName.Length > 0 && contract.State == ContractState.Active)
        {
            try
            {
                live = (await wireGuard.Devices.GetDeviceAsync(contract.InterfaceName, ct).ConfigureAwait(false))?.Peers.FirstOrDefault();
            }
            catch (WireGuardException)
            {
                // No live state where the interface cannot be read (not root, or config-only); the contract still shows.
            }
        }

        var configPath = Path.Combine(store.Root, "keys", contract.Id + ".conf");
        return VpnTunnel.From(contract, live, File.Exists(configPath) ? configPath : null);
    }

    public static string WriteConfig(ContractRecord contract, ContractStore store)
    {
        var path = Path.Combine(store.Root, "keys", contract.Id + ".conf");
        TunnelConfig.For(contract, store).WriteFile(path);
        return path;
    }
}
