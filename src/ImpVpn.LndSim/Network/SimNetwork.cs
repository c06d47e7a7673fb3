using System.Security.Cryptography;
using System.Threading.Channels;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Crypto;
using InvoiceState = ImpVpn.Lnd.Rpc.Lnrpc.Invoice.Types.InvoiceState;
using PaymentStatus = ImpVpn.Lnd.Rpc.Lnrpc.Payment.Types.PaymentStatus;

namespace ImpVpn.LndSim.Network;

/// <summary>
/// The simulated Lightning network: nodes, peer links, channels, invoices and payments. One lock guards it
/// all, which keeps every state change atomic (the networks are small; simplicity wins over throughput).
/// </summary>
public sealed partial class SimNetwork
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SimNodeState> _nodes = new(StringComparer.Ordinal);
    private readonly List<SimChannel> _channels = [];
    private ulong _nextChannelId = 100_000;
    private ulong _nextAttemptId = 1;
    private ulong _nextHtlcIndex;
    private readonly PaymentLifecycle _lifecycle;

    public SimNetwork(string network, int seed = 1)
    {
        Network = network;
        Random = new Random(seed);
        _lifecycle = new PaymentLifecycle(this);
    }

    /// <summary>How payments travel (latency, splitting); may be switched while running.</summary>
    public SimProfile Profile { get; set; } = SimProfile.Ideal;

    /// <summary>Seeded, so pseudo-random splitting repeats from run to run. Used under the lock only.</summary>
    internal Random Random { get; }

    // The lifecycle and route finder work on the network's state under its lock.
    internal object Gate => _gate;

    internal IReadOnlyList<SimChannel> ChannelList => _channels;

    internal SimNodeState NodeLocked(string name) => _nodes[name];

    internal SimNodeState? ByPubKeyLocked(byte[] pubKey) => _nodes.Values.FirstOrDefault(n => n.Key.PublicKey.AsSpan().SequenceEqual(pubKey));

    internal ulong NextAttemptId() => _nextAttemptId++;

    internal ulong NextHtlcIndex() => _nextHtlcIndex++;

    public string Network { get; }

    /// <summary>As LND: an invoice for another chain (lnbc… on regtest, say) is refused, not decoded or paid.</summary>
    public void EnsureOnThisNetwork(Bolt11Invoice decoded)
    {
        if (decoded.Currency != Bolt11Invoice.CurrencyFor(Network))
        {
            throw SimErrors.Of(StatusCode.Unknown, $"invoice not for current active network '{Network}'");
        }
    }

    /// <summary>How long an ACCEPTED hold invoice keeps its HTLC before the simulated node cancels it back
    /// (a real node does so near the HTLC's CLTV expiry).</summary>
    public TimeSpan HeldHtlcTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public uint BlockHeight { get; set; } = 800;

    public SimNodeState AddNode(string name, string p2pAddress, byte[] macaroon)
    {
        lock (_gate)
        {
            var node = new SimNodeState { Name = name, Key = NodeKey.Generate(), P2pAddress = p2pAddress, Macaroon = macaroon };
            node.Announcements.Add(FirstAnnouncement(name, p2pAddress));
            _nodes.Add(name, node);
            return node;
        }
    }

    public SimNodeState Node(string name)
    {
        lock (_gate)
        {
            return _nodes.TryGetValue(name, out var node) ? node : throw new KeyNotFoundException($"No simulated node named '{name}'.");
        }
    }

    public SimNodeState? ByPubKey(string pubKey)
    {
        // Node keys are lowercase hex (as LND writes them); a key given in capitals names the same node.
        var key = pubKey.ToLowerInvariant();
        lock (_gate)
        {
            return _nodes.Values.FirstOrDefault(n => n.PubKey == key);
        }
    }

    public IReadOnlyList<SimNodeState> Nodes
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Values.ToList();
            }
        }
    }

    public IReadOnlyList<SimChannel> ChannelsOf(string name)
    {
        lock (_gate)
        {
            return _channels.Where(c => c.Involves(name)).ToList();
        }
    }

    public T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    // ---- peers ----

    public void Connect(string a, string b)
    {
        lock (_gate)
        {
            var nodeA = _nodes[a];
            var nodeB = _nodes[b];
            if (nodeA.IsDown || nodeB.IsDown)
            {
                throw SimErrors.Of(StatusCode.Unavailable, "dial tcp: connection refused");
            }

            Link(nodeA, nodeB);
        }
    }

    /// <summary>ConnectPeer as LND answers it: the host must be where the node is; an existing link is an error.</summary>
    public void ConnectByAddress(string from, string pubKey, string host)
    {
        var target = ByPubKey(pubKey) ?? throw SimErrors.Of(StatusCode.Unknown, $"dial tcp {host}: connection refused");
        lock (_gate)
        {
            if (!string.Equals(target.P2pAddress, host, StringComparison.OrdinalIgnoreCase) || target.IsDown)
            {
                throw SimErrors.Of(StatusCode.Unknown, $"dial tcp {host}: connect: connection refused");
            }

            if (_nodes[from].Peers.Contains(target.Name))
            {
                throw SimErrors.Of(StatusCode.Unknown, $"already connected to peer: {pubKey}@{host}");
            }

            if (!HasRestrictedSlotFor(target, from))
            {
                return;
            }
        }

        Connect(from, target.Name);
    }

    public void SetDown(string name, bool down)
    {
        lock (_gate)
        {
            var node = _nodes[name];
            node.IsDown = down;
            if (down)
            {
                foreach (var peer in node.Peers.ToList())
                {
                    Unlink(name, peer);
                }

                // A stopped LND broadcasts nothing: the others keep its last announcement, bits and all, until it
                // comes back and announces itself anew.
                return;
            }

            // LND keeps bits set through peersrpc in memory only and rebuilds its feature sets from its configuration
            // when it starts: back up, it has lost them, and announces itself without them (the others see that
            // after the gossip delay).
            if (!node.Announcements[^1].Features.SetEquals(LndFeatureNames.DefaultNodeAnnouncement))
            {
                Announce(node, a => a with { Features = LndFeatureNames.DefaultNodeAnnouncement });
            }

            // Like LND, a node that comes back reconnects to the peers it has channels with.
            foreach (var channel in _channels.Where(c => c.Involves(name)))
            {
                TryRelink(node, _nodes[channel.Other(name)]);
            }
        }
    }

    // ---- channels ----

    public SimChannel OpenChannel(string from, string to, long capacitySat, long pushSat, FeePolicy? policy = null, bool isPrivate = false)
    {
        if (capacitySat <= 0 || pushSat < 0 || pushSat >= capacitySat)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "funding amount must be positive and larger than the push amount");
        }

        Connect(from, to);
        lock (_gate)
        {
            var channel = new SimChannel
            {
                Id = _nextChannelId++,
                NodeA = from,
                NodeB = to,
                CapacitySat = capacitySat,
                PushSat = pushSat,
                FundingTxid = SimNodeState.Hex(RandomNumberGenerator.GetBytes(32)),
                BalanceAMsat = (capacitySat - pushSat) * 1000,
                BalanceBMsat = pushSat * 1000,
                PolicyA = policy ?? FeePolicy.Default,
                PolicyB = policy ?? FeePolicy.Default,
                IsPrivate = isPrivate,
            };
            _channels.Add(channel);
            return channel;
        }
    }

    // ---- custom messages ----

    public async Task SendCustomMessageAsync(string from, byte[] peerPubKey, uint type, byte[] data, CancellationToken cancellationToken)
    {
        if (type < 32768)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, $"custom message type {type} is below 32768; set protocol.custom-message to allow it");
        }

        if (data.Length > 65533)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "custom message payload exceeds 65533 bytes");
        }

        SimNodeState sender, target;
        lock (_gate)
        {
            sender = _nodes[from];
            target = ByPubKeyLocked(peerPubKey) ?? throw SimErrors.PeerNotConnected();
            if (!sender.Peers.Contains(target.Name) || target.IsDown)
            {
                throw SimErrors.PeerNotConnected();
            }

            if (sender.DropCustomMessages || DropsLinkOnThisMessage(sender, target) || LosesThisMessage(sender, target))
            {
                return;
            }

            RecordMessageBytes(sender, target, data.Length);
        }

        if (sender.CustomMessageDelay > TimeSpan.Zero)
        {
            await Task.Delay(sender.CustomMessageDelay, cancellationToken).ConfigureAwait(false);
        }

        var message = new CustomMessage
        {
            Peer = Google.Protobuf.ByteString.CopyFrom(sender.Key.PublicKey),
            Type = type,
            Data = Google.Protobuf.ByteString.CopyFrom(data),
        };
        lock (_gate)
        {
            foreach (var subscriber in target.CustomMessageSubscribers)
            {
                subscriber.Writer.TryWrite(message);
            }
        }
    }

    public Channel<T> Subscribe<T>(List<Channel<T>> subscribers)
    {
        var channel = System.Threading.Channels.Channel.CreateUnbounded<T>();
        lock (_gate)
        {
            subscribers.Add(channel);
        }

        return channel;
    }

    public void Unsubscribe<T>(List<Channel<T>> subscribers, Channel<T> channel)
    {
        lock (_gate)
        {
            subscribers.Remove(channel);
        }
    }

    // ---- invoices ----

    public SimInvoice AddInvoice(string nodeName, long valueMsat, string memo, byte[] descriptionHash, long expirySeconds,
        byte[]? holdHash, ulong cltvExpiry, bool isPrivate = false)
    {
        if (valueMsat < 0)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "amount cannot be negative");
        }

        var preimage = holdHash is null ? RandomNumberGenerator.GetBytes(32) : null;
        var hash = holdHash ?? SHA256.HashData(preimage!);
        if (hash.Length != 32)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "payment hash must be 32 bytes");
        }

        var expiry = expirySeconds > 0 ? expirySeconds : 86400;
        var secret = RandomNumberGenerator.GetBytes(32);
        lock (_gate)
        {
            var node = _nodes[nodeName];
            var key = SimNodeState.Hex(hash);
            if (node.Invoices.ContainsKey(key))
            {
                throw SimErrors.Of(StatusCode.AlreadyExists, "invoice with payment hash already exists");
            }

            var created = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            // As LND: hints only when the caller asks for a private invoice, one per private channel of the payee.
            var hints = isPrivate ? RouteHints.ForInvoice(_channels, nodeName, n => _nodes[n]) : [];
            var encoded = new Bolt11Invoice(
                Bolt11Invoice.CurrencyFor(Network), valueMsat == 0 ? null : valueMsat, created, hash, secret,
                descriptionHash.Length == 0 ? memo : null, descriptionHash.Length == 0 ? null : descriptionHash,
                expiry, cltvExpiry == 0 ? 80 : (long)cltvExpiry, node.Key.PublicKey)
            {
                RouteHints = hints.Select(IReadOnlyList<Bolt11HopHint> (h) => [h]).ToList(),
            };
            var request = node.TamperNextInvoice is { } tampering
                ? InvoiceTamperer.Encode(encoded, node.Key, tampering)
                : Bolt11Encoder.Encode(encoded, node.Key);
            node.TamperNextInvoice = null;
            var invoice = new SimInvoice
            {
                PaymentHash = hash,
                Preimage = preimage,
                IsHold = holdHash is not null,
                ValueMsat = valueMsat,
                Memo = memo,
                DescriptionHash = descriptionHash,
                ExpirySeconds = expiry,
                Created = created,
                PaymentRequest = request,
                PaymentAddress = secret,
                CltvExpiry = cltvExpiry == 0 ? 80 : cltvExpiry,
                AddIndex = node.NextAddIndex++,
                IsPrivate = isPrivate,
                RouteHints = hints.Select(h => RouteHints.ToProto([h])).ToList(),
            };
            node.Invoices.Add(key, invoice);
            PublishInvoice(node, invoice);
            return invoice;
        }
    }

    public SimInvoice? LookupInvoice(string nodeName, byte[] hash)
    {
        lock (_gate)
        {
            return _nodes[nodeName].Invoices.GetValueOrDefault(SimNodeState.Hex(hash));
        }
    }

    public void SettleHoldInvoice(string nodeName, byte[] preimage)
    {
        lock (_gate)
        {
            var node = _nodes[nodeName];
            var invoice = node.Invoices.GetValueOrDefault(SimNodeState.Hex(SHA256.HashData(preimage))) ?? throw SimErrors.UnknownInvoice();
            switch (invoice.State)
            {
                case InvoiceState.Settled:
                    return;
                case InvoiceState.Open:
                    throw SimErrors.Of(StatusCode.Unknown, "invoice still open");
                case InvoiceState.Canceled:
                    throw SimErrors.Of(StatusCode.Unknown, "invoice already canceled");
            }

            _lifecycle.SettleLocked(node, invoice, preimage);
        }
    }

    public void CancelInvoice(string nodeName, byte[] hash)
    {
        lock (_gate)
        {
            var node = _nodes[nodeName];
            var invoice = node.Invoices.GetValueOrDefault(SimNodeState.Hex(hash)) ?? throw SimErrors.UnknownInvoice();
            CancelLocked(node, invoice);
        }
    }

    private void CancelLocked(SimNodeState node, SimInvoice invoice)
    {
        if (invoice.State == InvoiceState.Settled)
        {
            throw SimErrors.Of(StatusCode.Unknown, "invoice already settled");
        }

        if (invoice.State == InvoiceState.Canceled)
        {
            return;
        }

        invoice.HeldPayment = null;
        var cancelled = PaymentLifecycle.CancelHtlcsLocked(invoice);
        invoice.State = InvoiceState.Canceled;
        PublishInvoice(node, invoice);
        _lifecycle.FailBackCancelled(cancelled);
    }

    internal static void MarkSettled(SimNodeState node, SimInvoice invoice)
    {
        invoice.State = InvoiceState.Settled;
        invoice.SettleDate = DateTimeOffset.UtcNow;
        invoice.SettleIndex = node.NextSettleIndex++;
        invoice.HeldPayment = null;
        PublishInvoice(node, invoice);
    }

    internal static void PublishInvoice(SimNodeState node, SimInvoice invoice)
    {
        var message = invoice.ToProto();
        foreach (var subscriber in node.InvoiceSubscribers)
        {
            subscriber.Writer.TryWrite(message);
        }

        invoice.Changed.TrySetResult();
        invoice.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // ---- payments (their life is in PaymentLifecycle) ----

    /// <summary>Starts a payment; under the Ideal profile it has reached the payee (and, for an ordinary invoice,
    /// completed) when this returns. The result says where it stands. Throws for calls LND refuses outright (bad
    /// request, a payment already made or in flight).</summary>
    public SimPayment Pay(string payerName, string paymentRequest, long feeLimitMsat) => Pay(payerName, paymentRequest, new SendOptions(feeLimitMsat));

    public SimPayment Pay(string payerName, string paymentRequest, SendOptions options, IReadOnlyList<IReadOnlyList<Bolt11HopHint>>? extraHints = null)
    {
        var decoded = DecodeForPayment(paymentRequest);
        if (decoded.AmountMsat is not { } amount)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "amount must be specified when paying a zero amount invoice");
        }

        // LND refuses an expired payment request before it creates any payment (TrackPaymentV2 then finds none).
        if (decoded.ExpiresAt < DateTimeOffset.UtcNow)
        {
            throw SimErrors.Of(StatusCode.Unknown, $"invoice expired. Valid until {decoded.ExpiresAt:yyyy-MM-dd HH:mm:ss} +0000 UTC");
        }

        var hints = decoded.RouteHints.Concat(extraHints ?? []).ToList();
        var target = new PaymentTarget(decoded.Payee, amount, decoded.PaymentHash, decoded.PaymentSecret, (uint)decoded.MinFinalCltvExpiry, hints);
        return Send(payerName, paymentRequest, target, options);
    }

    /// <summary>Decodes a payment request for this network, or throws as LND's call does (<paramref name="code"/>:
    /// SendPaymentV2 answers InvalidArgument, EstimateRouteFee Unknown).</summary>
    internal Bolt11Invoice DecodeForPayment(string paymentRequest, StatusCode code = StatusCode.InvalidArgument)
    {
        Bolt11Invoice decoded;
        try
        {
            decoded = Bolt11Decoder.Decode(paymentRequest);
        }
        catch (Bolt11FormatException e)
        {
            throw SimErrors.Of(code, $"invalid payment request: {e.Message}");
        }

        EnsureOnThisNetwork(decoded);
        return decoded;
    }

    /// <summary>Records the payment (refusing a second one for a hash paid or in flight) and sets it going.</summary>
    internal SimPayment Send(string payerName, string paymentRequest, PaymentTarget target, SendOptions options)
    {
        SimPayment payment;
        lock (_gate)
        {
            var payer = _nodes[payerName];
            if (payer.Key.PublicKey.AsSpan().SequenceEqual(target.PayeePubKey))
            {
                throw SimErrors.Of(StatusCode.Unknown, "self-payments not allowed");
            }

            var key = SimNodeState.Hex(target.PaymentHash);
            if (payer.Payments.TryGetValue(key, out var existing))
            {
                if (existing.Status == PaymentStatus.Succeeded)
                {
                    throw SimErrors.AlreadyPaid();
                }

                if (existing.Status == PaymentStatus.InFlight)
                {
                    throw SimErrors.InTransition();
                }
            }

            payment = new SimPayment
            {
                PaymentHash = target.PaymentHash,
                PaymentRequest = paymentRequest,
                ValueMsat = target.AmountMsat,
                Index = payer.NextPaymentIndex++,
                Created = DateTimeOffset.UtcNow,
                PaymentAddress = target.PaymentAddress,
                BlockHeight = BlockHeight,
            };
            payer.Payments[key] = payment;

            if (payer.FailNextPayment is { } forced && !options.IsProbe)
            {
                payer.FailNextPayment = null;
                PaymentLifecycle.FinishLocked(payment, PaymentStatus.Failed, forced);
                return payment;
            }
        }

        _lifecycle.Start(payerName, payment, target, options);
        return payment;
    }

    public SimPayment? FindPayment(string nodeName, byte[] hash)
    {
        lock (_gate)
        {
            return _nodes[nodeName].Payments.GetValueOrDefault(SimNodeState.Hex(hash));
        }
    }

    internal void CancelWhenHeldTooLong(SimNodeState payee, SimInvoice invoice, SimPayment payment) =>
        _ = CancelWhenHeldTooLongAsync(payee, invoice, payment);

    private async Task CancelWhenHeldTooLongAsync(SimNodeState payee, SimInvoice invoice, SimPayment payment)
    {
        await Task.Delay(HeldHtlcTimeout).ConfigureAwait(false);
        lock (_gate)
        {
            if (invoice.HeldPayment == payment && invoice.State == InvoiceState.Accepted)
            {
                CancelLocked(payee, invoice);
            }
        }
    }

    // ---- balances ----

    public (long LocalMsat, long RemoteMsat) ChannelBalance(string nodeName)
    {
        lock (_gate)
        {
            var channels = _channels.Where(c => c.Involves(nodeName)).ToList();
            return (channels.Sum(c => c.LocalMsat(nodeName)), channels.Sum(c => c.LocalMsat(c.Other(nodeName))));
        }
    }
}
