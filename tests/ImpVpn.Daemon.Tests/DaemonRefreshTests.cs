using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;

namespace ImpVpn.Daemon.Tests;

/// <summary>impvpnd as a buyer: its scheduled refresh refreshes a due tunnel and stops at its budget, and the
/// budget's spending survives a restart of the daemon (a second due tunnel is still not refreshed).</summary>
public sealed class DaemonRefreshTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_scheduled_refresh_stays_within_its_budget_across_a_restart()
    {
        await using var net = await DaemonNetwork.StartAsync();
        await using var bob = await LndNode.ConnectAsync(DaemonNetwork.Options(net.Simulation["bob"]), true, None);
        await using var seller = new VpnSeller(bob, null, net.Store("bob"), new SellerOptions
        {
            InterfaceName = "dmnR0",
            Endpoint = "203.0.113.5:51820",
            ConfigOnly = true,
            Pricing = new Pricing(3600, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
        });
        await seller.StartAsync(None);
        var contracts = net.AliceContracts;
        await using (var buyer = new Buyer(net.AliceNode, contracts, null))
        {
            foreach (var _ in new[] { 1, 2 })
            {
                var quote = await buyer.Quotes.RequestAsync(new SellerNode(net.BobPubKey, null), TimeSpan.FromHours(1), TimeSpan.FromSeconds(20), None);
                await buyer.Purchase.ConfirmAsync(quote, new BuyerOptions { ConfigOnly = true, MaxPriceSat = 4000 }, None);
            }
        }

        var bought = contracts.All().ToDictionary(c => c.Id, c => c.ExpiresAt);
        Assert.Equal(2, bought.Count);
        var configuration = net.Configuration("alice");
        configuration.Refresh.Enabled = true;
        configuration.Refresh.Interval = TimeSpan.FromHours(1);
        configuration.Refresh.ExpiringWithin = TimeSpan.FromHours(2);
        configuration.Refresh.Duration = TimeSpan.FromMinutes(10);
        // 10 minutes cost 600 sat (and a fee of at most 10): room for one refresh, not two.
        configuration.Refresh.BudgetSat = 700;
        var configPath = net.Write(configuration);
        var before = net.AliceMsat;

        using (var first = DaemonProcess.Start(configPath, DaemonNetwork.NotifyPath()))
        {
            await first.NotificationsUntilAsync("READY=1", Wait);
            first.WaitForLine("sat spent this run", Wait);
            Assert.Equal(0, first.Terminate(Wait));
        }

        var refreshed = contracts.All().Where(c => c.ExpiresAt != bought[c.Id]).ToList();
        var one = Assert.Single(refreshed);
        Assert.Equal(bought[one.Id]!.Value.AddMinutes(10), one.ExpiresAt);
        var spentMsat = before - net.AliceMsat;
        Assert.InRange(spentMsat, 600_000, 700_000);
        // What the period spent is kept in the store, readable by its owner only.
        var ledger = Path.Combine(net.StorePath("alice"), "keys", "refresh-budget.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ledger));

        // Restarted within the period: both tunnels are due again, and the 100 sat or less left pays for neither.
        using (var second = DaemonProcess.Start(configPath, DaemonNetwork.NotifyPath()))
        {
            await second.NotificationsUntilAsync("READY=1", Wait);
            var line = second.WaitForLine("sat spent this run", Wait);
            Assert.Contains(" 0 sat spent this run", line, StringComparison.Ordinal);
            Assert.Contains("budget", second.Output, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, second.Terminate(Wait));
        }

        Assert.Equal(before - spentMsat, net.AliceMsat);
        Assert.Equal(refreshed.Single().ExpiresAt, contracts.Get(one.Id).ExpiresAt);
        Assert.Single(contracts.All(), c => c.ExpiresAt != bought[c.Id]);
    }
}
