using System.Globalization;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Tests.Store;

/// <summary>A store written by the code before schema 2 (kept in Fixtures/store-v1) still opens: its contracts move
/// into their role's folder unchanged and read with every field, and they are written back in schema 2.</summary>
public sealed class StoreSchemaTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("impvpn-schema-").FullName;

    public StoreSchemaTests() => CopyFolder(Path.Combine(AppContext.BaseDirectory, "Fixtures", "store-v1"), _root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_schema_1_store_opens_with_every_bought_contract_as_it_was()
    {
        var bought = new BoughtContracts(new ContractStore(_root));

        var active = bought.Get("b0000000000000a1");
        Assert.Null(active.SchemaVersion);
        Assert.Equal(BoughtContractState.Active, active.State);
        Assert.Equal("03aa00000000000000000000000000000000000000000000000000000000000001", active.SellerPubKey);
        Assert.Equal("127.0.0.1:9735", active.SellerNodeAddress);
        Assert.Equal("10.77.0.2", active.BuyerTunnelAddress);
        Assert.Equal("10.77.0.1", active.SellerTunnelAddress);
        Assert.Equal(new string('2', 64), active.Preimage);
        Assert.Equal(new RefreshPayment(new string('3', 64), 300, 1800), active.RefreshBeingPaid);
        Assert.Equal(DateTimeOffset.Parse("2026-11-30T12:30:00Z", CultureInfo.InvariantCulture), active.ExpiresAt);
        Assert.NotNull(bought.ReadPrivateKey(active.Id));
        Assert.Equal(BoughtContractState.Paying, bought.Get("b0000000000000a2").State);
        Assert.Equal(2, bought.All().Count);
    }

    [Fact]
    public void Each_role_moves_only_its_own_contracts_and_saving_writes_schema_2()
    {
        var store = new ContractStore(_root);
        var bought = new BoughtContracts(store);

        Assert.Equal(2, Directory.GetFiles(Path.Combine(_root, "contracts", "bought"), "*.json").Length);
        // The seller's files wait for the seller: an older seller may still be working on them.
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_root, "contracts"), "*.json").Length);
        Assert.Empty(store.Leftovers());

        var saved = bought.Save(bought.Get("b0000000000000a1").RefreshAbandoned());
        Assert.Equal(StoreSchema.Current, saved.SchemaVersion);
        Assert.Equal(StoreSchema.Current, bought.Get("b0000000000000a1").SchemaVersion);
        var json = File.ReadAllText(Path.Combine(_root, "contracts", "bought", "b0000000000000a1.json"));
        Assert.Contains("\"PeerPubKey\"", json);
        Assert.Contains("\"Role\": \"Buyer\"", json);

        store.Shelf<Core.Selling.SoldContract>("sold", "Seller");
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "contracts"), "*.json"));
    }

    [Fact]
    public void A_schema_1_file_written_again_after_the_move_never_stops_the_store_from_opening()
    {
        var legacy = Path.Combine(_root, "contracts", "b0000000000000a2.json");
        var text = File.ReadAllText(legacy);
        Assert.Equal(2, new BoughtContracts(new ContractStore(_root)).All().Count);

        // An older ImpVpn, still running, writes the same contract at the old place, later than the moved copy.
        var newer = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        newer["PriceSat"] = 251;
        newer["UpdatedAt"] = DateTimeOffset.UtcNow.AddMinutes(1).ToString("O");
        File.WriteAllText(legacy, newer.ToJsonString());

        var reopened = new BoughtContracts(new ContractStore(_root));

        Assert.Equal(251, reopened.Get("b0000000000000a2").PriceSat);
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "contracts", "bought"), "b0000000000000a2.schema1-*.bak"));
        Assert.False(File.Exists(legacy));
    }

    [Fact]
    public void A_file_from_a_newer_schema_is_reported_not_misread()
    {
        var store = new ContractStore(_root);
        Assert.Equal(2, new BoughtContracts(store).All().Count);
        var path = Path.Combine(_root, "contracts", "bought", "b0000000000000a2.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"Id\":", "\"SchemaVersion\": 99, \"Id\":"));

        var error = Assert.Throws<CorruptContractException>(() => new BoughtContracts(store).Get("b0000000000000a2"));
        Assert.Contains("newer", error.Message);
        var reported = new List<CorruptContractException>();
        Assert.Single(new BoughtContracts(store).All(reported.Add));
        Assert.Single(reported);
    }

    [Fact]
    public void A_file_of_no_known_role_stays_in_place_and_is_reported()
    {
        File.WriteAllText(Path.Combine(_root, "contracts", "broken.json"), "{ \"Id\": \"broken\", ");
        var bought = new BoughtContracts(new ContractStore(_root));

        Assert.Throws<CorruptContractException>(() => bought.All());
        Assert.True(File.Exists(Path.Combine(_root, "contracts", "broken.json")));
    }

    [Fact]
    public async Task One_process_at_a_time_holds_a_role_and_the_lock_waits_then_gives_up()
    {
        var store = new ContractStore(_root);
        using (store.HoldRole("seller"))
        {
            Assert.Throws<StoreBusyException>(() => store.HoldRole("seller"));
        }

        using (store.HoldRole("seller"))
        {
        }

        using var held = await store.LockAsync(TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<StoreBusyException>(() => store.LockAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
