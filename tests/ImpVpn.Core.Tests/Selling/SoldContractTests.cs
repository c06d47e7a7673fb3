using System.Text.Json;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Tests.Selling;

public sealed class SoldContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private const string Preimage = "6666666666666666666666666666666666666666666666666666666666666666";
    private const string RefreshPreimage = "8888888888888888888888888888888888888888888888888888888888888888";

    internal static SoldContract Accepted(string id = "c1", string buyerAddress = "10.77.0.2", DateTimeOffset? quoteExpiresAt = null) => SoldContract.Accepted(
        id: id,
        buyerPubKey: "02" + new string('b', 64),
        priceSat: 1000,
        durationSeconds: 3600,
        nonce: "n1",
        paymentHash: new string('5', 64),
        preimage: Preimage,
        paymentRequest: "lnbcrt10u1test",
        buyerWireGuardKey: "SGVsbG9Xb3JsZEhlbGxvV29ybGRIZWxsb1dvcmxkMTI=",
        sellerWireGuardKey: "U2VsbGVyU2VsbGVyU2VsbGVyU2VsbGVyU2VsbGVyMTI=",
        endpoint: "192.0.2.1:51820",
        buyerTunnelAddress: buyerAddress,
        sellerTunnelAddress: "10.77.0.1",
        allowedIps: ["10.77.0.1/32"],
        quoteExpiresAt: quoteExpiresAt ?? Now.AddMinutes(5));

    internal static SoldContract.PendingRefresh Refresh(DateTimeOffset lapses) => new()
    {
        PaymentHash = new string('7', 64),
        Preimage = RefreshPreimage,
        DurationSeconds = 1800,
        PriceSat = 500,
        InvoiceExpiresAt = lapses,
    };

    [Fact]
    public void An_accepted_contract_awaits_payment_holds_its_address_and_is_due_when_its_invoice_lapses()
    {
        var contract = Accepted();

        Assert.Equal(SoldContractState.AwaitingPayment, contract.State);
        Assert.True(contract.HoldsAddress);
        Assert.False(contract.IsFinished);
        Assert.Equal(Now.AddMinutes(5), contract.AttentionDueAt);
        Assert.False(contract.IsDueAt(Now));
        Assert.True(contract.IsDueAt(Now.AddMinutes(5)));
    }

    [Fact]
    public void Activation_is_due_at_once_until_settled_then_at_expiry()
    {
        var activated = Accepted().Activated(Now.AddHours(1).AddMilliseconds(700));

        Assert.Equal(SoldContractState.Active, activated.State);
        Assert.Equal(Now.AddHours(1), activated.ExpiresAt);
        Assert.False(activated.InvoiceSettled);
        Assert.True(activated.IsDueAt(Now));

        var settled = activated.InvoiceWasSettled();
        Assert.True(settled.InvoiceSettled);
        Assert.Equal(Now.AddHours(1), settled.AttentionDueAt);
        Assert.Equal(1000, settled.PriceSat);
    }

    [Fact]
    public void A_refresh_is_due_when_its_invoice_lapses_at_once_when_applied_and_adds_its_price_when_applied()
    {
        var active = Accepted().Activated(Now.AddHours(1)).InvoiceWasSettled();

        var offered = active.WithRefreshInvoice(Refresh(Now.AddMinutes(5)));
        Assert.Equal(Now.AddMinutes(5), offered.AttentionDueAt);

        var applied = offered.RefreshApplied(Now.AddHours(1.5));
        Assert.True(applied.Refresh!.Applied);
        Assert.Equal(Now.AddHours(1.5), applied.ExpiresAt);
        Assert.Equal(1500, applied.PriceSat);
        Assert.True(applied.IsDueAt(Now));

        var cleared = applied.RefreshCleared(settled: true);
        Assert.Null(cleared.Refresh);
        Assert.Equal(Now.AddHours(1.5), cleared.AttentionDueAt);
        Assert.Throws<InvalidOperationException>(() => applied.RefreshApplied(Now.AddHours(2)));
    }

    [Fact]
    public void Expired_and_cancelled_contracts_are_finished_once_no_refresh_invoice_is_left()
    {
        var active = Accepted().Activated(Now.AddHours(1)).InvoiceWasSettled().WithRefreshInvoice(Refresh(Now.AddMinutes(5)));

        var expired = active.Expired();
        Assert.Equal(SoldContractState.Expired, expired.State);
        Assert.Null(expired.Refresh);
        Assert.True(expired.IsFinished);
        Assert.False(expired.HoldsAddress);
        Assert.Null(expired.AttentionDueAt);

        Assert.True(Accepted().Cancelled().IsFinished);

        // An activation never paid for, with a refresh invoice still out: cancelled, but not finished until that
        // invoice is cancelled too, which is due at once.
        var unpaid = Accepted().Activated(Now.AddHours(1)).WithRefreshInvoice(Refresh(Now.AddMinutes(5))).Cancelled();
        Assert.Equal(SoldContractState.Cancelled, unpaid.State);
        Assert.False(unpaid.IsFinished);
        Assert.True(unpaid.IsDueAt(Now));
        Assert.True(unpaid.RefreshCleared(settled: false).IsFinished);
    }

    [Fact]
    public void Transitions_that_do_not_follow_are_refused()
    {
        var active = Accepted().Activated(Now.AddHours(1)).InvoiceWasSettled();

        Assert.Throws<InvalidOperationException>(() => active.Activated(Now.AddHours(2)));
        Assert.Throws<InvalidOperationException>(() => active.Cancelled());
        Assert.Throws<InvalidOperationException>(() => Accepted().Expired());
        Assert.Throws<InvalidOperationException>(() => Accepted().InvoiceWasSettled());
        Assert.Throws<InvalidOperationException>(() => Accepted().WithRefreshInvoice(Refresh(Now)));
        Assert.Throws<InvalidOperationException>(() => active.Expired().WithRefreshInvoice(Refresh(Now)));
        Assert.Throws<InvalidOperationException>(() => active.RefreshApplied(Now.AddHours(2)));
    }

    [Fact]
    public void No_preimage_appears_in_ToString()
    {
        var contract = Accepted().Activated(Now.AddHours(1)).WithRefreshInvoice(Refresh(Now.AddMinutes(5)));

        Assert.DoesNotContain(Preimage, contract.ToString());
        Assert.DoesNotContain(RefreshPreimage, contract.ToString());
        Assert.DoesNotContain(RefreshPreimage, contract.Refresh!.ToString());
        Assert.Contains("c1", contract.ToString());
    }

    [Fact]
    public void The_file_keeps_the_field_names_of_schema_1_and_reads_back_unchanged()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-sold-").FullName;
        try
        {
            var shelf = new ContractStore(folder).Shelf<SoldContract>("sold", "Seller");
            var contract = Accepted().Activated(Now.AddHours(1)).InvoiceWasSettled().WithRefreshInvoice(Refresh(Now.AddMinutes(5)));
            var saved = shelf.Save(contract);

            using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "contracts", "sold", "c1.json")));
            var root = file.RootElement;
            Assert.Equal("Seller", root.GetProperty("Role").GetString());
            Assert.Equal(contract.BuyerPubKey, root.GetProperty("PeerPubKey").GetString());
            Assert.Equal("10.77.0.2", root.GetProperty("BuyerAddress").GetString());
            Assert.Equal("10.77.0.1", root.GetProperty("SellerAddress").GetString());
            Assert.Equal("Active", root.GetProperty("State").GetString());
            Assert.Equal(StoreSchema.Current, root.GetProperty("SchemaVersion").GetInt32());
            Assert.Equal(500, root.GetProperty("Refresh").GetProperty("PriceSat").GetInt64());
            var read = shelf.Find("c1")!;
            Assert.Equal(saved.AllowedIps, read.AllowedIps);
            Assert.Equal(saved.Settlements, read.Settlements);
            // Lists compare by reference in a record's equality: every field is compared through the file's text.
            Assert.Equal(JsonSerializer.Serialize(saved), JsonSerializer.Serialize(read));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Access_lasts_until_expiry_but_unclaimed_time_only_until_its_claim_deadline()
    {
        // Version 2: the buyer made the preimages.
        var accepted = Accepted() with { };
        var buyerMade = SoldContract.Accepted("c2", "02" + new string('b', 64), 1000, 3600, "n2", new string('5', 64), string.Empty, "lnbcrt10u1test",
            "SGVsbG9Xb3JsZEhlbGxvV29ybGRIZWxsb1dvcmxkMTI=", "U2VsbGVyU2VsbGVyU2VsbGVyU2VsbGVyU2VsbGVyMTI=", "192.0.2.1:51820", "10.77.0.3", "10.77.0.1", ["10.77.0.1/32"], Now.AddMinutes(5));
        Assert.Null(accepted.AccessUntil);

        var awaiting = buyerMade.Activated(Now.AddHours(1), claimDeadline: Now.AddMinutes(2));
        Assert.Equal(Now.AddMinutes(2), awaiting.AccessUntil);
        var claimed = awaiting.Claimed(Preimage);
        Assert.Equal(Now.AddHours(1), claimed.AccessUntil);

        var refreshUnclaimed = claimed.InvoiceWasSettled()
            .WithRefreshInvoice(Refresh(Now.AddMinutes(5)) with { Preimage = string.Empty })
            .RefreshApplied(Now.AddHours(1).AddMinutes(30), claimDeadline: Now.AddMinutes(3));
        Assert.Equal(Now.AddHours(1), refreshUnclaimed.AccessUntil);
        Assert.Equal(Now.AddHours(1).AddMinutes(30), refreshUnclaimed.RefreshClaimed(RefreshPreimage).AccessUntil);
        Assert.Equal(Now.AddHours(1), refreshUnclaimed.RefreshWithdrawn().AccessUntil);

        // Version 1 (the seller made the preimage) and what is over.
        Assert.Equal(Now.AddHours(1), Accepted().Activated(Now.AddHours(1)).AccessUntil);
        Assert.Null(Accepted().Activated(Now.AddHours(1)).InvoiceWasSettled().Expired().AccessUntil);
    }
}
