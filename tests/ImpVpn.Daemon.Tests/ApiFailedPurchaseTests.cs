using System.Globalization;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Store;

namespace ImpVpn.Daemon.Tests;

/// <summary>A purchase's failed event names the contract the store recorded for its quote, whatever the failure
/// said, and moneyMoved once that contract shows the payment settled; without a contract it is left as it was.</summary>
public sealed class ApiFailedPurchaseTests : IDisposable
{
    private static readonly VpnQuote Quote = new("02" + new string('a', 64), "00ff", 1_000, TimeSpan.FromHours(1),
        DateTimeOffset.Parse("2026-12-01T12:05:00Z", CultureInfo.InvariantCulture), "ipv4", "node-to-node", "promise");

    private readonly string _store = Directory.CreateTempSubdirectory("dmn-api-failed-").FullName;

    [Fact]
    public void A_failure_after_the_contract_was_recorded_names_it_and_says_when_it_was_paid()
    {
        var contracts = new BoughtContracts(new ContractStore(_store));
        var failed = new ApiEvent { Kind = ApiEvent.Failed, Id = "r1", Error = "The node went away." };
        Assert.Equal(failed, ApiFailedPurchase.WithContract(failed, contracts, Quote));

        var recorded = contracts.Save(BoughtContract.Paying("c1", Quote, new string('1', 64), new string('2', 64), "lnbcrt1", "buyerkey", "10.77.0.2", "ivpntest"));
        var unpaid = ApiFailedPurchase.WithContract(failed, contracts, Quote);
        Assert.Equal("c1", unpaid.ContractId);
        Assert.False(unpaid.MoneyMoved);

        contracts.Save(recorded with { PaidSat = 1_000, FeePaidSat = 2 });
        var paid = ApiFailedPurchase.WithContract(failed, contracts, Quote);
        Assert.Equal("c1", paid.ContractId);
        Assert.True(paid.MoneyMoved);
        Assert.Equal("The node went away.", paid.Error);

        // Another quote's failure is not given this contract.
        var other = ApiFailedPurchase.WithContract(failed, contracts, Quote with { Nonce = "00fe" });
        Assert.Equal(string.Empty, other.ContractId);
    }

    public void Dispose() => Directory.Delete(_store, recursive: true);
}
