using System.Net;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

public sealed class PricingAndPoolTests
{
    [Theory]
    [InlineData(3600, 1000)]
    [InlineData(1800, 500)]
    [InlineData(61, 17)]
    [InlineData(1, 1)]
    public void Prices_are_per_hour_rounded_up_to_whole_sats(int seconds, long expected) =>
        Assert.Equal(expected, new Pricing(1000, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)).PriceFor(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Durations_outside_the_range_are_refused()
    {
        var pricing = new Pricing(1000, TimeSpan.FromMinutes(1), TimeSpan.FromHours(2));
        Assert.Equal(ProtocolErrorCode.DurationOutOfRange, Assert.Throws<ProtocolException>(() => pricing.PriceFor(TimeSpan.FromSeconds(59))).Code);
        Assert.Equal(ProtocolErrorCode.DurationOutOfRange, Assert.Throws<ProtocolException>(() => pricing.PriceFor(TimeSpan.FromHours(3))).Code);
    }

    [Fact]
    public void The_pool_keeps_the_first_host_for_the_seller_and_refuses_when_exhausted()
    {
        var pool = new AddressPool(IpPrefix.Parse("10.9.0.0/29"));
        Assert.Equal(IPAddress.Parse("10.9.0.1"), pool.SellerTunnelAddress);
        var leased = Enumerable.Range(0, 5).Select(_ => pool.Lease()).ToList();
        Assert.Equal(["10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"], leased.Select(a => a.ToString()));
        Assert.Equal(ProtocolErrorCode.PoolExhausted, Assert.Throws<ProtocolException>(() => pool.Lease()).Code);

        pool.Release(IPAddress.Parse("10.9.0.4"));
        Assert.Equal(IPAddress.Parse("10.9.0.4"), pool.Lease());
    }

    [Fact]
    public void A_rebuilt_pool_does_not_hand_out_reserved_addresses_and_ipv6_works()
    {
        var pool = new AddressPool(IpPrefix.Parse("10.9.1.0/24"));
        pool.Reserve(IPAddress.Parse("10.9.1.2"));
        Assert.Equal(IPAddress.Parse("10.9.1.3"), pool.Lease());
        var six = new AddressPool(IpPrefix.Parse("fd77::/64"));
        Assert.Equal(IPAddress.Parse("fd77::1"), six.SellerTunnelAddress);
        Assert.Equal(IPAddress.Parse("fd77::2"), six.Lease());
    }

    [Fact]
    public void The_pool_leases_the_lowest_free_address_whatever_was_released_or_reserved_before()
    {
        var pool = new AddressPool(IpPrefix.Parse("10.9.2.0/24"));
        pool.Reserve(IPAddress.Parse("10.9.2.5")); // a restart's lease, out of order
        var leased = Enumerable.Range(0, 5).Select(_ => pool.Lease().ToString()).ToList();
        Assert.Equal(["10.9.2.2", "10.9.2.3", "10.9.2.4", "10.9.2.6", "10.9.2.7"], leased);

        pool.Release(IPAddress.Parse("10.9.2.6"));
        pool.Release(IPAddress.Parse("10.9.2.3"));
        pool.Release(IPAddress.Parse("10.9.2.3")); // twice: still one free address
        pool.Reserve(IPAddress.Parse("10.9.2.3")); // taken again by a reservation: not handed out
        Assert.Equal(["10.9.2.6", "10.9.2.8", "10.9.2.9"], Enumerable.Range(0, 3).Select(_ => pool.Lease().ToString()));
        Assert.Equal(8, pool.Leased);
    }

    [Fact]
    public void A_peer_that_floods_quotes_is_rate_limited_and_others_are_not()
    {
        var limiter = new QuoteRateLimiter(3, TimeProvider.System);
        Assert.True(limiter.TryTake("a") && limiter.TryTake("a") && limiter.TryTake("a"));
        Assert.False(limiter.TryTake("a"));
        Assert.True(limiter.TryTake("b"));
    }
}
