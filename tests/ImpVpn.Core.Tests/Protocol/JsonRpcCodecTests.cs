using System.Text;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Tests.Protocol;

public sealed class JsonRpcCodecTests
{
    [Fact]
    public void A_request_round_trips_with_snake_case_params()
    {
        var request = JsonRpcCodec.Request(PeerProtocol.Quote, new QuoteRequest(3600, new TunnelOffer()));
        var bytes = JsonRpcCodec.Encode(request);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Contains("\"duration_seconds\":3600", text);
        Assert.Contains("\"jsonrpc\":\"2.0\"", text);
        var decoded = JsonRpcCodec.Decode(bytes);
        Assert.True(decoded.IsRequest);
        Assert.Equal(request.Id, decoded.Id);
        Assert.Equal(3600, JsonRpcCodec.ReadPayload<QuoteRequest>(decoded.Params).DurationSeconds);
    }

    [Fact]
    public void Tunnel_addresses_keep_their_version_1_wire_names()
    {
        var activation = new ActivateResponse("c1", "key", "192.0.2.1:51820", "10.77.0.2", "10.77.0.1", ["10.77.0.1/32"], 1764023600);
        var json = System.Text.Json.JsonSerializer.Serialize(activation, JsonRpcCodec.WireOptions);

        Assert.Contains("\"buyer_address\":\"10.77.0.2\"", json);
        Assert.Contains("\"seller_address\":\"10.77.0.1\"", json);
        var back = System.Text.Json.JsonSerializer.Deserialize<ActivateResponse>(json, JsonRpcCodec.WireOptions)!;
        Assert.Equal(("10.77.0.2", "10.77.0.1"), (back.BuyerTunnelAddress, back.SellerTunnelAddress));
        Assert.Contains("\"buyer_address\":\"10.77.0.3\"", System.Text.Json.JsonSerializer.Serialize(new AcceptResponse("c1", "lnbcrt1", "10.77.0.3"), JsonRpcCodec.WireOptions));
    }

    [Fact]
    public void Ids_are_128_bit_random_hex_never_counters()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => JsonRpcCodec.NewId()).ToList();
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(100, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("not json", ProtocolErrorCode.ParseError)]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"x\"}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"x\"}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":\"a\"}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"result\":{}}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("[1,2,3]", ProtocolErrorCode.InvalidRequest)]
    [InlineData("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\"}]", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"x\"}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\"}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":7}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":2.0,\"id\":\"a\",\"method\":\"x\"}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"error\":\"no\"}", ProtocolErrorCode.InvalidRequest)]
    [InlineData("\"just a string\"", ProtocolErrorCode.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\"", ProtocolErrorCode.ParseError)]
    public void Malformed_messages_are_typed_protocol_errors(string text, ProtocolErrorCode expected)
    {
        var error = Assert.Throws<ProtocolException>(() => JsonRpcCodec.Decode(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(expected, error.Code);
    }

    [Fact]
    public void Invalid_utf8_is_a_parse_error()
    {
        var error = Assert.Throws<ProtocolException>(() => JsonRpcCodec.Decode([0x7B, 0xFF, 0xFE, 0x7D]));
        Assert.Equal(ProtocolErrorCode.ParseError, error.Code);
    }

    [Fact]
    public void Oversize_messages_are_refused_both_ways()
    {
        var huge = new byte[PeerProtocol.MaxMessageBytes + 1];
        Assert.Equal(ProtocolErrorCode.InvalidRequest, Assert.Throws<ProtocolException>(() => JsonRpcCodec.Decode(huge)).Code);
        var request = JsonRpcCodec.Request(PeerProtocol.Status, new StatusRequest(new string('x', PeerProtocol.MaxMessageBytes)));
        Assert.Throws<ProtocolException>(() => JsonRpcCodec.Encode(request));
    }

    [Fact]
    public void Params_of_the_wrong_shape_are_invalid_params()
    {
        var envelope = JsonRpcCodec.Decode(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{\"duration_seconds\":\"soon\"}}"));
        var error = Assert.Throws<ProtocolException>(() => JsonRpcCodec.ReadPayload<QuoteRequest>(envelope.Params));
        Assert.Equal(ProtocolErrorCode.InvalidParams, error.Code);
    }

    [Theory]
    [InlineData("impvpn.v2.quote", "{}")]
    [InlineData("impvpn.v2.quote", "{\"duration_seconds\":0}")]
    [InlineData("impvpn.v2.quote", "{\"duration_seconds\":-5}")]
    [InlineData("impvpn.v2.quote", "{\"duration_seconds\":9223372036854775807}")]
    [InlineData("impvpn.v2.accept", "{\"nonce\":\"n\",\"price_sat\":1,\"duration_seconds\":60,\"expires_at\":1,\"offer\":null,\"promise\":\"p\",\"buyer_wire_guard_key\":\"k\"}")]
    [InlineData("impvpn.v2.accept", "{\"nonce\":\"n\",\"price_sat\":1,\"duration_seconds\":60,\"expires_at\":1,\"offer\":{},\"promise\":null,\"buyer_wire_guard_key\":\"k\"}")]
    [InlineData("impvpn.v2.accept", "{\"nonce\":\"n\",\"price_sat\":1,\"duration_seconds\":60,\"expires_at\":1,\"offer\":{\"address_family\":null},\"promise\":\"p\",\"buyer_wire_guard_key\":\"k\"}")]
    [InlineData("impvpn.v2.accept", "{\"nonce\":\"n\",\"price_sat\":-1,\"duration_seconds\":60,\"expires_at\":1,\"offer\":{},\"promise\":\"p\",\"buyer_wire_guard_key\":\"k\"}")]
    [InlineData("impvpn.v2.accept", "{\"nonce\":\"n\",\"price_sat\":1,\"duration_seconds\":60,\"expires_at\":9223372036854775807,\"offer\":{},\"promise\":\"p\",\"buyer_wire_guard_key\":\"k\"}")]
    [InlineData("impvpn.v2.activate", "{\"contract_id\":\"c\",\"payment_hash\":null}")]
    [InlineData("impvpn.v2.activate", "{\"payment_hash\":\"h\"}")]
    [InlineData("impvpn.v2.refresh", "{\"contract_id\":\"c\",\"duration_seconds\":1e300}")]
    [InlineData("impvpn.v2.status", "{\"contract_id\":null}")]
    [InlineData("impvpn.v2.status", "[\"c\"]")]
    public void Missing_null_and_out_of_range_params_are_invalid_params(string method, string parameters)
    {
        var envelope = JsonRpcCodec.Decode(Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"{method}\",\"params\":{parameters}}}"));
        var error = Assert.Throws<ProtocolException>(() => method switch
        {
            PeerProtocol.Quote => (object)JsonRpcCodec.ReadPayload<QuoteRequest>(envelope.Params),
            PeerProtocol.Accept => JsonRpcCodec.ReadPayload<AcceptRequest>(envelope.Params),
            PeerProtocol.Activate => JsonRpcCodec.ReadPayload<ActivateRequest>(envelope.Params),
            PeerProtocol.Refresh => JsonRpcCodec.ReadPayload<RefreshRequest>(envelope.Params),
            _ => JsonRpcCodec.ReadPayload<StatusRequest>(envelope.Params),
        });
        Assert.Equal(ProtocolErrorCode.InvalidParams, error.Code);
        Assert.True(error.Message.Length <= JsonRpcCodec.MaxErrorMessageLength);
    }

    [Fact]
    public void An_error_message_never_grows_past_its_bound()
    {
        var failure = JsonRpcCodec.Failure("a", ProtocolErrorCode.InvalidParams, new string('x', 70_000));
        Assert.Equal(JsonRpcCodec.MaxErrorMessageLength, failure.Error!.Message.Length);
    }
}
