using System.Net;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>The seller's repository: one read of the store at start, then memory kept in step with every save.</summary>
public sealed class SoldContractsIndexTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-sold-index-").FullName;

    private string LiveFolder => Path.Combine(_folder, "contracts", "sold");

    private string ArchiveFolder => Path.Combine(LiveFolder, "archive");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static AddressPool Pool() => new(IpPrefix.Parse("10.77.0.0/24"));

    [Fact]
    public void Counts_follow_accept_activate_and_expire_and_a_finished_contract_frees_its_address()
    {
        var pool = Pool();
        var contracts = SoldContracts.Load(new ContractStore(_folder), pool);
        var address = pool.Lease();
        var accepted = contracts.Save(SoldContractTests.Accepted("c1", address.ToString()));
        contracts.Save(SoldContractTests.Accepted("c2", pool.Lease().ToString()));
        Assert.Equal((2, 0), (contracts.Open, contracts.Active));

        var active = contracts.Save(accepted.Activated(Now.AddHours(1)).InvoiceWasSettled());
        Assert.Equal((1, 1), (contracts.Open, contracts.Active));

        contracts.Save(active.Expired());
        Assert.Equal((1, 0), (contracts.Open, contracts.Active));
        Assert.Equal(1, pool.Leased);
        Assert.Equal(address, pool.Lease());
    }

    [Fact]
    public void The_unpaid_view_holds_exactly_the_contracts_awaiting_payment_also_after_a_restart()
    {
        var store = new ContractStore(_folder);
        var contracts = SoldContracts.Load(store, Pool());
        var first = contracts.Save(SoldContractTests.Accepted("c1", "10.77.0.2"));
        contracts.Save(SoldContractTests.Accepted("c2", "10.77.0.3"));
        contracts.Save(SoldContractTests.Accepted("c3", "10.77.0.4"));
        contracts.Save(first.Activated(Now.AddHours(1)));
        contracts.Save(contracts.FindLive("c3")!.Cancelled());
        Assert.Equal(["c2"], contracts.Unpaid.Select(c => c.Id));
        Assert.Equal(["c2"], SoldContracts.Load(store, Pool()).Unpaid.Select(c => c.Id));
    }

    [Fact]
    public void Due_contracts_are_found_in_order_without_reading_the_others()
    {
        var store = new ContractStore(_folder);
        var writer = SoldContracts.Load(store, Pool());
        for (var i = 0; i < 50; i++)
        {
            writer.Save(SoldContractTests.Accepted($"later{i:00}", $"10.77.0.{i + 10}", Now.AddHours(1)));
        }

        writer.Save(SoldContractTests.Accepted("soon", "10.77.0.2", Now.AddMinutes(2)));
        writer.Save(SoldContractTests.Accepted("sooner", "10.77.0.3", Now.AddMinutes(1)));
        writer.Save(SoldContractTests.Accepted("unsettled", "10.77.0.4", Now.AddHours(1)).Activated(Now.AddHours(1)));
        var contracts = SoldContracts.Load(store, Pool());

        // Every file not due is now unreadable: were any of them read, this would throw.
        foreach (var path in Directory.EnumerateFiles(LiveFolder, "later*.json"))
        {
            File.WriteAllText(path, "{ not json");
        }

        Assert.Equal(DateTimeOffset.MinValue, contracts.NextAttention);
        Assert.Equal(["unsettled"], contracts.DueAt(Now));
        Assert.Equal(["unsettled", "sooner", "soon"], contracts.DueAt(Now.AddMinutes(3)));
        var cancelled = contracts.Save(contracts.FindLive("sooner")!.Cancelled());
        Assert.Equal(["unsettled", "soon"], contracts.DueAt(Now.AddMinutes(3)));
        Assert.Equal((51, 1), (contracts.Open, contracts.Active));
        Assert.Equal(SoldContractState.Cancelled, cancelled.State);
    }

    [Fact]
    public void Finished_contracts_leave_the_live_folder_for_the_archive_and_can_still_be_asked_about()
    {
        var contracts = SoldContracts.Load(new ContractStore(_folder), Pool());
        var active = contracts.Save(SoldContractTests.Accepted("c1").Activated(Now.AddHours(1)).InvoiceWasSettled());

        contracts.Save(active.Expired());

        Assert.False(File.Exists(Path.Combine(LiveFolder, "c1.json")));
        Assert.True(File.Exists(Path.Combine(ArchiveFolder, "c1.json")));
        Assert.Null(contracts.FindLive("c1"));
        Assert.Empty(contracts.Live);
        Assert.Equal(SoldContractState.Expired, contracts.Find("c1")!.State);
        Assert.Equal(SoldContractState.Expired, contracts.SoldTo(active.BuyerPubKey, "c1").State);
        Assert.Null(contracts.Find("../c1"));
        Assert.Equal(ImpVpn.Core.Protocol.ProtocolErrorCode.UnknownContract,
            Assert.Throws<ImpVpn.Core.Protocol.ProtocolException>(() => contracts.SoldTo("02" + new string('c', 64), "c1")).Code);
    }

    [Fact]
    public void A_restart_loads_live_contracts_only_reserves_their_addresses_archives_finished_ones_and_reports_unreadable_files()
    {
        var store = new ContractStore(_folder);
        var shelf = store.Shelf<SoldContract>("sold", "Seller");
        shelf.Save(SoldContractTests.Accepted("open", "10.77.0.2"));
        shelf.Save(SoldContractTests.Accepted("active", "10.77.0.3").Activated(Now.AddHours(1)).InvoiceWasSettled());
        // Saved finished by a run that died before archiving it.
        shelf.Save(SoldContractTests.Accepted("done", "10.77.0.4").Activated(Now.AddHours(1)).InvoiceWasSettled().Expired());
        File.WriteAllText(Path.Combine(LiveFolder, "broken.json"), "{ \"Id\": ");
        // An archive is history: a restart must not read it (this file would be reported if it did).
        Directory.CreateDirectory(ArchiveFolder);
        File.WriteAllText(Path.Combine(ArchiveFolder, "old.json"), "{ not json");
        var log = new RecordingLog();
        var pool = Pool();

        var contracts = SoldContracts.Load(new ContractStore(_folder), pool, log);

        Assert.Equal(["active", "open"], contracts.Live.Select(c => c.Id).Order());
        Assert.Equal((1, 1), (contracts.Open, contracts.Active));
        Assert.True(File.Exists(Path.Combine(ArchiveFolder, "done.json")));
        Assert.False(File.Exists(Path.Combine(LiveFolder, "done.json")));
        Assert.Contains(log.Warnings, w => w.Contains("broken.json"));
        Assert.DoesNotContain(log.Warnings, w => w.Contains("old.json"));
        Assert.True(File.Exists(Path.Combine(LiveFolder, "broken.json")));
        Assert.Equal(2, pool.Leased);
        Assert.Equal(IPAddress.Parse("10.77.0.4"), pool.Lease());
    }
}
