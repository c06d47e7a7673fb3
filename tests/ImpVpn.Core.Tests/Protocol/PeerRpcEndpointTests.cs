using System.Text;
using System.Text.Json;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Protocol;

public sealed class PeerRpcEndpointTests : IAsyncLifetime
{
    private readonly FakeLightningNode _buyerNode = new("03" + new string('b', 64));
    private readonly FakeLightningNode _sellerNode = new("02" + new string('a', 64));
    private PeerRpcEndpoint _buyer = null!;
    private PeerRpcEndpoint _seller = null!;

    public Task InitializeAsync()
    {
        FakeLightningNode.Link(_buyerNode, _sellerNode);
        _buyer = new PeerRpcEndpoint(_buyerNode);
        _seller = new PeerRpcEndpoint(_sellerNode);
        _seller.Handle(PeerProtocol.Status, (peer, parameters, _) =>
        {
            var request = JsonRpcCodec.ReadPayload<StatusRequest>(parameters);
            if (request.ContractId == "unknown")
            {
                throw new ProtocolException(ProtocolErrorCode.UnknownContract, "No such contract.");
            }

            return Task.FromResult<object>(new StatusResponse(request.ContractId, "active:" + peer[..4], 42));
        });
        _seller.Start();
        _buyer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _buyer.DisposeAsync();
        await _seller.DisposeAsync();
        await _buyerNode.DisposeAsync();
        await _sellerNode.DisposeAsync();
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_call_gets_the_handlers_answer_and_the_handler_sees_who_asked()
    {
        var status = await _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("c1"), Timeout, CancellationToken.None);
        Assert.Equal("c1", status.ContractId);
        Assert.Equal("active:03bb", status.State);
    }

    [Fact]
    public async Task An_error_answer_arrives_as_a_typed_protocol_exception()
    {
        var error = await Assert.ThrowsAsync<ProtocolException>(() =>
            _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("unknown"), Timeout, CancellationToken.None));
        Assert.Equal(ProtocolErrorCode.UnknownContract, error.Code);
    }

    [Fact]
    public async Task An_unknown_method_is_answered_with_method_not_found()
    {
        var error = await Assert.ThrowsAsync<ProtocolException>(() =>
            _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, "impvpn.v1.nonsense", new StatusRequest("c1"), Timeout, CancellationToken.None));
        Assert.Equal(ProtocolErrorCode.MethodNotFound, error.Code);
    }

    [Fact]
    public async Task Garbage_gets_a_parse_error_reply_and_the_seller_keeps_serving()
    {
        _sellerNode.Inject(_buyerNode.PubKey, PeerProtocol.MessageType, [0xFF, 0x00, 0x13]);
        var status = await _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("c2"), Timeout, CancellationToken.None);

        Assert.Equal("c2", status.ContractId);
        lock (_sellerNode.Sent)
        {
            Assert.Contains(_sellerNode.Sent, s => Encoding.UTF8.GetString(s.Data).Contains("-32700"));
        }
    }

    [Fact]
    public async Task A_reply_to_an_id_never_sent_is_ignored_and_not_answered()
    {
        var forged = JsonRpcCodec.Encode(JsonRpcCodec.Success(JsonRpcCodec.NewId(), new StatusResponse("x", "active", 1)));
        _buyerNode.Inject(_sellerNode.PubKey, PeerProtocol.MessageType, forged);
        var status = await _buyer.CallAsync<StatusResponse>(_sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("c3"), Timeout, CancellationToken.None);

        Assert.Equal("c3", status.ContractId);
        lock (_buyerNode.Sent)
        {
            // The buyer sent its one request and nothing in answer to the forged reply.
            Assert.Single(_buyerNode.Sent);
        }
    }

    [Fact]
    public async Task A_reply_from_another_peer_with_the_right_id_is_not_taken()
    {
        var intruder = new FakeLightningNode("02" + new string('e', 64));
        FakeLightningNode.Link(intruder, _buyerNode);
        _seller.Handle(PeerProtocol.Quote, async (_, _, ct) =>
        {
            await Task.Delay(Timeout, ct);
            return new QuoteResponse("n", 1, 1, 1, new TunnelOffer(), "p");
        });

        var call = _buyer.CallAsync<QuoteResponse>(_sellerNode.PubKey, PeerProtocol.Quote, new QuoteRequest(60), TimeSpan.FromMilliseconds(500), CancellationToken.None);
        string requestId;
        lock (_buyerNode.Sent)
        {
            requestId = JsonDocument.Parse(_buyerNode.Sent[^1].Data).RootElement.GetProperty("id").GetString()!;
        }

        _buyerNode.Inject(intruder.PubKey, PeerProtocol.MessageType,
            JsonRpcCodec.Encode(JsonRpcCodec.Success(requestId, new QuoteResponse("evil", 1, 1, 1, new TunnelOffer(), "p"))));

        await Assert.ThrowsAsync<TimeoutException>(() => call);
    }
}

public sealed class PeerRpcRetryTests
{
    [Fact]
    public async Task A_lost_request_is_sent_again_and_a_repeated_request_is_answered_once()
    {
        var buyerNode = new FakeLightningNode("03" + new string('b', 64));
        var sellerNode = new FakeLightningNode("02" + new string('a', 64));
        FakeLightningNode.Link(buyerNode, sellerNode);
        await using var buyer = new PeerRpcEndpoint(buyerNode);
        await using var seller = new PeerRpcEndpoint(sellerNode);
        var executed = 0;
        seller.Handle(PeerProtocol.Status, (_, p, _) =>
        {
            Interlocked.Increment(ref executed);
            return Task.FromResult<object>(new StatusResponse(JsonRpcCodec.ReadPayload<StatusRequest>(p).ContractId, "Active", 1));
        });

        // The seller starts listening only after the buyer's first retry (at 0.5 s): it then finds the request twice
        // and must act once.
        var call = buyer.CallAsync<StatusResponse>(sellerNode.PubKey, PeerProtocol.Status, new StatusRequest("c9"), TimeSpan.FromSeconds(20), CancellationToken.None);
        await Task.Delay(800);
        seller.Start();
        var status = await call;

        Assert.Equal("c9", status.ContractId);
        Assert.Equal(1, executed);
        lock (buyerNode.Sent)
        {
            Assert.True(buyerNode.Sent.Count >= 2, "the request was sent again");
            Assert.Single(buyerNode.Sent.Select(s => System.Text.Json.JsonDocument.Parse(s.Data).RootElement.GetProperty("id").GetString()).Distinct());
        }
    }
}
