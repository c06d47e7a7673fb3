using ImpVpn.Core.Lightning;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>One wait for a payment's arrival per contract: shared by activates for the same payment, refused at once
/// for another payment of the same contract.</summary>
public sealed class PaymentArrivalWaitsTests
{
    private static readonly string Purchase = new('a', 64);
    private static readonly string Refresh = new('b', 64);

    private sealed class HeldLater
    {
        private readonly TaskCompletionSource<InvoiceInfo?> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _lookups;

        public int Lookups => Volatile.Read(ref _lookups);

        public HookedLightningNode Node() => new(new FakeLightningNode("03" + new string('c', 64)))
        {
            LookupInvoice = hash =>
            {
                Interlocked.Increment(ref _lookups);
                return _held.Task;
            },
        };

        public void Hold() => _held.SetResult(new InvoiceInfo(new byte[32], InvoiceState.Accepted, 1_000, 1_000_000, "lnbcrt1", string.Empty, [], DateTimeOffset.UtcNow, 600, null));
    }

    [Fact]
    public async Task Activates_for_the_payment_waited_for_share_one_wait_and_another_payment_of_the_contract_is_refused_at_once()
    {
        var invoice = new HeldLater();
        var waits = new PaymentArrivalWaits(invoice.Node(), TimeSpan.FromMinutes(5));

        var first = waits.WaitAsync("buyer", "c1", Purchase, CancellationToken.None);
        var second = waits.WaitAsync("buyer", "c1", Purchase.ToUpperInvariant(), CancellationToken.None);
        var other = waits.WaitAsync("buyer", "c1", Refresh, CancellationToken.None);

        Assert.Equal(1, invoice.Lookups);
        Assert.True(other.IsCompleted);
        Assert.Null(await other);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        invoice.Hold();
        Assert.True(await first);
        Assert.True(await second);
        Assert.Equal(1, invoice.Lookups);
    }

    [Fact]
    public async Task Another_contract_or_buyer_waits_on_its_own_and_an_ended_wait_is_not_joined()
    {
        var invoice = new HeldLater();
        var waits = new PaymentArrivalWaits(invoice.Node(), TimeSpan.FromMinutes(5));

        var first = waits.WaitAsync("buyer", "c1", Purchase, CancellationToken.None);
        var otherContract = waits.WaitAsync("buyer", "c2", Refresh, CancellationToken.None);
        var otherBuyer = waits.WaitAsync("someone", "c1", Refresh, CancellationToken.None);
        Assert.Equal(3, invoice.Lookups);

        invoice.Hold();
        Assert.True(await first);
        Assert.True(await otherContract);
        Assert.True(await otherBuyer);

        Assert.True(await waits.WaitAsync("buyer", "c1", Purchase, CancellationToken.None));
        Assert.Equal(4, invoice.Lookups);
    }
}
