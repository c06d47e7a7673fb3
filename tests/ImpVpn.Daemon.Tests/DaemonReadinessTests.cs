using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;

namespace ImpVpn.Daemon.Tests;

/// <summary>impvpnd tells its service manager it is ready only once the seller has really started, stops cleanly
/// on SIGTERM, and refuses a bad configuration before anything starts.</summary>
public sealed class DaemonReadinessTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ready_comes_after_the_seller_holds_its_store_and_sigterm_stops_it_cleanly()
    {
        await using var net = await DaemonNetwork.StartAsync();
        var configuration = net.Configuration("bob");
        configuration.Seller.Enabled = true;
        configuration.Seller.Endpoint = "203.0.113.5:51820";
        configuration.Seller.ConfigOnly = true;
        using var daemon = DaemonProcess.Start(net.Write(configuration), DaemonNetwork.NotifyPath());

        var notifications = await daemon.NotificationsUntilAsync("READY=1", Wait);

        // At READY=1 the seller has started: its role on the store is held (a second seller is refused) and it said so.
        Assert.Single(notifications);
        Assert.Throws<StoreBusyException>(() => net.Store("bob").HoldRole("seller"));
        Assert.Contains("Selling tunnels on 203.0.113.5:51820", daemon.Output, StringComparison.Ordinal);

        Assert.Equal(0, daemon.Terminate(Wait));
        Assert.Contains("STOPPING=1", await daemon.NotificationsUntilAsync("STOPPING=1", Wait));
        // Stopped: the store's seller role is free again.
        net.Store("bob").HoldRole("seller").Dispose();
    }

    [Fact]
    public async Task A_seller_stopped_from_outside_ends_the_daemon_cleanly()
    {
        await using var net = await DaemonNetwork.StartAsync();
        var configuration = net.Configuration("bob");
        configuration.Seller.Enabled = true;
        configuration.Seller.Endpoint = "203.0.113.5:51820";
        configuration.Seller.ConfigOnly = true;
        using var daemon = DaemonProcess.Start(net.Write(configuration), DaemonNetwork.NotifyPath());
        await daemon.NotificationsUntilAsync("READY=1", Wait);

        // What Stop-VpnProvider sends: the daemon does not keep running with a stopped seller.
        Assert.True(await SellerControlClient.RequestStopAsync(net.StorePath("bob"), withdraw: false, CancellationToken.None));

        Assert.Equal(0, daemon.WaitForExit(Wait));
        Assert.Contains("STOPPING=1", await daemon.NotificationsUntilAsync("STOPPING=1", Wait));
        net.Store("bob").HoldRole("seller").Dispose();
    }

    [Fact]
    public async Task A_bad_value_exits_with_2_naming_its_key_and_never_says_ready()
    {
        await using var net = await DaemonNetwork.StartAsync();
        var configuration = net.Configuration("bob");
        configuration.Seller.Enabled = true;
        configuration.Seller.Endpoint = "127.0.0.1:51820";
        using var daemon = DaemonProcess.Start(net.Write(configuration), DaemonNetwork.NotifyPath());

        Assert.Equal(2, daemon.WaitForExit(Wait));
        Assert.Contains("configuration error: Seller.Endpoint:", daemon.Output, StringComparison.Ordinal);
        Assert.Null(await daemon.Notify!.ReceiveAsync(TimeSpan.Zero));
        Assert.False(File.Exists(Path.Combine(net.StorePath("bob"), "seller.lock")), "nothing of the seller started");
    }

    [Fact]
    public async Task Check_validates_without_starting()
    {
        await using var net = await DaemonNetwork.StartAsync();
        var configuration = net.Configuration("alice");
        configuration.Refresh.Enabled = true;
        using (var missingBudget = DaemonProcess.Start(net.Write(configuration), null, "check"))
        {
            Assert.Equal(2, missingBudget.WaitForExit(Wait));
            Assert.Contains("Refresh.BudgetSat:", missingBudget.Output, StringComparison.Ordinal);
        }

        configuration.Refresh.BudgetSat = 1000;
        using var usable = DaemonProcess.Start(net.Write(configuration), null, "check");
        Assert.Equal(0, usable.WaitForExit(Wait));
        Assert.Contains("is usable", usable.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdraw_is_refused_while_a_seller_runs_on_the_store()
    {
        await using var net = await DaemonNetwork.StartAsync();
        var configuration = net.Configuration("bob");
        configuration.Seller.Enabled = true;
        configuration.Seller.Endpoint = "203.0.113.5:51820";
        configuration.Seller.ConfigOnly = true;
        var path = net.Write(configuration);
        using var daemon = DaemonProcess.Start(path, DaemonNetwork.NotifyPath());
        await daemon.NotificationsUntilAsync("READY=1", Wait);

        using (var withdraw = DaemonProcess.Start(path, null, "withdraw"))
        {
            Assert.Equal(1, withdraw.WaitForExit(Wait));
            Assert.Contains("seller", withdraw.Output, StringComparison.Ordinal);
        }

        Assert.Equal(0, daemon.Terminate(Wait));
        using var after = DaemonProcess.Start(path, null, "withdraw");
        Assert.Equal(0, after.WaitForExit(Wait));
    }

    [Fact]
    public async Task An_unknown_key_is_refused_by_name()
    {
        await using var net = await DaemonNetwork.StartAsync();
        var path = net.Write(net.Configuration("bob"));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"Enabled\": false", "\"Enabeld\": true", StringComparison.Ordinal));
        using var daemon = DaemonProcess.Start(path, null, "check");

        Assert.Equal(2, daemon.WaitForExit(Wait));
        Assert.Contains("Enabeld", daemon.Output, StringComparison.Ordinal);
    }
}
