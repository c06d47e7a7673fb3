using System.Net;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Links.Linux;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>A port-forward buyer's policy routing on the ip(8) commands it runs: an earlier rule deleted first (ip adds
/// duplicates), the table's default route, the rule by source; removal deletes every such rule and flushes the table.</summary>
public sealed class LinuxSourceRoutingTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Routing_from_an_address_replaces_its_rule_and_sets_the_tables_default_route()
    {
        var deletes = 0;
        // One rule left by an earlier run: the first delete succeeds, the second finds none.
        var runner = new RecordingCommandRunner((_, arguments) => new CommandResult(arguments.Contains("del") && deletes++ == 0 ? 0 : arguments.Contains("del") ? 2 : 0, string.Empty, string.Empty));
        var routing = new LinuxSourceRouting(runner, new LinuxNetworkContext("ns1"));

        await routing.RouteFromAsync("impvpn3", IPAddress.Parse("10.77.0.2"), 172818434, None);

        Assert.Equal(
            [
                "ip netns exec ns1 ip -4 rule del from 10.77.0.2 lookup 172818434",
                "ip netns exec ns1 ip -4 rule del from 10.77.0.2 lookup 172818434",
                "ip netns exec ns1 ip -4 route replace default dev impvpn3 table 172818434",
                "ip netns exec ns1 ip -4 rule add from 10.77.0.2 lookup 172818434",
            ],
            runner.Commands);
    }

    [Fact]
    public async Task Removing_deletes_the_rule_and_flushes_the_table_and_a_system_table_is_never_used()
    {
        var runner = new RecordingCommandRunner((_, arguments) => new CommandResult(arguments.Contains("del") ? 2 : 0, string.Empty, string.Empty));
        var routing = new LinuxSourceRouting(runner, LinuxNetworkContext.Current);

        await routing.RemoveAsync(IPAddress.Parse("fd00:77::2"), 0x40000002, None);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => routing.RouteFromAsync("impvpn3", IPAddress.Parse("10.77.0.2"), 254, None));

        Assert.Equal(["ip -6 rule del from fd00:77::2 lookup 1073741826", "ip -6 route flush table 1073741826"], runner.Commands[..2]);
    }
}
