using System.Net.Sockets;
using System.Text;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>A running seller's control socket: its status and stop as another process asks for them, no seller as
/// "not running" at once (and nothing else as "not running"), clients that send garbage, stall or meet a fault of
/// the seller's refused without harm to the seller or the other clients, and an owner-only socket.</summary>
public sealed class SellerControlTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly SellerOptions Options = new() { InterfaceName = "opv-control", Endpoint = "192.0.2.1:51820", Subnet = ImpVpn.Core.WireGuard.Types.IpPrefix.Parse("10.77.0.0/28"), Pricing = new Pricing(1200, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)) };

    [Fact]
    public async Task No_seller_is_not_running_at_once_whether_the_socket_file_is_missing_or_left_by_a_dead_seller()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-opv-nosock-").FullName;
        try
        {
            Assert.Null(await SellerControlClient.StatusAsync(folder, None));
            Assert.False(await SellerControlClient.RequestStopAsync(folder, withdraw: false, None));

            // A killed seller leaves its socket file, where connecting is refused as it is here (.NET unlinks a socket it
            // closes, so a plain file stands in for it).
            File.WriteAllText(SellerControl.SocketPath(folder), string.Empty);
            Assert.Null(await SellerControlClient.StatusAsync(folder, None).WaitAsync(Bound));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_running_seller_tells_its_status_refuses_garbage_and_stops_when_asked_releasing_the_store()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-opv-control-").FullName;
        try
        {
            var store = new ContractStore(folder);
            var node = new FakeLightningNode("02" + new string('a', 64));
            await using var seller = new VpnSeller(node, new RecordingWireGuard(), store, Options);
            var running = seller.RunAsync(None);
            var status = await WaitForStatusAsync(folder);

            Assert.Equal(Environment.ProcessId, status.ProcessId);
            Assert.Equal("02" + new string('a', 64), status.NodePubKey);
            Assert.Equal(("192.0.2.1:51820", "opv-control", 51820, "10.77.0.0/28"), (status.Endpoint, status.InterfaceName, status.ListenPort, status.Subnet));
            Assert.Equal((0, 13), (status.PoolLeased, (int)status.PoolFree));
            Assert.Equal((0, 0, 1200L), (status.OpenContracts, status.ActiveContracts, status.PricePerHourSat));
            Assert.False(string.IsNullOrEmpty(status.Version));
            Assert.Throws<StoreBusyException>(() => store.HoldRole("seller"));

            // Garbage, an unknown op and an oversized request are each refused; the seller answers the next client.
            Assert.Contains("\"ok\":false", await ExchangeAsync(folder, "not json\n"));
            Assert.Contains("\"ok\":false", await ExchangeAsync(folder, "{\"op\":\"reboot\"}\n"));
            Assert.Contains("\"ok\":false", await ExchangeAsync(folder, new string('x', SellerControl.MaxRequestBytes * 4)));
            Assert.Contains("\"ok\":false", await ExchangeAsync(folder, "{\"op\":\"status\"}"));
            Assert.NotNull(await SellerControlClient.StatusAsync(folder, None));
            Assert.False(running.IsCompleted);

            Assert.True(await SellerControlClient.RequestStopAsync(folder, withdraw: true, None));
            // The socket closes last: once it no longer answers, the store is free for another seller.
            Assert.True(await SellerControlClient.WaitForStopAsync(folder, status, Bound));
            store.HoldRole("seller").Dispose();
            await running.WaitAsync(Bound);

            Assert.True(seller.WithdrawRequested);
            await seller.DisposeAsync();
            Assert.False(File.Exists(SellerControl.SocketPath(folder)));
            Assert.Null(await SellerControlClient.StatusAsync(folder, None));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_seller_on_the_simulator_counts_its_sale_in_its_status_and_stops_on_RequestStop()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        var seller = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, Options);
        var running = seller.RunAsync(None);
        try
        {
            await WaitForStatusAsync(net.SellerStore.Root);
            await using var buyer = net.Buyer(null);
            var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(5), None);
            var bought = await buyer.ConfirmAsync(quote, new BuyerOptions { ConfigOnly = true, MaxPriceSat = 10_000, ReplyTimeout = TimeSpan.FromSeconds(5) }, None);

            var status = (await SellerControlClient.StatusAsync(net.SellerStore.Root, None))!;
            Assert.Equal((1, 1, 12), (status.ActiveContracts, status.PoolLeased, (int)status.PoolFree));
            var sold = Assert.Single(new SoldContractsView(net.SellerStore).All(includeArchived: true, e => throw e));
            Assert.Equal((bought.Id, bought.BuyerTunnelAddress, 600L), (sold.Id, sold.BuyerTunnelAddress, SellerEarnings.ReceivedSat(sold)));
            Assert.Equal(bought.PaidSat, SellerEarnings.ByDay([sold]).Sum(d => d.ReceivedSat));
            // The buyer's peer on the seller's interface, as the operator's view reads it; an absent interface has none.
            var live = (await SellerInterfaceTraffic.ReadAsync(wireGuard, "opv-control", None)).For(sold);
            Assert.Equal(bought.BuyerWireGuardKey, live?.PublicKey.ToBase64());
            Assert.NotNull(live?.LastHandshake);
            Assert.Null((await SellerInterfaceTraffic.ReadAsync(wireGuard, "opv-absent", None)).For(sold));
            Assert.Null((await SellerInterfaceTraffic.ReadAsync(null, "opv-control", None)).For(sold));

            seller.RequestStop(withdraw: false);
            await running.WaitAsync(Bound);
            Assert.False(seller.WithdrawRequested);
        }
        finally
        {
            seller.RequestStop(withdraw: false);
            await running.WaitAsync(Bound);
            await seller.DisposeAsync();
        }

        net.SellerStore.HoldRole("seller").Dispose();
    }

    [Fact]
    public async Task A_status_that_throws_costs_only_that_client_and_the_listener_serves_the_next()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-opv-fault-").FullName;
        try
        {
            var log = new RecordingLog();
            var calls = 0;
            var control = SellerControl.TryListen(
                folder,
                () => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("status broke") : new SellerStatus { ProcessId = 7 },
                _ => { },
                log);
            Assert.NotNull(control);
            await using (control)
            {
                await Assert.ThrowsAsync<SellerControlException>(() => SellerControlClient.StatusAsync(folder, None));
                await log.SeenAsync("status broke").WaitAsync(Bound);

                Assert.Equal(7, (await SellerControlClient.StatusAsync(folder, None))?.ProcessId);
            }

            Assert.Null(await SellerControlClient.StatusAsync(folder, None));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_socket_is_owner_only_and_stalled_clients_do_not_keep_another_from_its_answer()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-opv-stall-").FullName;
        var stalled = new List<Socket>();
        try
        {
            await using var control = SellerControl.TryListen(folder, () => new SellerStatus { ProcessId = 7 }, _ => { }, new RecordingLog());
            Assert.NotNull(control);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SellerControl.SocketPath(folder)));
            }

            // Clients that connect and send nothing hold their slots until the exchange timeout; served one at a time,
            // the next client would wait them out and time out itself.
            for (var i = 0; i < SellerControl.MaxClients - 1; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                stalled.Add(socket);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SellerControl.SocketPath(folder)));
            }

            Assert.Equal(7, (await SellerControlClient.StatusAsync(folder, None))?.ProcessId);
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Only_refused_or_missing_means_not_running_and_other_socket_errors_are_reported()
    {
        // The errors connecting really gives: a missing file, and a file that is no listening socket.
        var folder = Directory.CreateTempSubdirectory("impvpn-opv-errors-").FullName;
        try
        {
            var path = SellerControl.SocketPath(folder);
            Assert.True(SellerControlClient.MeansNotRunning(await ConnectErrorAsync(path)));
            File.WriteAllText(path, string.Empty);
            Assert.True(SellerControlClient.MeansNotRunning(await ConnectErrorAsync(path)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // Access denied (another user's seller) says nothing about whether a seller runs; a process running as root
        // is never denied, so the mapping itself is what is checked.
        Assert.False(SellerControlClient.MeansNotRunning(SocketError.AccessDenied));
        Assert.False(SellerControlClient.MeansNotRunning(SocketError.TimedOut));
    }

    [SkippableFact]
    public async Task A_socket_this_user_may_not_open_is_reported_as_access_denied_not_as_not_running()
    {
        Skip.If(OperatingSystem.IsWindows() || Environment.IsPrivilegedProcess, "File modes deny nothing to root, and Windows has no Unix file modes.");
        var folder = Directory.CreateTempSubdirectory("impvpn-opv-denied-").FullName;
        try
        {
            await using var control = SellerControl.TryListen(folder, () => new SellerStatus { ProcessId = 7 }, _ => { }, new RecordingLog());
            File.SetUnixFileMode(SellerControl.SocketPath(folder), UnixFileMode.None);

            var denied = await Assert.ThrowsAsync<SellerControlException>(() => SellerControlClient.StatusAsync(folder, None));
            Assert.True(denied.AccessDenied);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<SocketError> ConnectErrorAsync(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var failed = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)));
        return failed.SocketErrorCode;
    }

    private static async Task<SellerStatus> WaitForStatusAsync(string storeRoot)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            if (await SellerControlClient.StatusAsync(storeRoot, bound.Token) is { } status)
            {
                return status;
            }

            await Task.Delay(50, bound.Token);
        }
    }

    private static async Task<string> ExchangeAsync(string storeRoot, string request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SellerControl.SocketPath(storeRoot)));
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(request), SocketFlags.None);
        }
        catch (SocketException)
        {
            // The seller closed on an oversized request before it was all sent: what it answered is still to read.
        }

        // Ending what we send: a request without a newline is then complete, and refused.
        socket.Shutdown(SocketShutdown.Send);
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        using var bound = new CancellationTokenSource(Bound);
        try
        {
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // Reset after the answer: the seller closed with part of an oversized request unread.
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
