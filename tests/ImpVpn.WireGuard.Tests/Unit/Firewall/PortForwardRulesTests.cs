using System.Net;
using ImpVpn.Core.WireGuard.Firewall;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>The port-forward part of the seller's table: a map of public port to buyer, DNAT where connections arrive
/// (not from the tunnel) and where the seller makes its own, the forward filter letting through only forwarded
/// connections to paid buyers on the target port and their replies; the map's elements come and go with admissions.</summary>
public sealed class PortForwardRulesTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static SellerFirewallRules Rules(string address = "10.77.0.1") =>
        new SellerFirewallRules("impvpn0", IPAddress.Parse(address), [9735], allowBuyerToBuyer: false) { PortForward = new SellerPortForwardRules(9735) };

    [Fact]
    public void The_table_gets_the_map_the_forward_rules_and_dnat_in_prerouting_and_output()
    {
        var script = NftablesRuleset.Apply(Rules());

        Assert.Contains("\tmap forwards {\n\t\ttype inet_service : ipv4_addr\n\t\tflags timeout\n\t}\n", script, StringComparison.Ordinal);
        Assert.Contains(
            "\t\tiifname \"impvpn0\" oifname \"impvpn0\" drop\n"
            + "\t\toifname \"impvpn0\" ct direction original ct status dnat ip daddr @paid tcp dport 9735 accept\n"
            + "\t\tiifname \"impvpn0\" ct direction reply ct status dnat ip saddr @paid accept\n"
            + "\t\tiifname \"impvpn0\" drop\n",
            script,
            StringComparison.Ordinal);
        Assert.Contains(
            "\tchain portforward_prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
            + "\t\tiifname != \"impvpn0\" fib daddr type local dnat ip to tcp dport map @forwards : 9735\n\t}\n"
            + "\tchain portforward_output {\n\t\ttype nat hook output priority -100; policy accept;\n"
            + "\t\tfib daddr type local dnat ip to tcp dport map @forwards : 9735\n\t}\n}\n",
            script,
            StringComparison.Ordinal);

        // The checks against paid come first: a forwarded connection to an unpaid buyer is dropped before it is accepted.
        Assert.True(script.IndexOf("oifname \"impvpn0\" ip daddr != @paid drop", StringComparison.Ordinal) < script.IndexOf("ct status dnat", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_port_forwarding_the_table_has_none_of_it()
    {
        var script = NftablesRuleset.Apply(Rules() with { PortForward = null });

        Assert.DoesNotContain("forwards", script, StringComparison.Ordinal);
        Assert.DoesNotContain("dnat", script, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_seller_maps_ports_to_ipv6_buyers()
    {
        var script = NftablesRuleset.Apply(Rules("fd00:77::1"));

        Assert.Contains("type inet_service : ipv6_addr", script, StringComparison.Ordinal);
        Assert.Contains("dnat ip6 to tcp dport map @forwards : 9735", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admission_with_a_port_replaces_the_ports_element_with_the_same_timeout_in_the_same_run()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        await firewall.AdmitAsync("impvpn0", [new BuyerAdmission(IPAddress.Parse("10.77.0.2"), TimeSpan.FromSeconds(60)) { ForwardedPort = 40000 }], None);

        var script = Assert.Single(runner.Inputs);
        Assert.StartsWith("add element inet impvpn_impvpn0 paid { 10.77.0.2 }\ndelete element inet impvpn_impvpn0 paid { 10.77.0.2 }\nadd element inet impvpn_impvpn0 paid { 10.77.0.2 timeout 60s }\n", script, StringComparison.Ordinal);
        Assert.Contains("add element inet impvpn_impvpn0 forwards { 40000 : 10.77.0.2 }\ndelete element inet impvpn_impvpn0 forwards { 40000 }\nadd element inet impvpn_impvpn0 forwards { 40000 timeout 60s : 10.77.0.2 }\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Applied_without_port_forwarding_a_stored_port_is_left_out_and_forwarding_turns_ip_forwarding_on()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);
        BuyerAdmission[] admitted = [new BuyerAdmission(IPAddress.Parse("10.77.0.2"), TimeSpan.FromSeconds(60)) { ForwardedPort = 40000 }];

        await firewall.ApplyAsync(Rules() with { PortForward = null }, admitted, None);
        await firewall.ApplyAsync(Rules(), admitted, None);

        var scripts = runner.Inputs.Where(i => i.Contains("add element", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, scripts.Count);
        Assert.DoesNotContain("forwards", scripts[0], StringComparison.Ordinal);
        Assert.Contains("forwards { 40000 timeout 60s : 10.77.0.2 }", scripts[1], StringComparison.Ordinal);

        // IP forwarding is turned on only by the apply that forwards, after its table is in place.
        var applies = runner.Commands.Select((c, i) => (c, i)).Where(x => x.c == "nft -f -").Select(x => x.i).ToList();
        var forwardingOn = runner.Commands.Select((c, i) => (c, i)).Where(x => x.c.StartsWith("sysctl", StringComparison.Ordinal) && x.c.Contains("net.ipv4.ip_forward=1", StringComparison.Ordinal)).Select(x => x.i).ToList();
        Assert.Equal(2, applies.Count);
        Assert.True(forwardingOn.Count == 1 && forwardingOn[0] > applies[1], string.Join(" | ", runner.Commands));
    }

    // A revocation takes the contract's port out of the map with its address out of paid: the address returns to the
    // pool, and the port must not go on forwarding to its next buyer. The map is declared first, so the same script
    // works on a table without port forwarding.
    [Fact]
    public async Task A_revocation_with_a_port_deletes_the_ports_element_declaring_the_map_first()
    {
        var runner = new RecordingCommandRunner();
        var firewall = new NftablesFirewall(runner, LinuxNetworkContext.Current, () => true);

        await firewall.RevokeAsync("impvpn0", IPAddress.Parse("10.77.0.2"), 40000, None);
        await firewall.RevokeAsync("impvpn0", IPAddress.Parse("fd00:77::2"), 40001, None);
        await firewall.RevokeAsync("impvpn0", IPAddress.Parse("10.77.0.3"), null, None);

        Assert.Equal(3, runner.Inputs.Count);
        Assert.StartsWith(
            "add element inet impvpn_impvpn0 paid { 10.77.0.2 }\ndelete element inet impvpn_impvpn0 paid { 10.77.0.2 }\n"
            + "add map inet impvpn_impvpn0 forwards { type inet_service : ipv4_addr; flags timeout; }\n"
            + "add element inet impvpn_impvpn0 forwards { 40000 : 10.77.0.2 }\ndelete element inet impvpn_impvpn0 forwards { 40000 }\n",
            runner.Inputs[0],
            StringComparison.Ordinal);
        Assert.Contains(
            "add map inet impvpn_impvpn0 forwards { type inet_service : ipv6_addr; flags timeout; }\n"
            + "add element inet impvpn_impvpn0 forwards { 40001 : fd00:77::2 }\ndelete element inet impvpn_impvpn0 forwards { 40001 }\n",
            runner.Inputs[1],
            StringComparison.Ordinal);
        Assert.DoesNotContain("forwards", runner.Inputs[2], StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => NftablesRuleset.Revoke("impvpn0", IPAddress.Parse("10.77.0.2"), 70000));
    }

    [Fact]
    public void A_port_that_is_not_one_is_refused_before_a_script_is_written()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NftablesRuleset.Admit("impvpn0", [new BuyerAdmission(IPAddress.Parse("10.77.0.2"), TimeSpan.FromSeconds(60)) { ForwardedPort = 70000 }]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SellerPortForwardRules(0));
    }
}
