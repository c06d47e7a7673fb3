using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Lightning.Tests.Client;

public sealed class ConnectionErrorTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_node_that_answers_is_opened_with_its_identity_network_and_sync_state()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var alice = await net.ClientAsync("alice");
        var info = await alice.GetInfoAsync(None);

        Assert.Equal(net["alice"].PubKey, info.IdentityPubKey);
        Assert.Matches("^0[23][0-9a-f]{64}$", info.IdentityPubKey);
        Assert.Equal("regtest", info.Network);
        Assert.True(info.SyncedToChain);
        Assert.Equal("alice", info.Alias);
    }

    [Fact]
    public async Task Nothing_listening_is_an_unreachable_node()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var freePort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = LndConnectionOptions.FromFiles($"127.0.0.1:{freePort}", net["alice"].TlsCertPath, net["alice"].MacaroonPath);

        var error = await Assert.ThrowsAsync<NodeUnreachableException>(() => LndNode.ConnectAsync(options, false, None));
        Assert.Contains($"127.0.0.1:{freePort}", error.Message);
        Assert.Equal($"127.0.0.1:{freePort}", error.Address);
        ErrorFactsTests.AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public async Task Another_nodes_certificate_is_a_certificate_mismatch()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var options = LndConnectionOptions.FromFiles(net["alice"].RpcAddress, net["bob"].TlsCertPath, net["alice"].MacaroonPath);

        var error = await Assert.ThrowsAsync<CertificateMismatchException>(() => LndNode.ConnectAsync(options, false, None));
        Assert.Contains("tls.cert", error.Message);
        Assert.Equal(CertificateProblem.DiffersFromPinned, error.Reason);
        Assert.Equal(net["alice"].RpcAddress, error.Address);
        ErrorFactsTests.AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public async Task Without_a_pinned_certificate_lnds_self_signed_one_is_refused_as_not_pinned()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var pinned = TestNetwork.OptionsFor(net["alice"]);
        var unpinned = new LndConnectionOptions(pinned.Host, pinned.Port, null, await File.ReadAllBytesAsync(net["alice"].MacaroonPath), "regtest");

        var error = await Assert.ThrowsAsync<CertificateMismatchException>(() => LndNode.ConnectAsync(unpinned, false, None));
        Assert.Contains("no trusted authority", error.Message);
        Assert.DoesNotContain("pinned", error.Message);
        Assert.Equal(CertificateProblem.NotPinned, error.Reason);
        Assert.Equal(net["alice"].RpcAddress, error.Address);
        Assert.Null(error.Path);
        ErrorFactsTests.AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public async Task A_missing_macaroon_file_is_refused_before_any_call()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var missing = Path.Combine(net.Folder, "nope", "admin.macaroon");

        var error = Assert.Throws<MacaroonException>(() => LndConnectionOptions.FromFiles(net["alice"].RpcAddress, net["alice"].TlsCertPath, missing));
        Assert.Contains(missing, error.Message);
        Assert.Equal((MacaroonProblem.FileMissing, missing), (error.Reason, error.Path));
        ErrorFactsTests.AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public async Task Another_nodes_macaroon_is_refused_and_never_echoed()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var options = LndConnectionOptions.FromFiles(net["alice"].RpcAddress, net["alice"].TlsCertPath, net["bob"].MacaroonPath);

        var error = await Assert.ThrowsAsync<MacaroonException>(() => LndNode.ConnectAsync(options, false, None));
        Assert.Contains("verification failed", error.Message);
        Assert.Equal(MacaroonProblem.Refused, error.Reason);
        var macaroonHex = Convert.ToHexString(await File.ReadAllBytesAsync(net["bob"].MacaroonPath));
        Assert.DoesNotContain(macaroonHex, error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(macaroonHex, options.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_node_not_synced_to_the_chain_is_refused_when_sync_is_required()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        net["alice"].SyncedToChain = false;

        var error = await Assert.ThrowsAsync<NodeNotSyncedException>(() => LndNode.ConnectAsync(TestNetwork.OptionsFor(net["alice"]), true, None));
        Assert.Equal(net["alice"].PubKey, error.IdentityPubKey);
        ErrorFactsTests.AssertNamesNoCmdletParameter(error);
        await using var unchecked_ = await LndNode.ConnectAsync(TestNetwork.OptionsFor(net["alice"]), false, None);
        Assert.False(unchecked_.Info!.SyncedToChain);
    }

    [Fact]
    public async Task A_node_on_another_network_is_refused()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        net["alice"].ReportedNetwork = "mainnet";

        var error = await Assert.ThrowsAsync<WrongNetworkException>(() => LndNode.ConnectAsync(TestNetwork.OptionsFor(net["alice"], "regtest"), false, None));
        Assert.Equal("regtest", error.Expected);
        Assert.Equal("mainnet", error.Actual);
    }

    [Fact]
    public async Task A_node_that_goes_down_is_unreachable_and_usable_again_when_it_comes_back()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var alice = await net.ClientAsync("alice");

        await net["alice"].SetDownAsync(true);
        await Assert.ThrowsAsync<NodeUnreachableException>(() => alice.GetInfoAsync(None));
        await net["alice"].SetDownAsync(false);

        await using var again = await LndNode.ConnectAsync(TestNetwork.OptionsFor(net["alice"]), true, None);
        Assert.Equal(net["alice"].PubKey, (await again.GetInfoAsync(None)).IdentityPubKey);
    }
}
