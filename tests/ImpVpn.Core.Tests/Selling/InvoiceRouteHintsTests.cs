using ImpVpn.Core.Lightning;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>Route hints go into the seller's invoices when it is reachable only through private channels.</summary>
public sealed class InvoiceRouteHintsTests
{
    private static readonly string Peer = "02" + new string('c', 64);

    private static Task<bool> WantedWith(params ChannelSummary[] channels) =>
        InvoiceRouteHints.WantedAsync(new HookedLightningNode(new FakeLightningNode("02" + new string('a', 64))) { Channels = channels }, CancellationToken.None);

    [Fact]
    public async Task Only_private_channels_want_hints() => Assert.True(await WantedWith(new ChannelSummary(Peer, true, true, 1)));

    [Fact]
    public async Task An_active_public_channel_wants_none() =>
        Assert.False(await WantedWith(new ChannelSummary(Peer, true, false, 1), new ChannelSummary(Peer, true, true, 1)));

    [Fact]
    public async Task A_public_channel_that_is_down_leaves_the_private_ones_to_be_hinted() =>
        Assert.True(await WantedWith(new ChannelSummary(Peer, false, false, 1), new ChannelSummary(Peer, true, true, 1)));

    [Fact]
    public async Task No_channels_want_none() => Assert.False(await WantedWith());
}
