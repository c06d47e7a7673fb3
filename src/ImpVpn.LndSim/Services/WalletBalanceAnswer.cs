using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.LndSim.Services;

/// <summary>WalletBalance as LND fills it (rpcserver.go WalletBalance): totals plus one entry per wallet account.
/// The simulator has no chain; every node holds one confirmed bitcoin in its "default" account.</summary>
public static class WalletBalanceAnswer
{
    private const long ConfirmedSat = 100_000_000;

    public static WalletBalanceResponse For(WalletBalanceRequest request)
    {
        var response = new WalletBalanceResponse { TotalBalance = ConfirmedSat, ConfirmedBalance = ConfirmedSat };
        // LND fills the map with the accounts asked for: all of them when none is named.
        if (request.Account is "" or "default")
        {
            response.AccountBalance.Add("default", new WalletAccountBalance { ConfirmedBalance = ConfirmedSat });
        }

        return response;
    }
}
