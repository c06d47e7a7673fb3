using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Firewall;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>An exit and the host around it: the egress interface's own networks refused (its gateway still the way
/// out), the reserved ranges refused, overlapping ranges merged, accept_ra kept working under IPv6 forwarding,
/// forwarding put back only where ImpVpn turned it on, exit buyers apart from node-to-node ones.</summary>
public sealed class ExitHostTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // What `ip -j addr show dev eth0` prints for a host with a public IPv4 /24, a public IPv6 /64 and a link-local.
    private const string Addresses4 = """[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet","local":"198.51.100.1","prefixlen":24,"scope":"global"}]}]""";
    private const string Addresses6 = """[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet6","local":"2001:db8:100::1","prefixlen":64,"scope":"global"},{"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]}]""";
    private const string Routes4 = """[{"dst":"default","gateway":"198.51.100.80","flags":[]},{"dst":"198.51.100.0/24","protocol":"kernel","scope":"link","prefsrc":"198.51.100.1","flags":[]}]""";
    private const string Routes6 = """[{"dst":"2001:db8:100::/64","protocol":"kernel","metric":256,"flags":[]},{"dst":"default","gateway":"fe80::1","flags":[]}]""";

    private static SellerFirewallRules Rules(string address = "10.77.0.1", SellerExitRules? exit = null) =>
        new("impvpn0", IPAddress.Parse(address), [9735], allowBuyerToBuyer: false) { Exit = exit };

    private static SellerExitRules Exit(params string[] refused) => new("eth0", [.. refused.Select(IpPrefix.Parse)]);

    [Theory]
    [InlineData("192.0.0.0/24")]
    [InlineData("198.18.0.0/15")]
    [InlineData("64:ff9b::/96")]
    [InlineData("64:ff9b:1::/48")]
    [InlineData("2002::/16")]
    [InlineData("2001::/32")]
    [InlineData("100::/64")]
    public void The_reserved_and_translation_ranges_are_refused_by_default(string prefix)
    {
        var parsed = IpPrefix.Parse(prefix);
        Assert.Contains(parsed, Exit().RefusedFor(parsed.Address.AddressFamily));
    }

    [Theory]
    [InlineData("198.51.100.0/24")]
    [InlineData("203.0.113.0/24")]
    [InlineData("192.0.2.0/24")]
    [InlineData("2001:db8::/32")]
    public void The_documentation_ranges_the_test_internet_uses_are_not(string prefix)
    {
        var parsed = IpPrefix.Parse(prefix);
        Assert.DoesNotContain(Exit().RefusedFor(parsed.Address.AddressFamily), p => SellerExitRules.Contains(p, parsed) || SellerExitRules.Contains(parsed, p));
    }

    [Fact]
    public void Overlapping_refused_ranges_are_merged_so_the_interval_set_loads()
    {
        // 10.1.0.0/16 lies in the default 10/8; 192.0.2.128/25 in the listed 192.0.2.0/24; an on-link 10.9.0.0/24 too.
        var refused = Exit("10.1.0.0/16", "192.0.2.128/25", "192.0.2.0/24", "192.0.2.0/24").RefusedFor(AddressFamily.InterNetwork, [IpPrefix.Parse("10.9.0.0/24")]);

        Assert.Contains(IpPrefix.Parse("10.0.0.0/8"), refused);
        Assert.Contains(IpPrefix.Parse("192.0.2.0/24"), refused);
        Assert.DoesNotContain(IpPrefix.Parse("10.1.0.0/16"), refused);
        Assert.DoesNotContain(IpPrefix.Parse("192.0.2.128/25"), refused);
        Assert.DoesNotContain(IpPrefix.Parse("10.9.0.0/24"), refused);
        Assert.Equal(refused.Count, refused.Distinct().Count());
        foreach (var a in refused)
        {
            Assert.DoesNotContain(refused, b => b != a && SellerExitRules.Contains(a, b));
        }
    }

    [Fact]
    public void The_egress_interfaces_global_networks_and_gateways_are_read_from_ip_json()
    {
        var v4 = NftablesFirewall.ParseEgress(Addresses4, Routes4, AddressFamily.InterNetwork);
        var v6 = NftablesFirewall.ParseEgress(Addresses6, Routes6, AddressFamily.InterNetworkV6);

        Assert.Equal([IpPrefix.Parse("198.51.100.0/24")], v4.OnLink);
        Assert.Equal([IPAddress.Parse("198.51.100.80")], v4.Gateways);
        Assert.Equal([IpPrefix.Parse("2001:db8:100::/64")], v6.OnLink);
        Assert.Equal([IPAddress.Parse("fe80::1")], v6.Gateways);
        Assert.Empty(NftablesFirewall.ParseEgress("not json", "[]", AddressFamily.InterNetwork).OnLink);
    }

    [Fact]
    public void A_network_routed_without_a_gateway_is_on_link_too_but_never_default_nor_a_split_default()
    {
        // A DHCPv6 host: its address is a /128, the on-link /64 comes from the router's advertisement as a route.
        const string Addresses = """[{"ifname":"eth0","addr_info":[{"family":"inet6","local":"2001:db8:7::5","prefixlen":128,"scope":"global"}]}]""";
        const string Routes = """[{"dst":"2001:db8:7::/64","protocol":"ra","flags":[]},{"dst":"2000::/3","flags":[]},{"dst":"default","gateway":"fe80::1","flags":[]},{"dst":"fe80::/64","protocol":"kernel","flags":[]}]""";

        var egress = NftablesFirewall.ParseEgress(Addresses, Routes, AddressFamily.InterNetworkV6);

        Assert.Contains(IpPrefix.Parse("2001:db8:7::/64"), egress.OnLink);
        Assert.Contains(IpPrefix.Parse("2001:db8:7::5/128"), egress.OnLink);
        Assert.DoesNotContain(IpPrefix.Parse("2000::/3"), egress.OnLink);
        Assert.Equal([IPAddress.Parse("fe80::1")], egress.Gateways);
        Assert.Contains("ff00::/8, 2001:db8:7::/64 } drop", NftablesRuleset.Apply(Rules(address: "fd00:77::1", exit: Exit()), egress), StringComparison.Ordinal);
    }

    [Fact]
    public void An_exit_refuses_the_egress_networks_but_keeps_their_gateway_as_the_way_out()
    {
        var v4 = NftablesRuleset.Apply(Rules(exit: Exit()), NftablesFirewall.ParseEgress(Addresses4, Routes4, AddressFamily.InterNetwork));
        var v6 = NftablesRuleset.Apply(Rules(address: "fd00:77::1", exit: Exit()), NftablesFirewall.ParseEgress(Addresses6, Routes6, AddressFamily.InterNetworkV6));

        Assert.Contains("240.0.0.0/4, 198.51.100.0/24 } drop\n", v4, StringComparison.Ordinal);
        // The gateway's accept comes before the drop of its network.
        var gateway = v4.IndexOf("iifname \"impvpn0\" oifname \"eth0\" ip daddr { 198.51.100.80 } ip saddr @exit accept\n", StringComparison.Ordinal);
        Assert.True(gateway > 0 && gateway < v4.IndexOf("198.51.100.0/24 } drop", StringComparison.Ordinal));
        // A link-local gateway (as IPv6 usually has) is not excepted: fe80::/10 stays refused.
        Assert.Contains("ff00::/8, 2001:db8:100::/64 } drop\n", v6, StringComparison.Ordinal);
        Assert.DoesNotContain("fe80::1", v6, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_in_a_range_refused_anyway_stays_refused()
    {
        var egress = new EgressNetworks([IpPrefix.Parse("10.0.0.0/24")], [IPAddress.Parse("10.0.0.1")]);
        Assert.Empty(NftablesRuleset.Gateways(Exit(), AddressFamily.InterNetwork, egress));
        Assert.DoesNotContain("10.0.0.1", NftablesRuleset.Apply(Rules(exit: Exit()), egress), StringComparison.Ordinal);
    }

    [Fact]
    public void A_routed_ipv6_exit_forwards_without_nat_and_ipv4_is_always_masqueraded()
    {
        var routed = NftablesRuleset.Apply(Rules(address: "2001:db8:77::1", exit: Exit() with { IPv6 = IPv6Exit.Routed }));
        var v4 = NftablesRuleset.Apply(Rules(exit: Exit() with { IPv6 = IPv6Exit.Routed }));

        Assert.DoesNotContain("masquerade", routed, StringComparison.Ordinal);
        Assert.Contains("ip6 saddr @exit accept", routed, StringComparison.Ordinal);
        Assert.Contains("ip saddr @exit masquerade", v4, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resolver_on_the_sellers_tunnel_address_opens_dns_there_and_nothing_else()
    {
        var script = NftablesRuleset.Apply(Rules(exit: Exit() with { ResolverOnTunnelAddress = true }));

        Assert.Contains(
            "\t\tip daddr 10.77.0.1 icmp type echo-request accept\n\t\tip saddr @exit ip daddr 10.77.0.1 udp dport 53 accept\n\t\tip saddr @exit ip daddr 10.77.0.1 tcp dport 53 accept\n\t\tip daddr 10.77.0.1 tcp dport { 9735 } accept\n\t\tdrop\n",
            script,
            StringComparison.Ordinal);
        Assert.DoesNotContain("dport 53", NftablesRuleset.Apply(Rules(exit: Exit())), StringComparison.Ordinal);
    }

    // The resolver is part of the exit: a node-to-node or port-forward buyer (in @paid, not in @exit) gets no DNS
    // service from the seller's host.
    [Fact]
    public void The_resolver_on_the_sellers_tunnel_address_answers_exit_buyers_only()
    {
        var v4 = NftablesRuleset.Apply(Rules(exit: Exit() with { ResolverOnTunnelAddress = true }));
        var v6 = NftablesRuleset.Apply(Rules(address: "2001:db8:77::1", exit: Exit() with { ResolverOnTunnelAddress = true }));

        var v4Dns = v4.Split('\n').Where(l => l.Contains("dport 53", StringComparison.Ordinal)).ToList();
        var v6Dns = v6.Split('\n').Where(l => l.Contains("dport 53", StringComparison.Ordinal)).ToList();
        Assert.Equal(["\t\tip saddr @exit ip daddr 10.77.0.1 udp dport 53 accept", "\t\tip saddr @exit ip daddr 10.77.0.1 tcp dport 53 accept"], v4Dns);
        Assert.Equal(["\t\tip6 saddr @exit ip6 daddr 2001:db8:77::1 udp dport 53 accept", "\t\tip6 saddr @exit ip6 daddr 2001:db8:77::1 tcp dport 53 accept"], v6Dns);
    }

    [Fact]
    public void Only_buyers_admitted_for_an_exit_enter_the_exit_set()
    {
        var script = NftablesRuleset.Admit("impvpn0", [
            new BuyerAdmission(IPAddress.Parse("10.77.0.2"), TimeSpan.FromSeconds(60)) { Exit = true },
            new BuyerAdmission(IPAddress.Parse("10.77.0.3"), TimeSpan.FromSeconds(60)),
        ]);

        Assert.Contains("add element inet impvpn_impvpn0 exit { 10.77.0.2 timeout 60s }\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("exit { 10.77.0.3 timeout", script, StringComparison.Ordinal);
        Assert.Contains("delete element inet impvpn_impvpn0 exit { 10.77.0.3 }\n", script, StringComparison.Ordinal);
        Assert.Contains("\tset exit {\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t}\n", NftablesRuleset.Apply(Rules(exit: Exit())), StringComparison.Ordinal);
        Assert.DoesNotContain("set exit", NftablesRuleset.Apply(Rules()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_egress_interface_is_said_as_such_and_no_table_is_written()
    {
        var runner = new RecordingCommandRunner((file, arguments) => arguments.Contains("addr")
            ? new CommandResult(1, string.Empty, "Device \"eth9\" does not exist.")
            : new CommandResult(0, string.Empty, string.Empty));
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        var e = await Assert.ThrowsAsync<SellerFirewallException>(() => firewall.ApplyAsync(Rules(exit: new SellerExitRules("eth9", [])), [], None));

        Assert.Equal("eth9", e.MissingEgressInterface);
        Assert.Empty(runner.Inputs);
    }

    [Fact]
    public async Task Ipv6_forwarding_turned_on_sets_accept_ra_2_where_it_was_1_records_both_and_puts_them_back_on_removal()
    {
        var table = string.Empty;
        var runner = new RecordingCommandRunner((file, arguments) => string.Join(' ', arguments) switch
        {
            "-n net.ipv6.conf.all.forwarding" => new CommandResult(0, "0\n", string.Empty),
            "-n net/ipv6/conf/eth0/accept_ra" => new CommandResult(0, "1\n", string.Empty),
            "-j -6 addr show dev eth0" => new CommandResult(0, Addresses6, string.Empty),
            "list table inet impvpn_impvpn0" => new CommandResult(table.Length == 0 ? 1 : 0, table, string.Empty),
            _ => new CommandResult(0, string.Empty, string.Empty),
        });
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        var said = await firewall.ApplyAsync(Rules(address: "fd00:77::1", exit: Exit()), [], None);

        Assert.Contains("\tcomment \"impvpn turned on: ipv6-forwarding accept_ra=2:eth0\"\n", runner.Inputs[0], StringComparison.Ordinal);
        var acceptRa = runner.Commands.IndexOf("sysctl -qw net/ipv6/conf/eth0/accept_ra=2");
        Assert.True(acceptRa > 0 && acceptRa < runner.Commands.IndexOf("sysctl -qw net.ipv6.conf.all.forwarding=1"), "accept_ra before forwarding");
        Assert.Contains(said, s => s.Contains("accept_ra of eth0 set from 1 to 2", StringComparison.Ordinal));
        Assert.Contains(said, s => s.Contains("net.ipv6.conf.all.forwarding turned on", StringComparison.Ordinal));

        // Applied again (a restart): forwarding is on now, and the record is carried over from the table in place.
        table = "table inet impvpn_impvpn0 {\n\tcomment \"impvpn turned on: ipv6-forwarding accept_ra=2:eth0\"\n}\n";
        runner.Inputs.Clear();
        await firewall.ApplyAsync(Rules(address: "fd00:77::1", exit: Exit()), [], None);
        Assert.Contains("comment \"impvpn turned on: ipv6-forwarding accept_ra=2:eth0\"", runner.Inputs[0], StringComparison.Ordinal);

        runner.Commands.Clear();
        await firewall.RemoveAsync("impvpn0", None);
        Assert.Equal(
            ["nft list table inet impvpn_impvpn0", "nft -f -", "sysctl -qw net.ipv6.conf.all.forwarding=0", "sysctl -qw net/ipv6/conf/eth0/accept_ra=1"],
            runner.Commands);
    }

    [Fact]
    public async Task Forwarding_that_was_on_already_is_not_recorded_and_never_turned_off()
    {
        var runner = new RecordingCommandRunner((file, arguments) => string.Join(' ', arguments) switch
        {
            "-n net.ipv4.ip_forward" => new CommandResult(0, "1\n", string.Empty),
            "list table inet impvpn_impvpn0" => new CommandResult(0, "table inet impvpn_impvpn0 {\n}\n", string.Empty),
            _ => new CommandResult(0, string.Empty, string.Empty),
        });
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        Assert.Empty(await firewall.ApplyAsync(Rules(exit: Exit()), [], None));
        await firewall.RemoveAsync("impvpn0", None);

        Assert.DoesNotContain("comment", runner.Inputs[0], StringComparison.Ordinal);
        Assert.DoesNotContain(runner.Commands, c => c.Contains("=0", StringComparison.Ordinal));
        Assert.DoesNotContain(runner.Commands, c => c.Contains("-qw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_table_that_stops_being_an_exit_puts_back_the_forwarding_its_exit_turned_on()
    {
        var runner = new RecordingCommandRunner((file, arguments) => string.Join(' ', arguments) == "list table inet impvpn_impvpn0"
            ? new CommandResult(0, "table inet impvpn_impvpn0 {\n\tcomment \"impvpn turned on: ipv4-forwarding\"\n}\n", string.Empty)
            : new CommandResult(0, string.Empty, string.Empty));
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        var said = await firewall.ApplyAsync(Rules(), [], None);

        Assert.Equal(["nft list table inet impvpn_impvpn0", "nft -f -", "sysctl -qw net.ipv4.ip_forward=0"], runner.Commands);
        Assert.Contains(said, s => s.Contains("turned off again", StringComparison.Ordinal));
    }

    [Fact]
    public void A_record_in_a_listing_reads_back_and_a_foreign_comment_is_none()
    {
        var record = HostChanges.Parse("\tcomment \"impvpn turned on: ipv4-forwarding ipv6-forwarding accept_ra=2:eth0.100 accept_ra=2:eth1\"\n");
        Assert.True(record.IPv4Forwarding && record.IPv6Forwarding);
        Assert.Equal(["eth0.100", "eth1"], record.AcceptRaInterfaces);
        Assert.Equal(record.Comment(), HostChanges.Parse($"\tcomment \"{record.Comment()}\"\n").Comment());
        Assert.False(HostChanges.Parse("\tcomment \"someone else's\"\n").Any);
        Assert.False(HostChanges.Parse(string.Empty).Any);
        // An egress changed between runs: both interfaces are recorded, so both are put back.
        Assert.Equal(["eth0", "eth1"], new HostChanges(false, true, ["eth0"]).Merge(new HostChanges(false, false, ["eth1"])).AcceptRaInterfaces);
    }
}
