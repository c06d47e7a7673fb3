using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>The operator's read of a store's sold contracts: live and archived, by id, beside a seller holding the
/// store's role, and never moving or creating what only a seller may.</summary>
public sealed class SoldContractsViewTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-opv-view-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Reads_live_and_archived_contracts_while_a_seller_holds_the_role()
    {
        var store = new ContractStore(_folder);
        var shelf = store.SoldShelf();
        shelf.Save(SoldContractTests.Accepted("c1").Activated(Now.AddHours(1)).InvoiceWasSettled(Now).Expired());
        shelf.Archive("c1");
        shelf.Save(SoldContractTests.Accepted("c2", "10.77.0.3"));
        using var role = store.HoldRole("seller");

        var view = new SoldContractsView(store);

        Assert.Equal(["c2"], view.All(includeArchived: false, e => throw e).Select(c => c.Id));
        Assert.Equal(["c1", "c2"], view.All(includeArchived: true, e => throw e).Select(c => c.Id).Order());
        Assert.Equal(SoldContractState.Expired, view.Find("c1")!.State);
        Assert.Equal(SoldContractState.AwaitingPayment, view.Find("c2")!.State);
        Assert.Null(view.Find("c3"));
        Assert.Null(view.Find("../c2"));
        // The seller still holds its role.
        Assert.Throws<StoreBusyException>(() => store.HoldRole("seller"));
    }

    [Fact]
    public void An_unreadable_file_is_reported_and_the_others_still_listed()
    {
        var store = new ContractStore(_folder);
        store.SoldShelf().Save(SoldContractTests.Accepted("c4"));
        File.WriteAllText(Path.Combine(_folder, "contracts", "sold", "c5.json"), "{ not json");
        var reported = new List<CorruptContractException>();

        var live = new SoldContractsView(store).All(includeArchived: true, reported.Add);

        Assert.Equal("c4", Assert.Single(live).Id);
        Assert.EndsWith("c5.json", Assert.Single(reported).Path, StringComparison.Ordinal);
    }
}
