using System.Text.Json.Nodes;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>What a seller received, by UTC day: settled invoices only, each on the day it was settled, archived
/// contracts when asked for, and files from before settlements were recorded.</summary>
public sealed class SellerEarningsTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 28, 23, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 11, 29, 0, 10, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day3 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-opv-earnings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_purchase_and_its_refreshes_count_on_the_UTC_days_they_were_settled()
    {
        var contract = Settled("c1", Day1);
        contract = Refreshed(contract, Day2, settled: true);
        contract = Refreshed(contract, Day3, settled: true);

        var days = SellerEarnings.ByDay([contract]);

        Assert.Equal(
            new[] { new DailyEarning(new DateOnly(2026, 11, 28), 1, 0, 1000), new DailyEarning(new DateOnly(2026, 11, 29), 0, 1, 500), new DailyEarning(new DateOnly(2026, 11, 30), 0, 1, 500) },
            days);
        Assert.Equal(2000, SellerEarnings.ReceivedSat(contract));
        Assert.Equal(contract.PriceSat, SellerEarnings.ReceivedSat(contract));
    }

    [Fact]
    public void Held_invoices_are_not_received_until_settled()
    {
        // Activated and awaiting the buyer's claim: the payment is held, and may still be refunded.
        var held = SoldContractTests.Accepted("c2");
        var awaitingClaim = SoldContract.Accepted(
            "c3", held.BuyerPubKey, 700, 3600, "n3", new string('5', 64), string.Empty, "lnbcrt", held.BuyerWireGuardKey,
            held.SellerWireGuardKey, held.Endpoint, "10.77.0.3", "10.77.0.1", held.AllowedIps, Day1.AddMinutes(5)).Activated(Day1.AddHours(1), Day1.AddMinutes(2));
        // A refresh applied (its time added) and not yet settled.
        var appliedRefresh = Settled("c4", Day1).WithRefreshInvoice(SoldContractTests.Refresh(Day2.AddMinutes(5))).RefreshApplied(Day2.AddHours(3), Day2.AddMinutes(2));
        // A refresh whose invoice was cancelled unpaid.
        var cancelledRefresh = Refreshed(Settled("c5", Day1), Day2, settled: false);

        Assert.Equal(0, SellerEarnings.ReceivedSat(held));
        Assert.Equal(0, SellerEarnings.ReceivedSat(awaitingClaim));
        Assert.Equal(1000, SellerEarnings.ReceivedSat(appliedRefresh));
        Assert.Equal(1500, appliedRefresh.PriceSat);
        Assert.Equal(1000, SellerEarnings.ReceivedSat(cancelledRefresh));
        Assert.Equal(new[] { new DailyEarning(new DateOnly(2026, 11, 28), 2, 0, 2000) }, SellerEarnings.ByDay([held, awaitingClaim, appliedRefresh, cancelledRefresh]));
    }

    [Fact]
    public void Since_and_until_select_settlements_by_instant()
    {
        var contract = Refreshed(Refreshed(Settled("c6", Day1), Day2, settled: true), Day3, settled: true);

        var days = SellerEarnings.ByDay([contract], since: Day2, until: Day3);

        Assert.Equal(new DailyEarning(new DateOnly(2026, 11, 29), 0, 1, 500), Assert.Single(days));
    }

    [Fact]
    public void Settlements_survive_the_file_and_archived_contracts_count_when_asked_for()
    {
        var store = new ContractStore(_folder);
        var shelf = store.SoldShelf();
        shelf.Save(Refreshed(Settled("c7", Day1), Day2, settled: true).Expired());
        shelf.Archive("c7");
        shelf.Save(Settled("c8", Day3));
        var view = new SoldContractsView(store);

        var live = view.All(includeArchived: false, e => throw e);
        var all = view.All(includeArchived: true, e => throw e);

        Assert.Equal("c8", Assert.Single(live).Id);
        Assert.Equal(2, all.Count);
        var archived = all.Single(c => c.Id == "c7");
        Assert.Equal(new[] { SettledPaymentKind.Purchase, SettledPaymentKind.Refresh }, archived.Settlements.Select(s => s.Kind));
        Assert.Equal(new[] { Day1, Day2 }, archived.Settlements.Select(s => s.SettledAt));
        Assert.Equal(3, SellerEarnings.ByDay(all).Count);
        Assert.Equal(2500, SellerEarnings.ByDay(all).Sum(d => d.ReceivedSat));
        Assert.Equal(1000, SellerEarnings.ByDay(live).Sum(d => d.ReceivedSat));
    }

    [Fact]
    public void A_file_written_before_settlements_were_recorded_counts_its_settled_price_on_the_day_it_was_created()
    {
        var store = new ContractStore(_folder);
        var contract = Refreshed(Settled("c9", Day1), Day2, settled: true);
        store.SoldShelf().Save(contract);
        var path = Path.Combine(_folder, "contracts", "sold", "c9.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json.Remove("Settlements");
        json.Remove("SettlementsRecorded");
        json["CreatedAt"] = Day1.AddMinutes(-3);
        File.WriteAllText(path, json.ToJsonString());

        var old = Assert.Single(new SoldContractsView(store).All(includeArchived: false, e => throw e));

        Assert.Empty(old.Settlements);
        Assert.Equal(1500, SellerEarnings.ReceivedSat(old));
        Assert.Equal(new[] { new DailyEarning(new DateOnly(2026, 11, 28), 1, 0, 1500) }, SellerEarnings.ByDay([old]));
    }

    [Fact]
    public void A_refresh_applied_and_never_claimed_or_never_settled_is_not_received()
    {
        var at = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        var bought = SoldContractTests.Accepted("c7").Activated(at.AddHours(1)).InvoiceWasSettled(at);
        var unclaimed = bought
            .WithRefreshInvoice(SoldContractTests.Refresh(at.AddMinutes(5)) with { Preimage = string.Empty })
            .RefreshApplied(at.AddHours(1).AddMinutes(30), claimDeadline: at.AddHours(2));

        // Expired before its claim: the refresh's price goes back with its invoice.
        var expired = unclaimed.Expired();
        Assert.Equal(1000, expired.PriceSat);
        Assert.Equal(1000, SellerEarnings.ReceivedSat(expired));

        // Applied (version 1) but found cancelled when it was to be settled.
        var cancelled = bought.WithRefreshInvoice(SoldContractTests.Refresh(at.AddMinutes(5))).RefreshApplied(at.AddHours(1.5)).RefreshCleared(settled: false);
        Assert.Equal(1000, SellerEarnings.ReceivedSat(cancelled));
        Assert.Equal(1500, SellerEarnings.ReceivedSat(bought.WithRefreshInvoice(SoldContractTests.Refresh(at.AddMinutes(5))).RefreshApplied(at.AddHours(1.5)).RefreshCleared(settled: true, at)));
    }

    private static SoldContract Settled(string id, DateTimeOffset at) =>
        SoldContractTests.Accepted(id).Activated(at.AddHours(1)).InvoiceWasSettled(at);

    private static SoldContract Refreshed(SoldContract contract, DateTimeOffset at, bool settled)
    {
        var invoiced = contract.WithRefreshInvoice(SoldContractTests.Refresh(at.AddMinutes(5)) with { PaymentHash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N") });
        return settled
            ? invoiced.RefreshApplied(contract.ExpiresAt!.Value.AddSeconds(1800)).RefreshCleared(settled: true, at)
            : invoiced.RefreshCleared(settled: false, at);
    }
}
