using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Firewall;

/// <summary>
/// The seller's firewall on Linux: nftables, driven through nft(8) in the seller's network context, the way the
/// devices are driven through wg(8). The script goes on nft's standard input (<c>nft -f -</c>), so it is checked and
/// applied by nft as one transaction and never lies in a file another process could change in between.
/// </summary>
/// <remarks>
/// An exit also reads its egress interface (<c>ip -j addr</c>, <c>ip -j route</c>) at each apply, to refuse the
/// networks on it, and changes two sysctls where they are not yet so (<see cref="IpForwarding"/>). What it changed is
/// recorded in the table's comment (<see cref="HostChanges"/>), carried over by every later apply, and put back when
/// the table is removed or replaced by one without an exit.
/// </remarks>
/// <param name="nftInstalled">Asked before each run (tests answer for a machine they are not on).</param>
internal sealed class NftablesFirewall(ICommandRunner runner, LinuxNetworkContext context, Func<bool> nftInstalled) : ISellerFirewall
{
    private const string Nft = "nft";
    private const string Ip = "ip";

    // The widest directly connected route taken for the egress interface's own network.
    private const int MinConnectedIPv4 = 16;
    private const int MinConnectedIPv6 = 32;

    public static bool NftInstalled() => SystemCommandLocator.Find(Nft) is not null;

    public async Task<IReadOnlyList<string>> ApplyAsync(SellerFirewallRules rules, IReadOnlyCollection<BuyerAdmission> admitted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(admitted);
        EnsureNft(rules.InterfaceName);
        var earlier = await RecordAsync(rules.InterfaceName, cancellationToken).ConfigureAwait(false);

        // Without port forwarding there is no map for a forwarded port to go into: such admissions pass as plain ones.
        var admissions = rules.PortForward is null ? admitted.Select(a => a with { ForwardedPort = null }).ToList() : admitted;
        if (rules.Exit is null && rules.PortForward is null)
        {
            await RunAsync(rules.InterfaceName, NftablesRuleset.Apply(rules) + NftablesRuleset.Admit(rules.InterfaceName, admissions), cancellationToken).ConfigureAwait(false);
            // A table that forwarded no longer does: what it turned on goes back.
            return await UndoAsync(rules.InterfaceName, earlier, cancellationToken).ConfigureAwait(false);
        }

        // An exit, a port forward or both: the host forwards. Only an exit has an egress interface to read and
        // accept_ra to keep.
        var family = rules.SellerTunnelAddress.AddressFamily;
        var exit = rules.Exit;
        var egress = exit is null ? null : await EgressAsync(rules.InterfaceName, exit.EgressInterfaceName, family, cancellationToken).ConfigureAwait(false);
        var forwarding = await ReadAsync(IpForwarding.Key(family), cancellationToken).ConfigureAwait(false);
        var forwardingOff = forwarding == "0";
        var acceptRaOne = exit is not null && family == AddressFamily.InterNetworkV6
            && await ReadAsync(IpForwarding.AcceptRaKey(exit.EgressInterfaceName), cancellationToken).ConfigureAwait(false) == "1";
        var now = new HostChanges(
            forwardingOff && family == AddressFamily.InterNetwork,
            forwardingOff && family == AddressFamily.InterNetworkV6,
            acceptRaOne ? [exit!.EgressInterfaceName] : []);
        var record = earlier.Merge(now);
        await RunAsync(rules.InterfaceName, NftablesRuleset.Apply(rules, egress, record) + NftablesRuleset.Admit(rules.InterfaceName, admissions), cancellationToken).ConfigureAwait(false);

        // After the table, so forwarding never starts before the rules that bound it are in place; accept_ra before
        // forwarding, so the host never ignores an advertisement in between.
        var said = new List<string>();
        if (acceptRaOne)
        {
            await WriteAsync(rules.InterfaceName, IpForwarding.AcceptRaKey(exit!.EgressInterfaceName), "2", cancellationToken).ConfigureAwait(false);
            said.Add($"accept_ra of {exit.EgressInterfaceName} set from 1 to 2: with IPv6 forwarding on, the host keeps taking its IPv6 default route from router advertisements there (put back when the seller withdraws).");
        }

        if (forwarding != "1")
        {
            // Written only when not on already: a host whose forwarding is set at boot (sysctl.d) needs no write.
            await WriteAsync(rules.InterfaceName, IpForwarding.Key(family), "1", cancellationToken).ConfigureAwait(false);
        }

        if (forwardingOff)
        {
            said.Add($"{IpForwarding.Key(family)} turned on (it was off; it goes off again when the seller withdraws). Every interface of this network namespace forwards from now on; the seller's table bounds what buyers' packets may cross{(exit is null ? string.Empty : $" (out by {exit.EgressInterfaceName})")}.");
        }

        return said;
    }

    public async Task RemoveAsync(string interfaceName, CancellationToken cancellationToken)
    {
        SellerFirewallRules.ValidInterfaceName(interfaceName);
        EnsureNft(interfaceName);
        var earlier = await RecordAsync(interfaceName, cancellationToken).ConfigureAwait(false);
        await RunAsync(interfaceName, NftablesRuleset.Remove(interfaceName), cancellationToken).ConfigureAwait(false);
        await UndoAsync(interfaceName, earlier, cancellationToken).ConfigureAwait(false);
    }

    public Task AdmitAsync(string interfaceName, IReadOnlyCollection<BuyerAdmission> admissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admissions);
        return admissions.Count == 0 ? Task.CompletedTask : RunAsync(interfaceName, NftablesRuleset.Admit(interfaceName, admissions), cancellationToken);
    }

    public Task RevokeAsync(string interfaceName, IPAddress buyerTunnelAddress, int? forwardedPort, CancellationToken cancellationToken) =>
        RunAsync(interfaceName, NftablesRuleset.Revoke(interfaceName, buyerTunnelAddress, forwardedPort), cancellationToken);

    /// <summary>The egress interface's global networks of <paramref name="family"/> and the gateways of its routes.</summary>
    internal async Task<EgressNetworks> EgressAsync(string interfaceName, string egress, AddressFamily family, CancellationToken cancellationToken)
    {
        var v = family == AddressFamily.InterNetworkV6 ? "-6" : "-4";
        var (file, arguments) = context.Wrap(Ip, "-j", v, "addr", "show", "dev", egress);
        var addresses = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        if (addresses.ExitCode != 0)
        {
            throw new SellerFirewallException(interfaceName, $"the exit's egress interface '{egress}' does not exist here ({addresses.Error.Trim()}).") { MissingEgressInterface = egress };
        }

        (file, arguments) = context.Wrap(Ip, "-j", v, "route", "show", "dev", egress);
        var routes = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        return ParseEgress(addresses.Output, routes.ExitCode == 0 ? routes.Output : string.Empty, family);
    }

    /// <summary>Reads <c>ip -j addr show</c> and <c>ip -j route show</c> of one interface: the network of each global
    /// address (never a host or link scope one), each route's gateway, and each network its routes reach without a
    /// gateway (at most a /16, IPv6 a /32).</summary>
    internal static EgressNetworks ParseEgress(string addressJson, string routeJson, AddressFamily family)
    {
        var onLink = new List<IpPrefix>();
        var gateways = new List<IPAddress>();
        foreach (var link in Elements(addressJson))
        {
            if (!link.TryGetProperty("addr_info", out var infos) || infos.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("local", out var local) && local.ValueKind == JsonValueKind.String
                    && info.TryGetProperty("prefixlen", out var length) && length.ValueKind == JsonValueKind.Number
                    && (!info.TryGetProperty("scope", out var scope) || scope.GetString() == "global")
                    && IPAddress.TryParse(local.GetString(), out var address) && address.AddressFamily == family && (family != AddressFamily.InterNetworkV6 || address.ScopeId == 0))
                {
                    var prefix = new IpPrefix(address, length.GetInt32());
                    if (prefix.PrefixLength is >= 0 && prefix.PrefixLength <= (family == AddressFamily.InterNetworkV6 ? 128 : 32))
                    {
                        onLink.Add(prefix.Network());
                    }
                }
            }
        }

        foreach (var route in Elements(routeJson))
        {
            if (route.TryGetProperty("gateway", out var gateway) && gateway.ValueKind == JsonValueKind.String)
            {
                if (IPAddress.TryParse(gateway.GetString(), out var address) && address.AddressFamily == family)
                {
                    gateways.Add(address);
                }
            }
            else if (route.TryGetProperty("dst", out var dst) && dst.ValueKind == JsonValueKind.String
                && IpPrefix.TryParse(dst.GetString(), out var connected) && connected.Address.AddressFamily == family
                && (family != AddressFamily.InterNetworkV6 || connected.Address.ScopeId == 0)
                && connected.PrefixLength >= (family == AddressFamily.InterNetworkV6 ? MinConnectedIPv6 : MinConnectedIPv4))
            {
                // A network reached without a gateway is on the link too: the on-link /64 a router advertises to a
                // host whose own address is a DHCPv6 /128, say. Never "default", and never a range so wide it would
                // be half the internet (a split default route of a point-to-point link).
                onLink.Add(connected.Network());
            }
        }

        return new EgressNetworks([.. onLink.Distinct()], [.. gateways.Distinct()]);
    }

    private static IEnumerable<JsonElement> Elements(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? [.. document.RootElement.EnumerateArray().Select(e => e.Clone())]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>What the table now in place says ImpVpn changed (nothing when there is no table).</summary>
    private async Task<HostChanges> RecordAsync(string interfaceName, CancellationToken cancellationToken)
    {
        var (file, arguments) = context.Wrap(Nft, "list", "table", "inet", NftablesRuleset.TableName(interfaceName));
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? HostChanges.Parse(result.Output) : HostChanges.None;
    }

    /// <summary>Puts back what <paramref name="record"/> says ImpVpn turned on: forwarding off, accept_ra 1 (only with
    /// IPv6 forwarding going off, since with it on, 2 is what keeps the host's route).</summary>
    private async Task<IReadOnlyList<string>> UndoAsync(string interfaceName, HostChanges record, CancellationToken cancellationToken)
    {
        var said = new List<string>();
        if (record.IPv4Forwarding)
        {
            await WriteAsync(interfaceName, IpForwarding.Key(AddressFamily.InterNetwork), "0", cancellationToken).ConfigureAwait(false);
            said.Add($"{IpForwarding.Key(AddressFamily.InterNetwork)} turned off again (ImpVpn had turned it on).");
        }

        if (record.IPv6Forwarding)
        {
            await WriteAsync(interfaceName, IpForwarding.Key(AddressFamily.InterNetworkV6), "0", cancellationToken).ConfigureAwait(false);
            said.Add($"{IpForwarding.Key(AddressFamily.InterNetworkV6)} turned off again (ImpVpn had turned it on).");
            foreach (var name in record.AcceptRaInterfaces)
            {
                // The interface may be gone by now: nothing to put back then.
                var (file, arguments) = context.Wrap(IpForwarding.Sysctl, "-qw", IpForwarding.AcceptRaKey(name) + "=1");
                await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
            }
        }

        return said;
    }

    private async Task<string?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var (file, arguments) = context.Wrap(IpForwarding.Sysctl, "-n", key);
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.Output.Trim() : null;
    }

    private async Task WriteAsync(string interfaceName, string key, string value, CancellationToken cancellationToken)
    {
        var (file, arguments) = context.Wrap(IpForwarding.Sysctl, "-qw", key + "=" + value);
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SellerFirewallException(interfaceName, $"'{file} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}: {result.Error.Trim()}");
        }
    }

    // Said before anything runs: "ip netns exec" would otherwise report the missing tool in its own words.
    private void EnsureNft(string interfaceName)
    {
        if (!nftInstalled())
        {
            throw new SellerFirewallException(interfaceName, "nft (nftables) is not installed: not in PATH, /usr/sbin or /sbin.") { Unavailable = true };
        }
    }

    private async Task RunAsync(string interfaceName, string script, CancellationToken cancellationToken)
    {
        EnsureNft(interfaceName);
        var (file, arguments) = context.Wrap(Nft, "-f", "-");
        var result = await runner.RunAsync(file, arguments, script, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SellerFirewallException(interfaceName, $"'{file} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}: {result.Error.Trim()}");
        }
    }
}
