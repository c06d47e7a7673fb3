using System.Net;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Firewall;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>The seller's nftables firewall on the script and command it would run: what buyers may reach, and
/// values refused before they could reach a script run as root.</summary>
public sealed class NftablesFirewallTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static SellerFirewallRules Rules(string name = "impvpn0", string address = "10.77.0.1", int[]? ports = null, bool buyerToBuyer = false) =>
        new(name, IPAddress.Parse(address), ports ?? [9735], buyerToBuyer);

    [Fact]
    public void The_ruleset_replaces_its_own_table_and_lets_only_paid_buyers_reach_only_ping_and_the_allowed_ports_on_the_seller_address()
    {
        Assert.Equal(
            """
            table inet impvpn_impvpn0
            delete table inet impvpn_impvpn0
            table inet impvpn_impvpn0 {
            	set paid {
            		type ipv4_addr
            		flags timeout
            	}
            	chain input {
            		type filter hook input priority filter; policy accept;
            		iifname "impvpn0" jump from_buyers
            	}
            	chain from_buyers {
            		ip saddr != @paid drop
            		ct state established,related accept
            		ip daddr 10.77.0.1 icmp type echo-request accept
            		ip daddr 10.77.0.1 tcp dport { 9735 } accept
            		drop
            	}
            	chain forward {
            		type filter hook forward priority filter; policy accept;
            		iifname "impvpn0" ip saddr != @paid drop
            		oifname "impvpn0" ip daddr != @paid drop
            		iifname "impvpn0" oifname "impvpn0" drop
            		iifname "impvpn0" drop
            		oifname "impvpn0" ct state established,related accept
            		oifname "impvpn0" drop
            	}
            	chain output {
            		type filter hook output priority filter; policy accept;
            		oifname "impvpn0" ip daddr != @paid drop
            	}
            }

            """.ReplaceLineEndings("\n"),
            NftablesRuleset.Apply(Rules()));
    }

    [Fact]
    public void Ports_come_sorted_and_once_buyer_to_buyer_is_accepted_only_when_allowed_and_no_port_leaves_ping_only()
    {
        Assert.Contains("tcp dport { 22, 80, 9735 } accept", NftablesRuleset.Apply(Rules(ports: [9735, 80, 22, 80])), StringComparison.Ordinal);
        Assert.Contains("iifname \"impvpn0\" oifname \"impvpn0\" accept\n", NftablesRuleset.Apply(Rules(buyerToBuyer: true)), StringComparison.Ordinal);
        var pingOnly = NftablesRuleset.Apply(Rules(ports: []));
        Assert.DoesNotContain("tcp", pingOnly, StringComparison.Ordinal);
        Assert.Contains("icmp type echo-request accept", pingOnly, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_seller_address_is_matched_as_ip6_with_icmpv6_echo()
    {
        var script = NftablesRuleset.Apply(Rules(address: "fd00:77::1"));
        Assert.Contains("ip6 daddr fd00:77::1 icmpv6 type echo-request accept", script, StringComparison.Ordinal);
        Assert.Contains("ip6 daddr fd00:77::1 tcp dport { 9735 } accept", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ip daddr", script, StringComparison.Ordinal);
        Assert.Contains("type ipv6_addr", script, StringComparison.Ordinal);
        Assert.Contains("ip6 saddr != @paid drop", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admissions_replace_each_address_with_its_timeout_in_whole_seconds_rounded_up_in_one_nft_run()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, new LinuxNetworkContext("ns1"), () => true);

        await firewall.AdmitAsync("impvpn0", [new BuyerAdmission(IPAddress.Parse("10.77.0.2"), TimeSpan.FromSeconds(3600)), new BuyerAdmission(IPAddress.Parse("10.77.0.3"), TimeSpan.FromMilliseconds(1500))], None);
        await firewall.AdmitAsync("impvpn0", [], None);

        Assert.Equal(["ip netns exec ns1 nft -f -"], runner.Commands);
        Assert.Equal(
            [
                "add element inet impvpn_impvpn0 paid { 10.77.0.2 }\ndelete element inet impvpn_impvpn0 paid { 10.77.0.2 }\nadd element inet impvpn_impvpn0 paid { 10.77.0.2 timeout 3600s }\n"
                + NotAnExit("10.77.0.2", "ipv4_addr")
                + "add element inet impvpn_impvpn0 paid { 10.77.0.3 }\ndelete element inet impvpn_impvpn0 paid { 10.77.0.3 }\nadd element inet impvpn_impvpn0 paid { 10.77.0.3 timeout 2s }\n"
                + NotAnExit("10.77.0.3", "ipv4_addr"),
            ],
            runner.Inputs);
    }

    [Fact]
    public async Task Applying_admits_the_paid_buyers_in_the_same_nft_run_so_none_is_ever_left_out()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        await firewall.ApplyAsync(Rules(), [new BuyerAdmission(IPAddress.Parse("10.77.0.2"), TimeSpan.FromMinutes(5))], None);

        var script = Assert.Single(runner.Inputs);
        Assert.StartsWith(NftablesRuleset.Apply(Rules()), script, StringComparison.Ordinal);
        Assert.Contains("add element inet impvpn_impvpn0 paid { 10.77.0.2 timeout 300s }\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revocation_declares_the_element_before_deleting_it_so_it_works_when_there_is_none()
    {
        var runner = new RecordingCommandRunner();
        await new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true).RevokeAsync("impvpn0", IPAddress.Parse("fd00:77::2"), null, None);

        Assert.Equal(["add element inet impvpn_impvpn0 paid { fd00:77::2 }\ndelete element inet impvpn_impvpn0 paid { fd00:77::2 }\n" + NotAnExit("fd00:77::2", "ipv6_addr")], runner.Inputs);
    }

    // Every admission and revocation also takes the address out of the exit set (declared first, as it may not be
    // there): an address an exit buyer had never carries the exit to the next buyer it is leased to.
    private static string NotAnExit(string address, string type) =>
        $"add set inet impvpn_impvpn0 exit {{ type {type}; flags timeout; }}\nadd element inet impvpn_impvpn0 exit {{ {address} }}\ndelete element inet impvpn_impvpn0 exit {{ {address} }}\n";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("fe80::1%2")]
    [InlineData("0.0.0.0")]
    public async Task A_buyer_address_that_cannot_be_one_is_refused_before_nft_runs(string address)
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        await Assert.ThrowsAsync<ArgumentException>(() => firewall.AdmitAsync("impvpn0", [new BuyerAdmission(IPAddress.Parse(address), TimeSpan.FromHours(1))], None));
        await Assert.ThrowsAsync<ArgumentException>(() => firewall.RevokeAsync("impvpn0", IPAddress.Parse(address), null, None));
        Assert.Empty(runner.Commands);
    }

    [Theory]
    [InlineData("")]
    [InlineData("wg0\" ; flush ruleset ; \"")]
    [InlineData("wg*")]
    [InlineData("wg 0")]
    [InlineData("wg0\n")]
    [InlineData("-wg0")]
    [InlineData(".wg0")]
    [InlineData("wg/0")]
    [InlineData("wg{0}")]
    [InlineData("wgé")]
    [InlineData("abcdefghijklmnop")]
    public void Interface_names_outside_the_grammar_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => Rules(name: name));
    }

    [Theory]
    [InlineData("wg0")]
    [InlineData("impvpn0")]
    [InlineData("ivfS-a.b_c")]
    [InlineData("abcdefghijklmno")]
    public void Interface_names_inside_the_grammar_are_taken(string name)
    {
        Assert.Equal(name, Rules(name: name).InterfaceName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Ports_outside_1_to_65535_are_refused(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Rules(ports: [9735, port]));
    }

    [Theory]
    [InlineData("fe80::1%2")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.77.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void Addresses_that_cannot_be_a_sellers_tunnel_address_are_refused(string address)
    {
        Assert.Throws<ArgumentException>(() => Rules(address: address));
    }

    [Fact]
    public async Task Apply_hands_the_script_to_nft_on_standard_input_inside_the_sellers_namespace()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, new LinuxNetworkContext("ns1"), () => true);

        await firewall.ApplyAsync(Rules(), [], None);

        // The table in place is read first, for what an earlier exit recorded it changed on the host.
        Assert.Equal(["ip netns exec ns1 nft list table inet impvpn_impvpn0", "ip netns exec ns1 nft -f -"], runner.Commands);
        Assert.Equal([NftablesRuleset.Apply(Rules())], runner.Inputs);
    }

    [Fact]
    public async Task Remove_deletes_only_its_own_table_and_works_when_there_is_none()
    {
        var runner = new RecordingCommandRunner();
        await new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true).RemoveAsync("impvpn0", None);

        Assert.Equal(["nft list table inet impvpn_impvpn0", "nft -f -"], runner.Commands);
        Assert.Equal(["table inet impvpn_impvpn0\ndelete table inet impvpn_impvpn0\n"], runner.Inputs);
    }

    [Fact]
    public async Task Remove_refuses_a_name_outside_the_grammar_before_running_anything()
    {
        var runner = new RecordingCommandRunner();
        await Assert.ThrowsAsync<ArgumentException>(() => new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true).RemoveAsync("x; flush ruleset", None));
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task A_failing_nft_is_a_firewall_failure_with_its_exit_code_and_error()
    {
        var runner = new RecordingCommandRunner((_, _) => new CommandResult(1, string.Empty, "Error: Could not process rule: Operation not permitted\n"));
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        var e = await Assert.ThrowsAsync<SellerFirewallException>(() => firewall.ApplyAsync(Rules(), [], None));

        Assert.False(e.Unavailable);
        Assert.Equal("impvpn0", e.InterfaceName);
        Assert.Contains("exit code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_nft_the_firewall_is_unavailable_and_nothing_runs()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, new LinuxNetworkContext("ns1"), () => false);

        var e = await Assert.ThrowsAsync<SellerFirewallException>(() => firewall.ApplyAsync(Rules(), [], None));

        Assert.True(e.Unavailable);
        Assert.Contains("nftables", e.Message, StringComparison.Ordinal);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public void Linux_hosts_close_a_sellers_interface_with_nftables_and_windows_hosts_have_no_firewall_to_offer()
    {
        var runner = new RecordingCommandRunner();
        Assert.IsType<NftablesFirewall>(WireGuardHosts.ForLinux(runner, LinuxNetworkContext.Current, new FakeUapiTransport(), false, () => false).Firewall);
        Assert.Null(WireGuardHosts.ForWindows(runner, "C:\\conf", "wireguard.exe", "wg.exe").Firewall);
    }
}
