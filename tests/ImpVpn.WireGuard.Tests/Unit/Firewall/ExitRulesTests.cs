using System.Net;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Firewall;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>A seller that is an exit, on the script and commands it would run: admitted buyers out of the egress
/// interface only, masqueraded, never to the seller's own networks; node-to-node rules untouched when exit is off.</summary>
public sealed class ExitRulesTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static SellerFirewallRules Rules(string address = "10.77.0.1", SellerExitRules? exit = null) =>
        new("impvpn0", IPAddress.Parse(address), [9735], allowBuyerToBuyer: false) { Exit = exit };

    private static SellerExitRules Exit(params string[] refused) => new("eth0", [.. refused.Select(IpPrefix.Parse)]);

    [Fact]
    public void An_ipv4_exit_forwards_paid_buyers_out_of_the_egress_interface_only_refuses_the_sellers_networks_and_masquerades()
    {
        var script = NftablesRuleset.Apply(Rules(exit: Exit("203.0.113.7/24")));

        Assert.Contains(
            """
            	chain forward {
            		type filter hook forward priority filter; policy accept;
            		iifname "impvpn0" ip saddr != @paid drop
            		oifname "impvpn0" ip daddr != @paid drop
            		iifname "impvpn0" oifname "impvpn0" drop
            		iifname "impvpn0" oifname "eth0" ip daddr { 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.0.0/24, 192.168.0.0/16, 198.18.0.0/15, 224.0.0.0/4, 240.0.0.0/4, 203.0.113.0/24 } drop
            		iifname "impvpn0" oifname "eth0" ip saddr @exit accept
            		iifname "impvpn0" drop
            		oifname "impvpn0" ct state established,related accept
            		oifname "impvpn0" drop
            	}
            """.ReplaceLineEndings("\n"),
            script,
            StringComparison.Ordinal);
        Assert.EndsWith(
            """
            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "eth0" ip saddr @exit masquerade
            	}
            }

            """.ReplaceLineEndings("\n"),
            script,
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_input_and_output_chains_of_an_exit_are_those_of_node_to_node()
    {
        static string Chain(string script, string name)
        {
            var start = script.IndexOf("\tchain " + name + " {", StringComparison.Ordinal);
            return script[start..script.IndexOf("\t}\n", start, StringComparison.Ordinal)];
        }

        var plain = NftablesRuleset.Apply(Rules());
        var exit = NftablesRuleset.Apply(Rules(exit: Exit()));
        foreach (var chain in new[] { "input", "from_buyers", "output" })
        {
            Assert.Equal(Chain(plain, chain), Chain(exit, chain));
        }
    }

    [Fact]
    public void Without_exit_the_script_has_no_egress_no_nat_and_nothing_else_changes()
    {
        var script = NftablesRuleset.Apply(Rules());

        Assert.DoesNotContain("postrouting", script, StringComparison.Ordinal);
        Assert.DoesNotContain("masquerade", script, StringComparison.Ordinal);
        Assert.Contains("\t\tiifname \"impvpn0\" oifname \"impvpn0\" drop\n\t\tiifname \"impvpn0\" drop\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_exit_refuses_ula_link_local_and_the_sellers_ipv6_networks_and_masquerades_as_ip6()
    {
        var script = NftablesRuleset.Apply(Rules(address: "fd00:77::1", exit: Exit("2001:db8:5::9/48", "203.0.113.0/24")));

        Assert.Contains(
            "iifname \"impvpn0\" oifname \"eth0\" ip6 daddr { ::/127, ::ffff:0:0/96, 64:ff9b::/96, 64:ff9b:1::/48, 100::/64, 2001::/32, 2002::/16, fc00::/7, fe80::/10, ff00::/8, 2001:db8:5::/48 } drop\n",
            script,
            StringComparison.Ordinal);
        Assert.Contains("iifname \"impvpn0\" oifname \"eth0\" ip6 saddr @exit accept\n", script, StringComparison.Ordinal);
        Assert.Contains("oifname \"eth0\" ip6 saddr @exit masquerade\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ip daddr", script, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("eth0\n")]
    [InlineData("eth0;flush")]
    [InlineData("eth*")]
    [InlineData("\"eth0\"")]
    [InlineData("a-name-too-long-0")]
    [InlineData("-eth0")]
    public void An_egress_name_outside_the_grammar_is_refused(string name) =>
        Assert.Throws<ArgumentException>(() => new SellerExitRules(name, []));

    [Fact]
    public void The_egress_cannot_be_the_wireguard_interface_and_a_scoped_destination_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Rules() with { Exit = new SellerExitRules("impvpn0", []) });
        Assert.Throws<ArgumentException>(() => new SellerExitRules("eth0", [new IpPrefix(IPAddress.Parse("fe80::1%2"), 64)]));
        Assert.Throws<ArgumentException>(() => new SellerExitRules("eth0", [new IpPrefix(IPAddress.Parse("10.0.0.0"), 33)]));
    }

    [Fact]
    public async Task Applying_an_exit_turns_forwarding_on_for_its_family_after_the_table_and_only_then()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, new LinuxNetworkContext("ns1"), () => true);

        await firewall.ApplyAsync(Rules(), [], None);
        Assert.Equal(["ip netns exec ns1 nft list table inet impvpn_impvpn0", "ip netns exec ns1 nft -f -"], runner.Commands);

        runner.Commands.Clear();
        await firewall.ApplyAsync(Rules(exit: Exit()), [], None);
        await firewall.ApplyAsync(Rules(address: "fd00:77::1", exit: Exit()), [], None);
        Assert.Equal(
            [
                "ip netns exec ns1 nft list table inet impvpn_impvpn0",
                "ip netns exec ns1 ip -j -4 addr show dev eth0",
                "ip netns exec ns1 ip -j -4 route show dev eth0",
                "ip netns exec ns1 sysctl -n net.ipv4.ip_forward",
                "ip netns exec ns1 nft -f -",
                "ip netns exec ns1 sysctl -qw net.ipv4.ip_forward=1",
                "ip netns exec ns1 nft list table inet impvpn_impvpn0",
                "ip netns exec ns1 ip -j -6 addr show dev eth0",
                "ip netns exec ns1 ip -j -6 route show dev eth0",
                "ip netns exec ns1 sysctl -n net.ipv6.conf.all.forwarding",
                "ip netns exec ns1 sysctl -n net/ipv6/conf/eth0/accept_ra",
                "ip netns exec ns1 nft -f -",
                "ip netns exec ns1 sysctl -qw net.ipv6.conf.all.forwarding=1",
            ],
            runner.Commands);
    }

    [Fact]
    public async Task Forwarding_that_cannot_be_turned_on_is_a_firewall_error()
    {
        var runner = new RecordingCommandRunner((file, arguments) => new CommandResult(file == "sysctl" && arguments[0] == "-qw" ? 255 : 0, string.Empty, "permission denied"));
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        var e = await Assert.ThrowsAsync<SellerFirewallException>(() => firewall.ApplyAsync(Rules(exit: Exit()), [], None));
        Assert.Contains("net.ipv4.ip_forward=1", e.Message, StringComparison.Ordinal);
    }
}
