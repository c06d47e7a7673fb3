using System.Globalization;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>The buyer's contract moves only through its own transitions, and each keeps what the next run needs.</summary>
public sealed class BoughtContractTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T12:00:00Z", CultureInfo.InvariantCulture);

    private static readonly VpnQuote Quote = new("02" + new string('a', 64), "00ff", 1_000, TimeSpan.FromHours(1), Now.AddMinutes(5), "ipv4", "node-to-node", "promise");

    internal static BoughtContract Paying() =>
        BoughtContract.Paying("c1", Quote, new string('1', 64), new string('2', 64), "lnbcrt1", "buyerkey", "10.77.0.2", "ivpntest");

    internal static BoughtContract Active(DateTimeOffset expires) =>
        Paying().Activated(new SellerTunnel("sellerkey", "192.0.2.1:51820", "10.77.0.2", "10.77.0.1", ["10.77.0.1/32"], expires), Settled(1_000, 2));

    private static PaymentResult Settled(long sat, long fee) =>
        new(new byte[32], PaymentStatus.Succeeded, PaymentFailureReason.None, sat, fee, new byte[32]);

    [Fact]
    public void An_active_contract_reads_as_expired_once_its_time_is_up()
    {
        Assert.Equal(BoughtContractState.Active, Active(Now.AddSeconds(1)).StateAt(Now));
        Assert.Equal(BoughtContractState.Expired, Active(Now).StateAt(Now));
        Assert.Equal(BoughtContractState.Expired, Active(Now.AddHours(-1)).StateAt(Now));
        Assert.Equal(BoughtContractState.Paying, Paying().StateAt(Now));
        Assert.Equal(BoughtContractState.Cancelled, Paying().Cancelled().StateAt(Now));
    }

    [Fact]
    public void Activation_keeps_the_proof_of_payment_and_the_sellers_tunnel()
    {
        var active = Active(Now.AddHours(1));

        Assert.Equal(BoughtContractState.Active, active.State);
        Assert.Equal(new string('0', 64), active.Preimage);
        Assert.Equal(1_000, active.PaidSat);
        Assert.Equal(2, active.FeePaidSat);
        Assert.Equal("10.77.0.1", active.SellerTunnelAddress);
        Assert.True(active.HasTunnel);
        Assert.False(active.PaymentMayBeUnderWay);
    }

    [Fact]
    public void A_recorded_refresh_holds_removal_until_it_is_finished_or_abandoned()
    {
        var active = Active(Now.AddHours(1));
        var recorded = active.RefreshRecorded(new RefreshPayment(new string('3', 64), 500, 1800));
        Assert.True(recorded.PaymentMayBeUnderWay);

        var refreshed = recorded.Refreshed(Now.AddHours(1.5), Settled(500, 1));
        Assert.False(refreshed.PaymentMayBeUnderWay);
        Assert.Equal(1_500, refreshed.PriceSat);
        Assert.Equal(1_500, refreshed.PaidSat);
        Assert.Equal(3, refreshed.FeePaidSat);
        Assert.Equal(Now.AddHours(1.5), refreshed.ExpiresAt);
        Assert.Null(recorded.RefreshAbandoned().RefreshBeingPaid);
    }

    [Fact]
    public void Removal_forgets_the_interface_and_keeps_the_proof()
    {
        var removed = Active(Now.AddHours(-1)).Removed();

        Assert.True(removed.TunnelRemoved);
        Assert.Empty(removed.InterfaceName);
        Assert.NotNull(removed.Preimage);
    }

    [Fact]
    public void The_preimage_never_shows_in_text()
    {
        Assert.DoesNotContain(new string('0', 64), Active(Now).ToString());
    }
}
