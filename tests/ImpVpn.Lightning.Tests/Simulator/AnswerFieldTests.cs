using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>The simulator's answers carry the fields LND fills (rpcserver.go), which strict clients check.</summary>
public sealed class AnswerFieldTests
{
    [Fact]
    public async Task GetInfo_carries_colour_hashes_features_and_channel_counts()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob", "carol");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        await net.Simulation.OpenChannelAsync("alice", "carol", 500_000);
        await net["carol"].SetDownAsync(true);
        using var alice = RawLnd.Connect(net["alice"]);

        var info = await alice.Lightning.GetInfoAsync(new GetInfoRequest());

        Assert.Matches("^#[0-9a-f]{6}$", info.Color);
        Assert.Matches("^[0-9a-f]{40}$", info.CommitHash);
        Assert.Contains("commit=", info.Version);
        Assert.Matches("^[0-9a-f]{64}$", info.BlockHash);
        Assert.True(info.BestHeaderTimestamp > 0);
        Assert.Equal(1u, info.NumActiveChannels);
        Assert.Equal(1u, info.NumInactiveChannels);
        Assert.Equal(0u, info.NumPendingChannels);
        Assert.True(info.SyncedToGraph);
        Assert.True(info.WalletSynced);
        Assert.Equal("payment-addr", info.Features[14].Name);
        Assert.True(info.Features[14].IsRequired);
        Assert.True(info.Features[14].IsKnown);
        Assert.False(info.Features[17].IsRequired);
        Assert.Equal("onion-messages", info.Features[39].Name);
        Assert.True(info.Features[44].IsRequired);
        // A default LND does not accept keysend (accept-keysend is off), so it does not advertise it.
        Assert.DoesNotContain(55u, info.Features.Keys);
        Assert.Equal($"{net["alice"].PubKey}@{net["alice"].P2pAddress}", Assert.Single(info.Uris));
    }

    [Fact]
    public async Task GetNodeInfo_carries_colour_features_and_channel_edges_when_asked()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        using var alice = RawLnd.Connect(net["alice"]);

        var info = await alice.Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = net["bob"].PubKey, IncludeChannels = true });
        var without = await alice.Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = net["bob"].PubKey });

        Assert.Equal("bob", info.Node.Alias);
        Assert.Matches("^#[0-9a-f]{6}$", info.Node.Color);
        Assert.True(info.Node.LastUpdate > 0);
        Assert.Contains(39u, info.Node.Features.Keys);
        var address = Assert.Single(info.Node.Addresses);
        Assert.Equal("tcp", address.Network);
        Assert.Equal(net["bob"].P2pAddress, address.Addr);
        Assert.Equal(1u, info.NumChannels);
        Assert.Equal(1_000_000, info.TotalCapacity);
        var edge = Assert.Single(info.Channels);
        Assert.Equal(1_000_000, edge.Capacity);
        Assert.True(string.CompareOrdinal(edge.Node1Pub, edge.Node2Pub) < 0);
        Assert.Equal(1000, edge.Node1Policy.FeeBaseMsat);
        Assert.Empty(without.Channels);

        var byId = await alice.Lightning.GetChanInfoAsync(new ChanInfoRequest { ChanId = edge.ChannelId });
        Assert.Equal(edge.ChanPoint, byId.ChanPoint);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await alice.Lightning.GetChanInfoAsync(new ChanInfoRequest { ChanId = 1 }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ListPeers_tells_who_dialled_and_carries_features_and_traffic()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        using var alice = RawLnd.Connect(net["alice"]);
        using var bob = RawLnd.Connect(net["bob"]);

        var connected = await alice.Lightning.ConnectPeerAsync(new ConnectPeerRequest
        {
            Addr = new LightningAddress { Pubkey = net["bob"].PubKey, Host = net["bob"].P2pAddress },
        });
        var sent = await alice.Lightning.SendCustomMessageAsync(new SendCustomMessageRequest
        {
            Peer = ByteString.CopyFrom(Convert.FromHexString(net["bob"].PubKey)),
            Type = 32768,
            Data = ByteString.CopyFromUtf8("hello"),
        });

        Assert.Contains("initiated", connected.Status);
        Assert.Equal("message sent successfully", sent.Status);
        var fromAlice = Assert.Single((await alice.Lightning.ListPeersAsync(new ListPeersRequest())).Peers);
        var fromBob = Assert.Single((await bob.Lightning.ListPeersAsync(new ListPeersRequest())).Peers);
        Assert.False(fromAlice.Inbound);
        Assert.True(fromBob.Inbound);
        Assert.Equal(net["bob"].P2pAddress, fromAlice.Address);
        Assert.True(fromAlice.BytesSent > fromAlice.BytesRecv);
        Assert.Equal(fromAlice.BytesSent, fromBob.BytesRecv);
        Assert.True(fromAlice.PingTime > 0);
        Assert.Equal(Peer.Types.SyncType.ActiveSync, fromAlice.SyncType);
        Assert.True(fromAlice.Features[0].IsRequired);
        Assert.Equal(0, fromAlice.FlapCount);
    }

    [Fact]
    public async Task ListChannels_carries_constraints_commitment_and_push()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000, pushSat: 100_000);
        using var alice = RawLnd.Connect(net["alice"]);
        using var bob = RawLnd.Connect(net["bob"]);

        var mine = Assert.Single((await alice.Lightning.ListChannelsAsync(new ListChannelsRequest { PeerAliasLookup = true })).Channels);
        var theirs = Assert.Single((await bob.Lightning.ListChannelsAsync(new ListChannelsRequest())).Channels);

        Assert.True(mine.Active);
        Assert.True(mine.Initiator);
        Assert.False(theirs.Initiator);
        Assert.Equal(900_000, mine.LocalBalance);
        Assert.Equal(100_000, mine.RemoteBalance);
        Assert.Equal(100_000ul, mine.PushAmountSat);
        Assert.Equal(100_000ul, theirs.PushAmountSat);
        Assert.Equal(CommitmentType.Anchors, mine.CommitmentType);
        Assert.Equal("ChanStatusDefault", mine.ChanStatusFlags);
        Assert.True(mine.CommitFee > 0 && mine.CommitWeight > 0 && mine.FeePerKw > 0);
        Assert.Equal(10_000ul, mine.LocalConstraints.ChanReserveSat);
        Assert.Equal(483u, mine.RemoteConstraints.MaxAcceptedHtlcs);
        Assert.Equal("bob", mine.PeerAlias);
        Assert.Equal(string.Empty, theirs.PeerAlias);
#pragma warning disable CS0612 // LND still fills the deprecated copies of the constraints; so must the simulator.
        Assert.Equal(mine.LocalConstraints.CsvDelay, mine.CsvDelay);
        Assert.Equal(10_000, mine.LocalChanReserveSat);
#pragma warning restore CS0612
        Assert.Empty((await alice.Lightning.ListChannelsAsync(new ListChannelsRequest { InactiveOnly = true })).Channels);
    }

    [Fact]
    public async Task Balances_fill_the_deprecated_fields_and_the_wallet_account()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000, pushSat: 100_000);
        using var alice = RawLnd.Connect(net["alice"]);

        var channels = await alice.Lightning.ChannelBalanceAsync(new ChannelBalanceRequest());
        var wallet = await alice.Lightning.WalletBalanceAsync(new WalletBalanceRequest());

        Assert.Equal(900_000ul, channels.LocalBalance.Sat);
        Assert.Equal(900_000_000ul, channels.LocalBalance.Msat);
#pragma warning disable CS0612 // LND still fills the deprecated balance; so must the simulator.
        Assert.Equal(900_000, channels.Balance);
#pragma warning restore CS0612
        Assert.Equal(wallet.ConfirmedBalance, wallet.AccountBalance["default"].ConfirmedBalance);
    }

    [Fact]
    public async Task DecodePayReq_lists_the_invoice_features_by_name()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        using var bob = RawLnd.Connect(net["bob"]);
        var invoice = await bob.Lightning.AddInvoiceAsync(new Invoice { Value = 1000, Memo = "x" });

        var decoded = await bob.Lightning.DecodePayReqAsync(new PayReqString { PayReq = invoice.PaymentRequest });

        Assert.Equal(1_000_000, decoded.NumMsat);
        Assert.Equal(invoice.PaymentAddr, decoded.PaymentAddr);
        Assert.Equal("payment-addr", decoded.Features[14].Name);
        Assert.Equal("tlv-onion", decoded.Features[8].Name);
    }

    [Fact]
    public async Task DisconnectPeer_is_refused_with_a_channel_and_drops_a_peer_without_one()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob", "carol");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        net.Simulation.Connect("alice", "carol");
        using var alice = RawLnd.Connect(net["alice"]);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await alice.Lightning.DisconnectPeerAsync(new DisconnectPeerRequest { PubKey = net["bob"].PubKey }));
        var done = await alice.Lightning.DisconnectPeerAsync(new DisconnectPeerRequest { PubKey = net["carol"].PubKey });
        var again = await Assert.ThrowsAsync<RpcException>(async () =>
            await alice.Lightning.DisconnectPeerAsync(new DisconnectPeerRequest { PubKey = net["carol"].PubKey }));

        Assert.Contains("still has 1 active channels", refused.Status.Detail);
        Assert.Equal("disconnect initiated", done.Status);
        Assert.Contains("is not connected", again.Status.Detail);
        var peer = Assert.Single((await alice.Lightning.ListPeersAsync(new ListPeersRequest())).Peers);
        Assert.Equal(net["bob"].PubKey, peer.PubKey);
    }
}
