using System.Globalization;
using System.Text.RegularExpressions;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>
/// A full tunnel on Linux, in the caller's network namespace or a named one: the kill switch (nftables,
/// <see cref="KillSwitchRuleset"/>), DNS (<see cref="LinuxTunnelDns"/>) and the policy routing
/// (<see cref="PolicyRoutingSteps"/>), through nft(8), resolvectl and ip(8).
/// </summary>
/// <param name="nftInstalled">Asked before the kill switch is set (tests answer for a machine they are not on).</param>
internal sealed partial class LinuxFullTunnel(ICommandRunner runner, LinuxNetworkContext context, LinuxTunnelDns dns, Func<bool> nftInstalled)
    : IFullTunnelRouting
{
    /// <summary>wg-quick's table and mark; the next free number above it when taken.</summary>
    public const int FirstTable = 51820;

    public async Task<FullTunnelPlan> PlanAsync(FullTunnelPlan draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var used = new HashSet<int>();
        foreach (var arguments in new[] { new[] { "-4", "rule", "show" }, ["-6", "rule", "show"], ["-4", "route", "show", "table", "all"], ["-6", "route", "show", "table", "all"] })
        {
            var (file, wrapped) = context.Wrap("ip", arguments);
            var output = await runner.RunCheckedAsync(file, wrapped, cancellationToken).ConfigureAwait(false);
            foreach (Match match in TableReference().Matches(output))
            {
                used.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        var table = FirstTable;
        while (used.Contains(table))
        {
            table++;
        }

        return draft with
        {
            Table = table,
            Dns = draft.Resolvers.Count == 0 ? null : dns.Plan(draft.InterfaceName, draft.Resolvers),
        };
    }

    public async Task ApplyAsync(FullTunnelPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string killSwitch;
        IReadOnlyList<string[]> routing;
        try
        {
            // Rendered before anything runs: a plan that cannot be written as rules changes nothing.
            killSwitch = KillSwitchRuleset.Apply(plan);
            routing = PolicyRoutingSteps.Apply(plan);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new FullTunnelException(plan.InterfaceName, $"its plan cannot be written as rules: {e.Message}", e);
        }

        await NftAsync(plan.InterfaceName, killSwitch, cancellationToken).ConfigureAwait(false);
        try
        {
            await dns.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new FullTunnelException(plan.InterfaceName, $"DNS could not be set in {dns.ResolvConfPath}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FullTunnelException(plan.InterfaceName, $"DNS could not be set in {dns.ResolvConfPath}: {e.Message}", e);
        }

        foreach (var step in routing)
        {
            var (file, wrapped) = context.Wrap("ip", step);
            var result = await runner.RunAsync(file, wrapped, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new FullTunnelException(plan.InterfaceName, $"'ip {string.Join(' ', step)}' failed with exit code {result.ExitCode}: {result.Error.Trim()}");
            }
        }
    }

    public async Task UndoAsync(FullTunnelPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var failures = new List<string>();
        foreach (var step in PolicyRoutingSteps.Undo(plan))
        {
            var (file, wrapped) = context.Wrap("ip", step);
            var result = await runner.RunAsync(file, wrapped, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0 && !PolicyRoutingSteps.AlreadyGone(result.Error))
            {
                failures.Add($"'ip {string.Join(' ', step)}': {result.Error.Trim()}");
            }
        }

        try
        {
            if (await dns.UndoAsync(plan, cancellationToken).ConfigureAwait(false) is { } failure)
            {
                failures.Add(failure);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{dns.ResolvConfPath}: {e.Message}");
        }

        // Last: until here, nothing leaves outside the tunnel.
        try
        {
            await NftAsync(plan.InterfaceName, KillSwitchRuleset.Remove(plan.InterfaceName), cancellationToken).ConfigureAwait(false);
        }
        catch (FullTunnelException e)
        {
            failures.Add(e.Message);
        }

        if (failures.Count > 0)
        {
            throw new FullTunnelException(plan.InterfaceName, "could not be undone entirely: " + string.Join("; ", failures));
        }
    }

    private async Task NftAsync(string interfaceName, string script, CancellationToken cancellationToken)
    {
        if (!nftInstalled())
        {
            throw new FullTunnelException(interfaceName, "nft (nftables) is not installed: not in PATH, /usr/sbin or /sbin; the kill switch needs it (apt-get install nftables).");
        }

        var (file, arguments) = context.Wrap("nft", "-f", "-");
        var result = await runner.RunAsync(file, arguments, script, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new FullTunnelException(interfaceName, $"nft refused the kill switch (exit code {result.ExitCode}): {result.Error.Trim()}");
        }
    }

    [GeneratedRegex(@"(?:table|lookup) (\d+)")]
    private static partial Regex TableReference();
}
