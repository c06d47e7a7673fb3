using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>Pool use as the operator's view counts it: addresses of the subnet held by live contracts, and the rest.</summary>
public sealed class AddressPoolUseTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Open_and_active_contracts_lease_their_address_and_finished_ones_or_others_outside_the_subnet_do_not()
    {
        var open = SoldContractTests.Accepted("c1", "10.77.0.2");
        var active = SoldContractTests.Accepted("c2", "10.77.0.3").Activated(Now.AddHours(1)).InvoiceWasSettled(Now);
        var expired = SoldContractTests.Accepted("c3", "10.77.0.4").Activated(Now.AddHours(1)).InvoiceWasSettled(Now).Expired();
        var elsewhere = SoldContractTests.Accepted("c4", "10.99.0.2");

        var use = AddressPoolUse.Of(IpPrefix.Parse("10.77.0.0/24"), [open, active, expired, elsewhere]);

        Assert.Equal(IpPrefix.Parse("10.77.0.0/24"), use.Subnet);
        Assert.Equal(2, use.Leased);
        // 256 addresses less the network's, the seller's, the broadcast address and the two leased.
        Assert.Equal(251, (int)use.Free);
    }

    [Fact]
    public void A_running_pool_reports_the_same_counts_and_an_IPv6_pool_is_counted_not_listed()
    {
        var pool = new AddressPool(IpPrefix.Parse("10.77.0.0/29"));
        pool.Lease();
        Assert.Equal((1, 4), (AddressPoolUse.Of(pool).Leased, (int)AddressPoolUse.Of(pool).Free));

        var six = AddressPoolUse.Of(IpPrefix.Parse("fd00:77::/64"), []);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 64) - 2, six.Free);
    }
}
