using System.Text;
using System.Text.Json;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Protocol;

/// <summary>A dropped peer connection is made again and the same request (same id) sent again, a bounded number of
/// times; a "not yet" answer is never remembered as the answer to a request.</summary>
public sealed class PeerRpcReconnectTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly FakeLightningNode _buyerNode = new("03" + new string('b', 64));
    private readonly FakeLightningNode _sellerNode = new("02" + new string('a', 64));
    private PeerRpcEndpoint _buyer = null!;
    private PeerRpcEndpoint _seller = null!;
    private int _executed;
    private int _reconnects;

    public Task InitializeAsync()
    {
        _buyer = new PeerRpcEndpoint(_buyerNode);
        _seller = new PeerRpcEndpoint(_sellerNode);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _buyer.DisposeAsync();
        await _seller.DisposeAsync();
    }

    private void AnswerStatus(Action? whileAnswering = null) =>
        _seller.Handle(PeerProtocol.Status, (_, p, _) =>
        {
            Interlocked.Increment(ref _executed);
            whileAnswering?.Invoke();
            return Task.FromResult<object>(new StatusResponse(JsonRpcCodec.ReadPayload<StatusRequest>(p).ContractId, "Active", 1));
        });

    /// <summary>The buyer's reconnection: the link is made again, as LND's ConnectPeer would.</summary>
    private Task Relink(CancellationToken cancellationToken)
    {
        _reconnects++;
        FakeLightningNode.Link(_buyerNode, _sellerNode);
        return Task.CompletedTask;
    }

    private string[] SentIds()
    {
        lock (_buyerNode.Sent)
        {
            return _buyerNode.Sent.Select(s => JsonDocument.Parse(s.Data).RootElement.GetProperty("id").GetString()!).ToArray();
        }
    }

    [Fact]
    public async Task A_peer_found_disconnected_is_connected_again_and_the_same_request_sent_once_more()
    {
        AnswerStatus();
        _seller.Start();
        var status = await _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("c1"), Timeout, CancellationToken.None,
            reconnect: Relink);

        Assert.Equal("c1", status.ContractId);
        Assert.Equal(1, _reconnects);
        Assert.Equal(1, _executed);
        Assert.Single(SentIds().Distinct());
    }

    [Fact]
    public async Task An_answer_lost_to_a_dropped_link_is_had_by_sending_the_same_id_again_and_the_request_runs_once()
    {
        FakeLightningNode.Link(_buyerNode, _sellerNode);
        // The link drops while the seller answers: its answer never leaves, the buyer's next resend finds the peer gone.
        AnswerStatus(() => FakeLightningNode.Unlink(_buyerNode, _sellerNode));
        _seller.Start();
        var status = await _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("c2"), Timeout, CancellationToken.None,
            reconnect: Relink);

        Assert.Equal("c2", status.ContractId);
        Assert.Equal(1, _executed);
        Assert.Equal(1, _reconnects);
        var ids = SentIds();
        Assert.True(ids.Length >= 2, "the request was sent again");
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task A_peer_that_drops_after_every_reconnection_ends_the_call_after_three()
    {
        AnswerStatus();
        _seller.Start();
        var reconnects = 0;

        await Assert.ThrowsAsync<PeerNotConnectedException>(() =>
            _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("c3"), Timeout, CancellationToken.None,
                reconnect: _ =>
                {
                    reconnects++;
                    return Task.CompletedTask;
                }));

        Assert.Equal(3, reconnects);
        Assert.Equal(0, _executed);
    }

    [Fact]
    public async Task A_not_yet_answer_is_not_remembered_so_the_same_request_runs_again()
    {
        FakeLightningNode.Link(_buyerNode, _sellerNode);
        var held = false;
        _seller.Handle(PeerProtocol.Status, (_, _, _) =>
        {
            Interlocked.Increment(ref _executed);
            return held
                ? Task.FromResult<object>(new StatusResponse("c4", "Active", 1))
                : throw new ProtocolException(ProtocolErrorCode.PaymentNotYetHeld, "Not yet.");
        });
        _seller.Start();
        using var stop = new CancellationTokenSource();
        await using var replies = _buyerNode.SubscribeCustomMessagesAsync(stop.Token).GetAsyncEnumerator();
        var request = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":"same-id-1","method":"impvpn.v2.status","params":{"contract_id":"c4"}}""");

        _sellerNode.Inject(_buyerNode.PubKey, PeerProtocol.MessageType, request);
        Assert.True(await replies.MoveNextAsync());
        var first = Encoding.UTF8.GetString(replies.Current.Data);
        held = true;
        _sellerNode.Inject(_buyerNode.PubKey, PeerProtocol.MessageType, request);
        Assert.True(await replies.MoveNextAsync());
        var second = Encoding.UTF8.GetString(replies.Current.Data);
        await stop.CancelAsync();

        Assert.Contains("1012", first);
        Assert.Contains("\"result\"", second);
        Assert.Equal(2, _executed);
        Assert.True(ProtocolErrorCodes.IsNotYet(ProtocolErrorCode.PaymentNotYetHeld));
        Assert.False(ProtocolErrorCodes.IsNotYet(ProtocolErrorCode.NotPaid));
    }
}
