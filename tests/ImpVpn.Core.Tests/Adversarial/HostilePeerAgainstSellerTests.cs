using System.Text;
using System.Text.Json;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Purchase;

namespace ImpVpn.Core.Tests.Adversarial;

[CollectionDefinition(nameof(HostilePeerAgainstSellerTests), DisableParallelization = true)]
public sealed class AdversarialRunsAlone;

/// <summary>
/// A hostile peer against the seller on the simulator (issue 10, point 7): every attack gets the answer the
/// protocol documents, creates no invoice it should not, moves no sats, and leaves the seller serving; an honest
/// buyer still buys during and after a flood. Each attack is also a row of <see cref="SellerReport"/>. Floods are
/// bounded in count, and every wait is bounded by <see cref="HostilePeer"/>'s reply bound; nothing is timed.
/// Runs alone (its own collection), so the memory it records is its own.
/// </summary>
[Collection(nameof(HostilePeerAgainstSellerTests))]
public sealed class HostilePeerAgainstSellerTests(HostileSellerFixture seller) : IClassFixture<HostileSellerFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly BuyerOptions Honest = new() { ConfigOnly = true, MaxPriceSat = 10_000, ReplyTimeout = TimeSpan.FromSeconds(30) };
    private static int _peers;

    private HostilePeer NewPeer() => HostilePeer.Join(seller.Net.Simulation, "mallory" + Interlocked.Increment(ref _peers), "bob");

    private static string Key() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    // A payment hash as a version-2 buyer sends it with accept and refresh.
    private static string HashHex() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    /// <summary>Runs one attack, records its row, and asserts that no sats moved but an honest buyer's
    /// (<c>HonestSat</c>) and, unless the attack may make invoices, that none was created.</summary>
    private async Task AttackAsync(string attack, Func<Task<(string Answer, long HonestSat)>> run, bool mayInvoice = false)
    {
        var before = seller.Take();
        var (answer, honestSat) = await run();
        var after = seller.Take();
        var satsMoved = after.SellerSat - before.SellerSat - honestSat;
        SellerReport.Row(attack, answer, after.Invoices - before.Invoices, satsMoved, before.ChangeTo(after));
        Assert.Equal(0, satsMoved);
        if (!mayInvoice)
        {
            Assert.Equal(before.Invoices, after.Invoices);
        }
    }

    private async Task AttackAsync(string attack, Func<Task<string>> run) =>
        await AttackAsync(attack, async () => (await run(), 0L));

    private async Task<BoughtContract> HonestPurchaseAsync()
    {
        await using var alice = seller.Net.Buyer(null);
        var quote = await alice.RequestQuoteAsync(seller.Net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(30), None);
        return await alice.ConfirmAsync(quote, Honest, None);
    }

    public static TheoryData<string, byte[], int> Malformed => new()
    {
        { "invalid UTF-8", [0x7B, 0xFF, 0xFE, 0x7D], -32700 },
        { "truncated JSON", Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"a\","), -32700 },
        { "65,533 bytes of non-JSON", Enumerable.Repeat((byte)'x', PeerProtocol.MaxMessageBytes).ToArray(), -32700 },
        { "JSON nested 30,000 deep", Encoding.UTF8.GetBytes(new string('[', 30_000) + new string(']', 30_000)), -32700 },
        { "a JSON string, not an object", Encoding.UTF8.GetBytes("\"impvpn\""), -32600 },
        { "not JSON-RPC", Encoding.UTF8.GetBytes("{\"hello\":\"seller\"}"), -32600 },
        { "JSON-RPC 1.0", Encoding.UTF8.GetBytes("{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"impvpn.v1.quote\"}"), -32600 },
        { "a batch", Encoding.UTF8.GetBytes("[" + HostilePeer.Request(PeerProtocol.Quote, "{\"duration_seconds\":3600}") + "]"), -32600 },
        { "a numeric id", Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"impvpn.v1.quote\",\"params\":{\"duration_seconds\":3600}}"), -32600 },
        { "a null id", Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"impvpn.v1.quote\",\"params\":{\"duration_seconds\":3600}}"), -32600 },
        { "a numeric method", Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":7}"), -32600 },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_input_gets_its_error_with_a_null_id_and_changes_nothing(string attack, byte[] payload, int code)
    {
        var peer = NewPeer();
        await AttackAsync(attack, async () =>
        {
            var reply = Assert.Single(await peer.SendThenProbeAsync(payload));
            Assert.Equal(code, reply.Code);
            Assert.Null(reply.Id);
            Assert.InRange(reply.Bytes, 1, 400);
            return $"{code}, id null ({reply.Bytes} bytes)";
        });
    }

    [Theory]
    [InlineData("a result to an id never sent", "{\"jsonrpc\":\"2.0\",\"id\":\"0123456789abcdef0123456789abcdef\",\"result\":{\"nonce\":\"n\"}}")]
    [InlineData("an error to an id never sent", "{\"jsonrpc\":\"2.0\",\"id\":\"0123456789abcdef0123456789abcdef\",\"error\":{\"code\":1,\"message\":\"x\"}}")]
    [InlineData("both a method and a result", "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"impvpn.v1.quote\",\"result\":{}}")]
    [InlineData("a malformed error reply", "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":\"boom\"}")]
    public async Task Reply_shaped_messages_are_never_answered(string attack, string payload)
    {
        var peer = NewPeer();
        await AttackAsync(attack, async () =>
        {
            Assert.Empty(await peer.SendThenProbeAsync(Encoding.UTF8.GetBytes(payload)));
            return "no answer";
        });
    }

    [Fact]
    public async Task Unknown_methods_are_answered_and_never_echoed_beyond_a_short_name()
    {
        var peer = NewPeer();
        await AttackAsync("unknown method `impvpn.v1.steal`", async () =>
        {
            var reply = await peer.CallAsync("impvpn.v1.steal", "{}");
            Assert.Equal(-32601, reply.Code);
            Assert.Contains("impvpn.v1.steal", reply.Message, StringComparison.Ordinal);
            return "-32601, name echoed";
        });

        await AttackAsync("unknown method named by 65,450 characters", async () =>
        {
            var reply = await peer.CallAsync(new string('m', 65_450), "{}");
            Assert.Equal(-32601, reply.Code);
            Assert.InRange(reply.Bytes, 1, 400);
            Assert.DoesNotContain("mmmmm", reply.Message, StringComparison.Ordinal);
            return $"-32601, name not echoed ({reply.Bytes} bytes)";
        });
    }

    public static TheoryData<string, string, string, int> BadParams => new()
    {
        { "duration of the wrong type", PeerProtocol.Quote, "{\"duration_seconds\":\"soon\"}", -32602 },
        { "duration beyond a TimeSpan", PeerProtocol.Quote, "{\"duration_seconds\":9223372036854775807}", -32602 },
        { "duration beyond a long", PeerProtocol.Quote, "{\"duration_seconds\":1e300}", -32602 },
        { "zero duration", PeerProtocol.Quote, "{\"duration_seconds\":0}", -32602 },
        { "missing duration", PeerProtocol.Quote, "{}", -32602 },
        { "duration beyond the seller's range", PeerProtocol.Quote, "{\"duration_seconds\":86400000}", 1010 },
        { "params an array", PeerProtocol.Quote, "[3600]", -32602 },
        { "params null", PeerProtocol.Quote, "null", -32602 },
        { "params nested 40 deep", PeerProtocol.Status, new string('[', 40) + new string(']', 40), -32602 },
        { "an offer of a kind not sold", PeerProtocol.Quote, "{\"duration_seconds\":3600,\"offer\":{\"address_family\":\"ipx\"}}", 1013 },
        { "null promise", PeerProtocol.Accept, "{\"nonce\":\"n\",\"price_sat\":1,\"duration_seconds\":60,\"expires_at\":1,\"offer\":{},\"promise\":null,\"buyer_wire_guard_key\":\"k\"}", -32602 },
        { "null offer", PeerProtocol.Accept, "{\"nonce\":\"n\",\"price_sat\":1,\"duration_seconds\":60,\"expires_at\":1,\"offer\":null,\"promise\":\"p\",\"buyer_wire_guard_key\":\"k\"}", -32602 },
        { "expiry beyond any date", PeerProtocol.Accept, "{\"nonce\":\"n\",\"price_sat\":1,\"duration_seconds\":60,\"expires_at\":9223372036854775807,\"offer\":{},\"promise\":\"p\",\"buyer_wire_guard_key\":\"k\"}", -32602 },
        { "null payment_hash", PeerProtocol.Activate, "{\"contract_id\":\"0000000000000000\",\"payment_hash\":null}", -32602 },
        { "null contract_id (activate)", PeerProtocol.Activate, "{\"contract_id\":null,\"payment_hash\":\"00\"}", -32602 },
        { "null contract_id (status)", PeerProtocol.Status, "{\"contract_id\":null}", -32602 },
        { "refresh duration beyond a TimeSpan", PeerProtocol.Refresh, "{\"contract_id\":\"0000000000000000\",\"duration_seconds\":9223372036854775807}", -32602 },
        { "a contract id of 65,000 characters", PeerProtocol.Status, "{\"contract_id\":\"" + new string('c', 65_000) + "\"}", 1007 },
        { "a 65,000-byte property nobody asked for", PeerProtocol.Status, "{\"contract_id\":\"0000000000000000\",\"junk\":\"" + new string('j', 65_000) + "\"}", 1007 },
    };

    [Theory]
    [MemberData(nameof(BadParams))]
    public async Task Wrong_null_out_of_range_and_huge_params_get_their_code_and_create_nothing(string attack, string method, string parameters, int code)
    {
        var peer = NewPeer();
        await AttackAsync($"{method}: {attack}", async () =>
        {
            var reply = await peer.CallAsync(method, parameters);
            Assert.Equal(code, reply.Code);
            Assert.InRange(reply.Bytes, 1, 500);
            return $"{code}";
        });
    }

    [Fact]
    public async Task Tampered_quotes_and_another_buyers_quote_are_refused_without_an_invoice()
    {
        var mallory = NewPeer();
        var eve = NewPeer();
        var quote = (await mallory.CallAsync(PeerProtocol.Quote, "{\"duration_seconds\":3600}")).Result!.Value;
        string Accept(Action<Dictionary<string, object?>> tamper)
        {
            var fields = quote.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
            fields["buyer_wire_guard_key"] = Key();
            fields["payment_hash"] = HashHex();
            tamper(fields);
            return JsonSerializer.Serialize(fields);
        }

        foreach (var (what, tamper) in new (string, Action<Dictionary<string, object?>>)[]
        {
            ("price lowered to 1 sat", f => f["price_sat"] = 1),
            ("duration raised", f => f["duration_seconds"] = 86_400),
            ("expiry moved later", f => f["expires_at"] = quote.GetProperty("expires_at").GetInt64() + 3600),
            ("nonce changed", f => f["nonce"] = new string('0', 32)),
            ("promise changed", f => f["promise"] = new string('0', 64)),
        })
        {
            await AttackAsync($"accept a quote with its {what}", async () =>
            {
                var reply = await mallory.CallAsync(PeerProtocol.Accept, Accept(tamper));
                Assert.Equal(1003, reply.Code);
                return "1003";
            });
        }

        await AttackAsync("accept another buyer's quote", async () =>
        {
            var reply = await eve.CallAsync(PeerProtocol.Accept, Accept(_ => { }));
            Assert.Equal(1003, reply.Code);
            return "1003";
        });
    }

    [Fact]
    public async Task Replays_of_an_accept_create_one_contract()
    {
        var mallory = NewPeer();
        var quote = (await mallory.CallAsync(PeerProtocol.Quote, "{\"duration_seconds\":3600}")).Result!.Value;
        var fields = quote.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        fields["buyer_wire_guard_key"] = Key();
        fields["payment_hash"] = HashHex();
        var accept = JsonSerializer.Serialize(fields);
        var id = JsonRpcCodec.NewId();
        var first = (await mallory.CallAsync(PeerProtocol.Accept, accept, id)).Result!.Value.GetProperty("contract_id").GetString();

        await AttackAsync("replay an accept with the same id", async () =>
        {
            var again = await mallory.CallAsync(PeerProtocol.Accept, accept, id);
            Assert.Equal(first, again.Result!.Value.GetProperty("contract_id").GetString());
            return "the first answer again (no second invoice)";
        });

        // A new id for the same accept (a seller restarted in between forgets its answers): the same contract again.
        await AttackAsync("replay an accept with a new id", async () =>
        {
            var again = await mallory.CallAsync(PeerProtocol.Accept, accept);
            Assert.Equal(first, again.Result!.Value.GetProperty("contract_id").GetString());
            return "the first contract again (no second invoice)";
        });

        await AttackAsync("replay an accepted quote with another payment hash", async () =>
        {
            fields["payment_hash"] = HashHex();
            var reply = await mallory.CallAsync(PeerProtocol.Accept, JsonSerializer.Serialize(fields));
            Assert.Equal(1002, reply.Code);
            return "1002";
        });
    }

    [Fact]
    public async Task Another_buyers_contract_cannot_be_read_activated_or_refreshed()
    {
        var alices = await HonestPurchaseAsync();
        var mallory = NewPeer();
        var paymentHash = seller.Seller.Contracts.FindLive(alices.Id)!.PaymentHash;
        foreach (var (method, parameters) in new[]
        {
            (PeerProtocol.Status, new { contract_id = alices.Id } as object),
            (PeerProtocol.Activate, new { contract_id = alices.Id, payment_hash = paymentHash }),
            (PeerProtocol.Refresh, new { contract_id = alices.Id, duration_seconds = 3600, payment_hash = HashHex() }),
        })
        {
            await AttackAsync($"{method} on another buyer's contract", async () =>
            {
                var reply = await mallory.CallAsync(method, JsonSerializer.Serialize(parameters));
                Assert.Equal(1007, reply.Code);
                return "1007";
            });
        }
    }

    [Fact]
    public async Task Unpaid_accepts_from_a_few_peers_neither_hold_the_pool_nor_stop_an_honest_purchase()
    {
        var freeAddresses = HostileSellerFixture.PoolSize - seller.Take().Leased;
        var hostile = Enumerable.Range(0, (freeAddresses / HostileSellerFixture.Options.MaxUnpaidPerPeer) + 1).Select(_ => NewPeer()).ToList();
        var refused = 0;
        await AttackAsync($"{hostile.Count} peers accept 3 quotes each and never pay (pool of {HostileSellerFixture.PoolSize})", async () =>
        {
            foreach (var peer in hostile)
            {
                for (var i = 0; i < 3; i++)
                {
                    var quote = (await peer.CallAsync(PeerProtocol.Quote, "{\"duration_seconds\":3600}")).Result!.Value;
                    var fields = quote.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
                    fields["buyer_wire_guard_key"] = Key();
                    fields["payment_hash"] = HashHex();
                    var reply = await peer.CallAsync(PeerProtocol.Accept, JsonSerializer.Serialize(fields));
                    if (reply.Code is { } code)
                    {
                        // The pool may be full; a peer's own third accept replaces its oldest instead of being refused.
                        Assert.True(code is 1004 or 1006, $"refused with {code}");
                        refused++;
                    }
                }
            }

            Assert.All(hostile, p => Assert.InRange(seller.Seller.Contracts.Live.Count(c => c.BuyerPubKey == p.PubKey && c.State == SoldContractState.AwaitingPayment), 0, HostileSellerFixture.Options.MaxUnpaidPerPeer));
            Assert.InRange(seller.Take().Leased, 0, HostileSellerFixture.PoolSize);
            return ($"{refused} accepts refused; each peer's third accept replaced its own oldest unpaid contract ({HostileSellerFixture.Options.MaxUnpaidPerPeer} unpaid per peer at most)", 0L);
        }, mayInvoice: true);

        await AttackAsync("an honest purchase while the pool is full of unpaid accepts", async () =>
        {
            var contract = await HonestPurchaseAsync();
            Assert.Equal(SoldContractState.Active, seller.Seller.Contracts.FindLive(contract.Id)!.State);
            return ("bought: the oldest unpaid contract of a peer holding the most was cancelled for it", contract.PriceSat);
        }, mayInvoice: true);
    }

    [Fact]
    public async Task An_accept_refused_after_its_nonce_was_checked_burns_no_nonce_and_can_be_retried()
    {
        var mallory = NewPeer();
        async Task<Dictionary<string, object?>> QuoteAsync()
        {
            var quote = (await mallory.CallAsync(PeerProtocol.Quote, "{\"duration_seconds\":3600}")).Result!.Value;
            var fields = quote.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
            fields["buyer_wire_guard_key"] = Key();
            fields["payment_hash"] = HashHex();
            return fields;
        }

        var first = await QuoteAsync();
        Assert.Null((await mallory.CallAsync(PeerProtocol.Accept, JsonSerializer.Serialize(first))).Code);
        var second = await QuoteAsync();
        await AttackAsync("an accept whose payment hash is another contract's, then the same quote with a hash of its own", async () =>
        {
            // Refused by the seller's node (a payment hash pays one invoice) after the nonce was taken for it.
            var reused = new Dictionary<string, object?>(second) { ["payment_hash"] = first["payment_hash"] };
            Assert.Equal(-32602, (await mallory.CallAsync(PeerProtocol.Accept, JsonSerializer.Serialize(reused))).Code);
            var retried = await mallory.CallAsync(PeerProtocol.Accept, JsonSerializer.Serialize(second));
            Assert.Null(retried.Code);
            return ("-32602, then accepted: the refused accept had not used the nonce", 0L);
        }, mayInvoice: true);
    }

    [Fact]
    public async Task The_same_refresh_asked_again_under_a_new_id_gets_the_invoice_already_issued()
    {
        await using var carol = new TestBuyer(seller.CarolNode, seller.Net.OtherBuyerStore(), null);
        var quote = await carol.RequestQuoteAsync(seller.Net.SellerPubKey, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(30), None);
        var contract = await carol.ConfirmAsync(quote, Honest, None);
        var buyer = HostilePeer.Of(seller.Net.Simulation, "carol", "bob");
        await AttackAsync("the same refresh (same payment hash) again under a new id, as after the seller restarted", async () =>
        {
            var request = JsonSerializer.Serialize(new { contract_id = contract.Id, duration_seconds = 600, payment_hash = HashHex() });
            var first = await buyer.CallAsync(PeerProtocol.Refresh, request);
            var again = await buyer.CallAsync(PeerProtocol.Refresh, request);

            Assert.Null(first.Code);
            Assert.Null(again.Code);
            var invoice = first.Result!.Value.GetProperty("payment_request").GetString();
            Assert.Equal(invoice, again.Result!.Value.GetProperty("payment_request").GetString());
            // Still open: answering the replay did not cancel the invoice the buyer may be paying.
            var hash = Convert.FromHexString(JsonDocument.Parse(request).RootElement.GetProperty("payment_hash").GetString()!);
            Assert.Equal(ImpVpn.Core.Lightning.InvoiceState.Open, (await seller.Net.BobNode.LookupInvoiceAsync(hash, None))!.State);
            return ("the same invoice, still open", 0L);
        }, mayInvoice: true);
    }

    [Fact]
    public async Task A_refresh_flood_on_one_cheap_contract_makes_few_invoices()
    {
        await using var carol = new TestBuyer(seller.CarolNode, seller.Net.OtherBuyerStore(), null);
        var quote = await carol.RequestQuoteAsync(seller.Net.SellerPubKey, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), None);
        var contract = await carol.ConfirmAsync(quote, Honest, None);
        var abuser = HostilePeer.Of(seller.Net.Simulation, "carol", "bob");
        await AttackAsync("300 refresh requests on one 1-minute contract, by its buyer", async () =>
        {
            var ids = Enumerable.Range(0, 300).Select(_ => JsonRpcCodec.NewId()).ToList();
            foreach (var id in ids)
            {
                // Each with a hash of its own, as a buyer making a new preimage each time would.
                var request = JsonSerializer.Serialize(new { contract_id = contract.Id, duration_seconds = 60, payment_hash = HashHex() });
                await abuser.SendAsync(HostilePeer.Request(PeerProtocol.Refresh, request, id));
            }

            var answers = new Dictionary<string, HostilePeer.Reply>();
            while (answers.Count < ids.Count)
            {
                var reply = await abuser.NextAsync();
                if (reply.Id is { } id && ids.Contains(id))
                {
                    answers[id] = reply;
                }
            }

            var invoices = answers.Values.Count(a => a.Code is null);
            Assert.InRange(invoices, 1, HostileSellerFixture.Options.RefreshInvoicesPerContractPerHour);
            Assert.All(answers.Values.Where(a => a.Code is not null), a => Assert.Equal(1005, a.Code));
            return ($"{invoices} invoices, {answers.Count - invoices} refused 1005", 0L);
        }, mayInvoice: true);
    }

    [Fact]
    public async Task A_flood_of_huge_unknown_requests_from_many_peers_is_answered_bounded_and_does_not_stop_a_purchase()
    {
        const int Peers = 9;
        const int PerPeer = 100;
        var peers = Enumerable.Range(0, Peers).Select(_ => NewPeer()).ToList();
        var envelope = HostilePeer.Request("x", "{}", new string('f', 32));
        var method = new string('u', PeerProtocol.MaxMessageBytes - envelope.Length + 1);
        SellerReport.Note($"Before the floods: {HostileSellerFixture.Memory()}.");
        await AttackAsync($"{Peers * PerPeer} requests of {PeerProtocol.MaxMessageBytes:N0} bytes with unknown methods from {Peers} peers, during an honest purchase", async () =>
        {
            var flooding = peers.Select(peer => Task.Run(async () =>
            {
                var ids = new HashSet<string>();
                for (var i = 0; i < PerPeer; i++)
                {
                    var id = JsonRpcCodec.NewId();
                    ids.Add(id);
                    var payload = HostilePeer.Request(method, "{}", id);
                    Assert.Equal(PeerProtocol.MaxMessageBytes, Encoding.UTF8.GetByteCount(payload));
                    await peer.SendAsync(payload);
                }

                var codes = new List<int?>();
                while (codes.Count < PerPeer)
                {
                    var reply = await peer.NextAsync();
                    Assert.True(reply.Id is not null && ids.Contains(reply.Id));
                    Assert.InRange(reply.Bytes, 1, 400);
                    codes.Add(reply.Code);
                }

                return codes;
            })).ToList();
            var purchase = HonestPurchaseAsync();
            var codes = (await Task.WhenAll(flooding)).SelectMany(c => c).ToList();
            var contract = await purchase;

            Assert.Equal(Peers * PerPeer, codes.Count);
            Assert.All(codes, c => Assert.Contains(c, new int?[] { -32601, 1005 }));
            Assert.Equal(SoldContractState.Active, seller.Seller.Contracts.FindLive(contract.Id)!.State);
            var (_, bytes) = seller.Seller.Endpoint.RememberedAnswers;
            Assert.InRange(bytes, 0, HostileSellerFixture.Options.PeerLimits.AnswerBytes);
            return ($"all {codes.Count} answered: {codes.Count(c => c == -32601)} × -32601, {codes.Count(c => c == 1005)} × 1005; honest purchase bought", contract.PriceSat);
        }, mayInvoice: true);
        SellerReport.Note($"After {Peers * PerPeer} requests of {PeerProtocol.MaxMessageBytes:N0} bytes from {Peers} peers: {HostileSellerFixture.Memory()}; answers remembered: {seller.Seller.Endpoint.RememberedAnswers.Count} ({seller.Seller.Endpoint.RememberedAnswers.Bytes:N0} bytes).");
    }
}
