using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Links.Windows;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>The full tunnel's commands as they would run: policy routing, kill switch, DNS, and the order of both
/// applying and undoing.</summary>
public sealed class FullTunnelTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static FullTunnelPlan Plan(bool killSwitch = true, params string[] families) => new()
    {
        InterfaceName = "wgx",
        Table = 51820,
        Endpoint = "192.0.2.7:51820",
        BuyerTunnelAddress = "10.77.1.2",
        RoutedFamilies = families.Length == 0 ? [FullTunnelPlan.IPv4] : families,
        KeepOutsidePorts = [9735],
        KeepOutsideAddresses = ["198.51.100.9", "2001:db8::9"],
        Resolvers = ["10.77.1.1"],
        KillSwitch = killSwitch,
    };

    [Fact]
    public void An_ipv4_exit_routes_ipv4_through_its_own_table_blocks_ipv6_and_never_touches_the_main_tables_default()
    {
        var steps = PolicyRoutingSteps.Apply(Plan()).Select(s => string.Join(' ', s)).ToList();

        Assert.Equal(
        [
            "-4 route replace default dev wgx table 51820",
            "-4 rule add priority 32760 ipproto tcp sport 9735 table main",
            "-4 rule add priority 32760 ipproto tcp dport 9735 table main",
            "-4 rule add priority 32760 to 198.51.100.9/32 table main",
            "-4 rule add priority 32761 table main suppress_prefixlength 0",
            "-4 rule add priority 32762 not fwmark 51820 table 51820",
            "-6 route replace unreachable default table 51820",
            "-6 rule add priority 32760 ipproto tcp sport 9735 table main",
            "-6 rule add priority 32760 ipproto tcp dport 9735 table main",
            "-6 rule add priority 32760 to 2001:db8::9/128 table main",
            "-6 rule add priority 32761 table main suppress_prefixlength 0",
            "-6 rule add priority 32762 not fwmark 51820 table 51820",
        ], steps);
        Assert.DoesNotContain(steps, s => s.Contains("0.0.0.0/0", StringComparison.Ordinal) || s.Contains("table main", StringComparison.Ordinal) && s.Contains("route", StringComparison.Ordinal));
    }

    [Fact]
    public void A_dual_exit_routes_both_families_and_undo_takes_the_diverting_rule_away_first()
    {
        var plan = Plan(true, FullTunnelPlan.IPv4, FullTunnelPlan.IPv6);
        Assert.Contains("-6 route replace default dev wgx table 51820", PolicyRoutingSteps.Apply(plan).Select(s => string.Join(' ', s)));

        var undo = PolicyRoutingSteps.Undo(plan).Select(s => string.Join(' ', s)).ToList();
        Assert.Equal("-4 rule del priority 32762 not fwmark 51820 table 51820", undo[0]);
        Assert.Equal("-4 route del default dev wgx table 51820", undo[5]);
        Assert.Equal("-6 rule del priority 32762 not fwmark 51820 table 51820", undo[6]);
        Assert.Equal(PolicyRoutingSteps.Apply(plan).Count, undo.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(254)]
    [InlineData(255)]
    public void Tables_the_system_owns_are_refused(int table) =>
        Assert.Throws<ArgumentException>(() => PolicyRoutingSteps.Apply(Plan() with { Table = table }));

    [Fact]
    public void The_kill_switch_drops_everything_but_loopback_the_tunnel_its_endpoint_and_the_exceptions_and_dns_but_to_the_resolvers()
    {
        var script = KillSwitchRuleset.Apply(Plan());

        Assert.StartsWith("table inet impvpn_ks_wgx\ndelete table inet impvpn_ks_wgx\ntable inet impvpn_ks_wgx {", script, StringComparison.Ordinal);
        Assert.Contains("type filter hook output priority filter; policy drop;", script, StringComparison.Ordinal);
        var order = KillSwitchOrder.Select(rule => script.IndexOf(rule, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order().ToList(), order);
        Assert.Contains("iifname != \"wgx\" ip daddr 10.77.1.2 fib saddr type != local drop", script, StringComparison.Ordinal);
    }

    private static readonly string[] KillSwitchOrder =
        [
            "oifname \"lo\" accept",
            "meta l4proto { tcp, udp } th dport 53 ip daddr != { 10.77.1.1 } drop",
            "meta nfproto ipv6 meta l4proto { tcp, udp } th dport 53 drop",
            "oifname \"wgx\" accept",
            "ip daddr 192.0.2.7 udp dport 51820 accept",
            "tcp sport 9735 accept",
            "tcp dport 9735 accept",
            "ip daddr 198.51.100.9 accept",
            "ip6 daddr 2001:db8::9 accept",
            "counter name leaked drop",
        ];

    [Fact]
    public void Without_the_kill_switch_only_the_guard_against_spoofed_packets_stays()
    {
        var script = KillSwitchRuleset.Apply(Plan(killSwitch: false));

        Assert.DoesNotContain("hook output", script, StringComparison.Ordinal);
        Assert.Contains("fib saddr type != local drop", script, StringComparison.Ordinal);
        Assert.Equal("table inet impvpn_ks_wgx\ndelete table inet impvpn_ks_wgx\n", KillSwitchRuleset.Remove("wgx"));
    }

    [Fact]
    public async Task A_name_that_would_be_nft_syntax_is_refused_before_anything_runs()
    {
        Assert.Throws<ArgumentException>(() => KillSwitchRuleset.Apply(Plan() with { InterfaceName = "a\" accept" }));
        var runner = new RecordingCommandRunner();
        var routing = new LinuxFullTunnel(runner, LinuxNetworkContext.Current, new LinuxTunnelDns(runner, LinuxNetworkContext.Current, "/nonexistent/resolv.conf", () => false), () => true);

        await Assert.ThrowsAsync<FullTunnelException>(() => routing.ApplyAsync(Plan() with { InterfaceName = "a\" accept" }, None));
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task A_plan_takes_the_first_table_nothing_uses_and_changes_nothing()
    {
        var runner = new RecordingCommandRunner((_, arguments) => arguments.Contains("rule")
            ? new CommandResult(0, "0:\tfrom all lookup local\n32762:\tnot from all fwmark 0xca6c lookup 51820\n", string.Empty)
            : new CommandResult(0, "default dev wg9 table 51821 scope link\n", string.Empty));
        var dnsFile = Path.GetTempFileName();
        try
        {
            var routing = new LinuxFullTunnel(runner, LinuxNetworkContext.Current, new LinuxTunnelDns(runner, LinuxNetworkContext.Current, dnsFile, () => false), () => true);

            var plan = await routing.PlanAsync(Plan() with { Table = 0 }, None);

            Assert.Equal(51822, plan.Table);
            Assert.Equal(TunnelDnsMethod.ResolvConf, plan.Dns!.Method);
            Assert.All(runner.Commands, c => Assert.Contains(" show", c, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(dnsFile);
        }
    }

    [Fact]
    public async Task Apply_sets_the_kill_switch_first_and_the_diverting_rule_last_undo_takes_the_kill_switch_away_last_and_tolerates_what_is_gone()
    {
        var runner = new RecordingCommandRunner((file, arguments) => arguments.Contains("del")
            ? new CommandResult(2, string.Empty, "RTNETLINK answers: No such file or directory")
            : new CommandResult(0, string.Empty, string.Empty));
        var routing = new LinuxFullTunnel(runner, new LinuxNetworkContext("ns1"), new LinuxTunnelDns(runner, new LinuxNetworkContext("ns1"), "/nonexistent/resolv.conf", () => false), () => true);
        var plan = Plan() with { Dns = null };

        await routing.ApplyAsync(plan, None);
        Assert.Equal("ip netns exec ns1 nft -f -", runner.Commands[0]);
        Assert.Equal("ip netns exec ns1 ip -6 rule add priority 32762 not fwmark 51820 table 51820", runner.Commands[^1]);

        runner.Commands.Clear();
        runner.Inputs.Clear();
        await routing.UndoAsync(plan, None);
        Assert.StartsWith("ip netns exec ns1 ip -4 rule del priority 32762", runner.Commands[0], StringComparison.Ordinal);
        Assert.Equal("ip netns exec ns1 nft -f -", runner.Commands[^1]);
        Assert.Equal(KillSwitchRuleset.Remove("wgx"), runner.Inputs[^1]);
    }

    [Fact]
    public async Task An_undo_that_fails_for_another_reason_tries_every_step_and_then_says_what_failed()
    {
        var runner = new RecordingCommandRunner((file, arguments) => arguments.Contains("rule")
            ? new CommandResult(2, string.Empty, "RTNETLINK answers: Operation not permitted")
            : new CommandResult(0, string.Empty, string.Empty));
        var routing = new LinuxFullTunnel(runner, LinuxNetworkContext.Current, new LinuxTunnelDns(runner, LinuxNetworkContext.Current, "/nonexistent/resolv.conf", () => false), () => true);

        var error = await Assert.ThrowsAsync<FullTunnelException>(() => routing.UndoAsync(Plan(), None));

        Assert.Contains("Operation not permitted", error.Message, StringComparison.Ordinal);
        Assert.Equal("nft -f -", runner.Commands[^1]);
    }

    [Fact]
    public async Task Resolv_conf_is_rewritten_in_place_keeping_search_and_options_and_the_original_comes_back()
    {
        var path = Path.GetTempFileName();
        const string original = "# from DHCP\nnameserver 192.168.1.1\nsearch home.arpa\noptions edns0\n";
        await File.WriteAllTextAsync(path, original);
        try
        {
            var runner = new RecordingCommandRunner();
            var dns = new LinuxTunnelDns(runner, LinuxNetworkContext.Current, path, () => false);
            var change = dns.Plan("wgx", ["10.77.1.1", "2001:db8::53"]);
            Assert.Equal(original, change.OriginalText);
            var plan = Plan() with { Dns = change, Resolvers = ["10.77.1.1", "2001:db8::53"] };

            // A handle opened before: a file replaced by rename would still show it the old text; a bind mount
            // (ip netns exec) cannot be renamed over at all.
            using var before = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            await dns.ApplyAsync(plan, None);
            using (var reader = new StreamReader(before, leaveOpen: true))
            {
                var seen = await reader.ReadToEndAsync();
                Assert.Contains("nameserver 10.77.1.1\nnameserver 2001:db8::53\n", seen, StringComparison.Ordinal);
                Assert.Contains("search home.arpa\noptions edns0\n", seen, StringComparison.Ordinal);
                Assert.DoesNotContain("192.168.1.1", seen, StringComparison.Ordinal);
            }

            Assert.Null(await dns.UndoAsync(plan, None));
            Assert.Equal(original, await File.ReadAllTextAsync(path));
            Assert.Empty(runner.Commands);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_resolv_conf_someone_else_rewrote_meanwhile_is_left_as_they_wrote_it_and_one_that_was_not_there_goes_again()
    {
        var path = Path.Combine(Path.GetTempPath(), "impvpn-dns-" + Guid.NewGuid().ToString("N"));
        try
        {
            var dns = new LinuxTunnelDns(new RecordingCommandRunner(), LinuxNetworkContext.Current, path, () => false);
            var plan = Plan() with { Dns = dns.Plan("wgx", ["10.77.1.1"]) };
            Assert.Null(plan.Dns!.OriginalText);
            await dns.ApplyAsync(plan, None);
            Assert.True(File.Exists(path));
            await dns.UndoAsync(plan, None);
            Assert.False(File.Exists(path));

            await File.WriteAllTextAsync(path, "nameserver 192.168.1.1\n");
            plan = Plan() with { Dns = dns.Plan("wgx", ["10.77.1.1"]) };
            await dns.ApplyAsync(plan, None);
            await File.WriteAllTextAsync(path, "nameserver 192.168.7.7\n");
            await dns.UndoAsync(plan, None);
            Assert.Equal("nameserver 192.168.7.7\n", await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Where_systemd_resolved_manages_dns_the_interface_gets_the_resolvers_and_the_catch_all_domain()
    {
        var runner = new RecordingCommandRunner();
        var dns = new LinuxTunnelDns(runner, LinuxNetworkContext.Current, "/etc/resolv.conf", () => true);
        var plan = Plan() with { Dns = dns.Plan("wgx", ["10.77.1.1"]) };

        await dns.ApplyAsync(plan, None);
        await dns.UndoAsync(plan, None);

        Assert.Equal(["resolvectl dns wgx 10.77.1.1", "resolvectl domain wgx ~.", "resolvectl revert wgx"], runner.Commands);
    }

    [Fact]
    public async Task Windows_dns_is_set_with_netsh_on_the_tunnel_interface_and_given_back_to_dhcp()
    {
        var commands = WindowsFullTunnel.DnsCommands("wgx", ["10.77.1.1", "10.77.1.2", "2001:db8::53"]).Select(c => string.Join(' ', c)).ToList();

        Assert.Equal(
        [
            "interface ipv4 set dnsservers name=wgx source=static address=10.77.1.1 register=none validate=no",
            "interface ipv4 add dnsservers name=wgx address=10.77.1.2 index=2 validate=no",
            "interface ipv6 set dnsservers name=wgx source=static address=2001:db8::53 register=none validate=no",
        ], commands);
        Assert.Equal(
            ["interface ipv4 set dnsservers name=wgx source=dhcp", "interface ipv6 set dnsservers name=wgx source=dhcp"],
            WindowsFullTunnel.DnsUndoCommands("wgx").Select(c => string.Join(' ', c)));
        await Assert.ThrowsAsync<FullTunnelNotSupportedException>(() => new WindowsFullTunnel().PlanAsync(Plan(), None));
    }
}
