using System.Net;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Firewall;

/// <summary>
/// The seller's firewall on Linux: nftables, driven through nft(8) in the seller's network context, the way the
/// devices are driven through wg(8). The script goes on nft's standard input (<c>nft -f -</c>), so it is checked and
/// applied by nft as one transaction and never lies in a file another process could change in between.
/// </summary>
/// <param name="nftInstalled">Asked before each run (tests answer for a machine they are not on).</param>
internal sealed class NftablesFirewall(ICommandRunner runner, LinuxNetworkContext context, Func<bool> nftInstalled) : ISellerFirewall
{
    private const string Nft = "nft";

    public static bool NftInstalled() => SystemCommandLocator.Find(Nft) is not null;

    public async Task ApplyAsync(SellerFirewallRules rules, IReadOnlyCollection<BuyerAdmission> admitted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(admitted);
        // Without port forwarding there is no map for a forwarded port to go into: such admissions pass as plain ones.
        var admissions = rules.PortForward is null ? admitted.Select(a => a with { ForwardedPort = null }).ToList() : admitted;
        await RunAsync(rules.InterfaceName, NftablesRuleset.Apply(rules) + NftablesRuleset.Admit(rules.InterfaceName, admissions), cancellationToken).ConfigureAwait(false);
        if (rules.Exit is not null || rules.PortForward is not null)
        {
            // After the table, so forwarding never starts before the rules that bound it are in place.
            var (file, arguments) = context.Wrap(IpForwarding.Sysctl, IpForwarding.Arguments(rules.SellerTunnelAddress.AddressFamily));
            var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new SellerFirewallException(rules.InterfaceName, $"'{file} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}: {result.Error.Trim()}");
            }
        }
    }

    public Task RemoveAsync(string interfaceName, CancellationToken cancellationToken) =>
        RunAsync(interfaceName, NftablesRuleset.Remove(SellerFirewallRules.ValidInterfaceName(interfaceName)), cancellationToken);

    public Task AdmitAsync(string interfaceName, IReadOnlyCollection<BuyerAdmission> admissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admissions);
        return admissions.Count == 0 ? Task.CompletedTask : RunAsync(interfaceName, NftablesRuleset.Admit(interfaceName, admissions), cancellationToken);
    }

    public Task RevokeAsync(string interfaceName, IPAddress buyerTunnelAddress, CancellationToken cancellationToken) =>
        RunAsync(interfaceName, NftablesRuleset.Revoke(interfaceName, buyerTunnelAddress), cancellationToken);

    private async Task RunAsync(string interfaceName, string script, CancellationToken cancellationToken)
    {
        // Said before anything runs: "ip netns exec" would otherwise report the missing tool in its own words.
        if (!nftInstalled())
        {
            throw new SellerFirewallException(interfaceName, "nft (nftables) is not installed: not in PATH, /usr/sbin or /sbin.") { Unavailable = true };
        }

        var (file, arguments) = context.Wrap(Nft, "-f", "-");
        var result = await runner.RunAsync(file, arguments, script, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SellerFirewallException(interfaceName, $"'{file} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}: {result.Error.Trim()}");
        }
    }
}
