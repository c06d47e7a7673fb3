using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The seller: on start it takes the store's seller role (one seller per store), loads its contracts, brings up
/// its interface, finishes what a previous run left (settles, expires, re-adds active peers), and then answers
/// quote, accept, activate, claim, refresh and status over custom peer messages (protocol version 2, and version 1
/// until its stated end) and runs the expiry round. The work itself is done by <see cref="QuoteDesk"/>,
/// <see cref="Acceptance"/>, <see cref="Activation"/>, <see cref="Claim"/>, <see cref="Extension"/>,
/// <see cref="HoldInvoiceSettlement"/>, <see cref="ExpiryRound"/>, <see cref="PeerProvisioning"/> and
/// <see cref="BuyerReach"/> over <see cref="SoldContracts"/>.
/// </summary>
public sealed class VpnSeller : IAsyncDisposable
{
    // The secret files keep the names earlier versions gave them: renaming would cost a running seller its
    // WireGuard key (every buyer's configuration) and the secret its open quotes were promised under.
    private const string PromiseSecretName = "provider-promise.secret";
    private const string WireGuardKeyName = "provider-wireguard.key";

    private readonly ILightningNode _node;
    private readonly WireGuardHost? _wireGuard;
    private readonly ContractStore _store;
    private readonly SellerOptions _options;
    private readonly IProgressLog _log;
    private readonly TimeProvider _clock;
    private readonly PeerRpcEndpoint _rpc;
    private readonly SellerAdvertisement _advertisement;
    private readonly CancellationTokenSource _stopRequested = new();
    private volatile bool _withdrawRequested;
    private IDisposable? _role;
    private Running? _running;

    // The control channel (SellerControl): another process's way to see and stop this seller.
    private SellerControl? _control;
    private DateTimeOffset _startedAt;

    public VpnSeller(ILightningNode node, WireGuardHost? wireGuard, ContractStore store, SellerOptions options, IProgressLog? log = null, TimeProvider? clock = null)
    {
        _node = node;
        _wireGuard = wireGuard;
        _store = store;
        _options = options;
        _log = log ?? NullProgressLog.Instance;
        _clock = clock ?? TimeProvider.System;
        _rpc = new PeerRpcEndpoint(node, _log, options.PeerLimits, _clock);
        _advertisement = new SellerAdvertisement(node, _log, _clock, options.AdvertisementRefreshInterval, options.AdvertisementTimeout);
    }

    /// <summary>Whether the seller's feature bit is in its node's announcement (set at start, cleared at stop).</summary>
    public bool Advertised => _advertisement.Advertised;

    /// <summary>How the seller connects to its own forwarded ports before settling a port forward (the host's network
    /// by default; a test gives the seller's namespace).</summary>
    public IConnectBack ConnectBack { get; init; } = new SocketConnectBack();

    /// <summary>The seller's WireGuard public key (known once started).</summary>
    public WireGuardPublicKey PublicKey => Started.WireGuardKey;

    /// <summary>The contracts this seller holds (once started).</summary>
    public SoldContracts Contracts => Started.Contracts;

    /// <summary>The peer endpoint, for what it remembers (answers, tracked peers).</summary>
    public PeerRpcEndpoint Endpoint => _rpc;

    private Running Started => _running ?? throw new InvalidOperationException("The seller has not been started.");

    /// <summary>Whether the seller was asked to take its interface and firewall off the host when it stops.</summary>
    public bool WithdrawRequested => _withdrawRequested;

    /// <summary>Ends <see cref="RunAsync"/> as its token would, from any thread; with <paramref name="withdraw"/>
    /// the seller also takes its interface, its buyers' peers and its firewall table off the host as it stops.</summary>
    public void RequestStop(bool withdraw)
    {
        if (withdraw)
        {
            _withdrawRequested = true;
        }

        try
        {
            _stopRequested.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed: stopped already.
        }
    }

    /// <summary>What the seller says about itself (once started): see <see cref="SellerStatus"/>.</summary>
    public SellerStatus Status()
    {
        var running = Started;
        var pool = AddressPoolUse.Of(running.Pool);
        return new SellerStatus
        {
            ProcessId = Environment.ProcessId,
            StartedAt = _startedAt,
            NodePubKey = running.PubKey,
            Endpoint = _options.Endpoint,
            InterfaceName = _options.InterfaceName,
            ListenPort = _options.ListenPort,
            ConfigOnly = _options.ConfigOnly,
            Subnet = pool.Subnet.ToString(),
            PoolLeased = pool.Leased,
            PoolFree = pool.Free,
            OpenContracts = running.Contracts.Open,
            ActiveContracts = running.Contracts.Active,
            PricePerHourSat = _options.Pricing.PricePerHourSat,
            Modes = [.. _options.SoldModes.Select(m => m.ToString())],
            Region = _options.Region,
            Version = CoreVersion.Text,
        };
    }

    /// <summary>Starts serving (see <see cref="StartAsync"/>), then runs the expiry round every
    /// <see cref="SellerOptions.ExpiryCheckInterval"/> until <paramref name="cancellationToken"/> is cancelled or
    /// <see cref="RequestStop"/> is called; then stops (see <see cref="StopAsync"/>).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopRequested.Token);
        // A start that fails cleans up after itself (StartAsync); from then on, this run stops the seller.
        await StartAsync(running.Token).ConfigureAwait(false);
        try
        {
            await ServeAsync(running.Token).ConfigureAwait(false);
        }
        finally
        {
            // However it ends (stopped, or failed), it ends as StopAsync says.
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The started seller's expiry round, every <see cref="SellerOptions.ExpiryCheckInterval"/>, until
    /// <paramref name="cancellationToken"/> is cancelled or <see cref="RequestStop"/> is called. Apart from
    /// <see cref="StartAsync"/> and <see cref="StopAsync"/> so that a host can say it is ready between the first two
    /// (the daemon's readiness means the seller has really started).</summary>
    public async Task ServeAsync(CancellationToken cancellationToken)
    {
        _ = Started;
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopRequested.Token);
        try
        {
            while (!running.IsCancellationRequested)
            {
                await Task.Delay(_options.ExpiryCheckInterval, _clock, running.Token).ConfigureAwait(false);
                try
                {
                    await ExpireAsync(running.Token).ConfigureAwait(false);
                    await _advertisement.RefreshAsync(running.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is LightningException or WireGuardException or IOException)
                {
                    // One round that could not finish (the node restarting, an interface gone) must not stop the
                    // seller: what was not done is still due, and the next round tries again.
                    _log.Log(LogLevel.Warning, $"Expiry check failed, retrying in {_options.ExpiryCheckInterval.TotalSeconds:0} s: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            _log.Log(LogLevel.Verbose, "Seller stopping.");
        }
    }

    /// <summary>Stops answering peers (waiting for the requests being answered) and the expiry loop, then, where the
    /// seller cannot leave its host fail closed, takes itself off it (<see cref="SellerWithdrawal"/>), releases
    /// the store's seller role, and last closes its control socket. Left in place otherwise: the interface and its paid peers, each admitted by the
    /// firewall only until its time is up, so a restart does not cut tunnels and a stopped seller still enforces
    /// expiry. Safe to call more than once.</summary>
    /// <remarks>Withdrawn when asked (<see cref="RequestStop"/>), and always when the seller does not manage the
    /// firewall: nothing would then end an expired buyer's access while no seller runs. Only by a seller that held
    /// the store's seller role: one refused it must not take away the interface of the seller that holds it.</remarks>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        RequestStop(withdraw: false);
        // Each step runs whatever the one before it did. The control socket closes last: a process that asked this
        // seller to stop waits for the socket to close, and must then find the store free.
        try
        {
            // Out of the graph first, while it still answers: a buyer that finds it meanwhile still gets an offer.
            await WithdrawAdvertisementAsync(cancellationToken).ConfigureAwait(false);
            await _rpc.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await WithdrawIfDueAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    ReleaseRole();
                }
                finally
                {
                    await CloseControlAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Whether a withdrawal was carried out (asked for, or due for lack of the firewall).</summary>
    public bool Withdrawn { get; private set; }

    /// <summary>Takes the seller role on the store (<see cref="StoreBusyException"/> when another seller holds it),
    /// loads keys and contracts, brings up the interface, settles and expires what a previous run left, re-adds the
    /// peers of active contracts, and begins answering peers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_running is not null)
        {
            throw new InvalidOperationException("The seller is running already.");
        }

        // A seller must not take payments for exits it cannot deliver: refused before anything is touched.
        SellerExitCheck.Check(_options);
        // Port forwards sold that cannot be delivered: refused before anything is taken or touched.
        PortForwardStartCheck.Require(_options, _wireGuard);
        // A region label buyers would refuse is refused before the seller starts with it.
        SellerOptions.ValidRegion(_options.Region);

        // Two sellers on one store would each trust their own index of it and overwrite each other's contracts.
        _role = _store.HoldRole("seller");
        try
        {
            var running = await OpenAsync(cancellationToken).ConfigureAwait(false);
            _running = running;
            // Version 2: the buyer makes the preimage and claims once its tunnel works.
            Serve(running, PeerProtocol.Quote, PeerProtocol.Accept, PeerProtocol.Activate, PeerProtocol.Refresh, PeerProtocol.Status, buyerMakesPreimage: true);
            _rpc.Handle(PeerProtocol.Claim, async (peer, p, ct) =>
                await running.Claim.ClaimAsync(peer, JsonRpcCodec.ReadPayload<ClaimRequest>(p), ct).ConfigureAwait(false));
            // Stateless: what this seller sells, for buyers choosing a seller.
            // Params are read (an object, possibly empty) so a malformed request is -32602 like any other method's.
            _rpc.Handle(PeerProtocol.Offer, (peer, p, _) =>
            {
                JsonRpcCodec.ReadPayload<OfferRequest>(p);
                return Task.FromResult<object>(running.Quotes.Offer(peer, running.Contracts.Active));
            });
            // Version 1, deprecated (docs/protocol.md): answered for buyers of ImpVpn 0.1 until 0.4.0.
            Serve(running, PeerProtocol.V1.Quote, PeerProtocol.V1.Accept, PeerProtocol.V1.Activate, PeerProtocol.V1.Refresh, PeerProtocol.V1.Status, buyerMakesPreimage: false);
            _rpc.Start();
            _startedAt = _clock.GetUtcNow();
            _control = SellerControl.TryListen(_store.Root, Status, RequestStop, _log);
            // Last: buyers who find the bit find a seller that answers.
            await _advertisement.AdvertiseAsync(cancellationToken).ConfigureAwait(false);
            _log.Log(LogLevel.Info, $"Selling tunnels on {_options.Endpoint} as {running.PubKey}, WireGuard key {running.WireGuardKey}, pool {_options.Subnet}.");
        }
        catch
        {
            _running = null;
            try
            {
                await WithdrawAdvertisementAsync(CancellationToken.None).ConfigureAwait(false);
                // A seller that made its interface and then failed must not leave it open where nothing guards it.
                await WithdrawIfDueAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    ReleaseRole();
                }
                finally
                {
                    await CloseControlAsync().ConfigureAwait(false);
                }
            }

            throw;
        }
    }

    /// <summary>One expiry round now: removes expired tunnels, lets unpaid invoices lapse, and settles what a failed
    /// settle left held. The seller runs it on its own; tests and restarts run it at once.</summary>
    public Task ExpireAsync(CancellationToken cancellationToken) => Started.Round.RunAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Disposed without being stopped: it sells no more, so it leaves the graph too.
            await WithdrawAdvertisementAsync(CancellationToken.None).ConfigureAwait(false);
            await _rpc.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                ReleaseRole();
            }
            finally
            {
                await CloseControlAsync().ConfigureAwait(false);
                _stopRequested.Dispose();
                _advertisement.Dispose();
            }
        }
    }

    private async Task<Running> OpenAsync(CancellationToken cancellationToken)
    {
        var pubKey = (await _node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        var promise = new QuotePromise(Convert.FromHexString(LoadOrCreateSecret(PromiseSecretName, () => Convert.ToHexString(QuotePromise.NewSecret()))));
        var wireGuardKey = WireGuardPrivateKey.Parse(LoadOrCreateSecret(WireGuardKeyName, () => WireGuardPrivateKey.Generate().RevealBase64()));
        var pool = new AddressPool(_options.Subnet);
        var contracts = SoldContracts.Load(_store, pool, _log);
        var provisioning = new PeerProvisioning(_wireGuard, _options, wireGuardKey, pool.SellerTunnelAddress, _clock, _log);
        var settlement = new HoldInvoiceSettlement(_node, contracts, provisioning, _log);
        var limits = new SellerLoadLimits(contracts, pool, settlement, _options, _clock, _log);
        var extension = new Extension(_node, contracts, settlement, limits, provisioning, _options, pubKey, _clock, _log);
        var running = new Running(
            pubKey,
            wireGuardKey.PublicKey,
            contracts,
            pool,
            new QuoteDesk(_options, promise, _clock, _log),
            new Acceptance(_node, contracts, pool, limits, _options, pubKey, wireGuardKey.PublicKey, _clock, _log),
            new Activation(_node, contracts, settlement, provisioning, extension, _options, _clock, _log),
            extension,
            new Claim(contracts, settlement, provisioning, _log, new ConnectBackCheck(contracts, _options, ConnectBack, _log)),
            new ExpiryRound(contracts, settlement, provisioning, _clock, _log));

        running.Quotes.RememberAccepted(contracts.Live);
        await new BuyerReach(_wireGuard, _options, pool.SellerTunnelAddress, _log)
            .CloseHostAsync(PeerProvisioning.Admissions(contracts.Live, _clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await provisioning.EnsureInterfaceAsync(cancellationToken).ConfigureAwait(false);
        // What the last run left: settled or cancelled, expired or lapsed first, so that only what is still active
        // gets its peer back.
        await running.Round.RunAsync(cancellationToken).ConfigureAwait(false);
        await provisioning.ReconcileAsync(contracts.Live, _clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return running;
    }

    /// <summary>One protocol version's methods. Versions differ only in who makes the preimage: under version 2 the
    /// buyer sends its payment hash with accept and refresh, and the seller settles only once the buyer claims.</summary>
    private void Serve(Running running, string quote, string accept, string activate, string refresh, string status, bool buyerMakesPreimage)
    {
        _rpc.Handle(quote, (peer, p, _) =>
            Task.FromResult<object>(running.Quotes.Quote(peer, JsonRpcCodec.ReadPayload<QuoteRequest>(p))));
        _rpc.Handle(accept, async (peer, p, ct) =>
        {
            var request = JsonRpcCodec.ReadPayload<AcceptRequest>(p);
            var hash = buyerMakesPreimage ? PaymentHashes.ParseHex32(request.PaymentHash, "payment hash") : null;
            if (!buyerMakesPreimage)
            {
                _log.Log(LogLevel.Warning, $"{peer[..16]}… accepts with protocol version 1, which sellers answer until ImpVpn 0.4.0; its buyer should upgrade.");
            }

            WireGuardPublicKey buyerKey;
            try
            {
                buyerKey = running.Quotes.Honour(peer, request);
            }
            catch (ProtocolException e) when (e.Code == ProtocolErrorCode.NonceReused && hash is not null
                && running.Contracts.AcceptedEarlier(peer, request.Nonce, Convert.ToHexString(hash)) is { } earlier)
            {
                // The same accept again (same buyer, quote and payment hash) whose answer was lost, e.g. to a restart
                // of this seller, which forgets the answers it gave: it gets that answer, not a refusal.
                return new AcceptResponse(earlier.Id, earlier.PaymentRequest, earlier.BuyerTunnelAddress);
            }

            try
            {
                return await running.Acceptance.AcceptAsync(peer, request, buyerKey, hash, ct).ConfigureAwait(false);
            }
            catch
            {
                // The nonce is spent only by an accept that succeeded: a refused one can be tried again.
                running.Quotes.Unreserve(request.Nonce);
                throw;
            }
        });
        _rpc.Handle(activate, async (peer, p, ct) =>
            await running.Activation.ActivateAsync(peer, JsonRpcCodec.ReadPayload<ActivateRequest>(p), ct).ConfigureAwait(false));
        _rpc.Handle(refresh, async (peer, p, ct) =>
        {
            var request = JsonRpcCodec.ReadPayload<RefreshRequest>(p);
            var hash = buyerMakesPreimage ? PaymentHashes.ParseHex32(request.PaymentHash, "payment hash") : null;
            return await running.Extension.OfferAsync(peer, request, hash, ct).ConfigureAwait(false);
        });
        _rpc.Handle(status, (peer, p, _) =>
            Task.FromResult<object>(running.Contracts.SoldTo(peer, JsonRpcCodec.ReadPayload<StatusRequest>(p).ContractId).Status()));
    }

    private string LoadOrCreateSecret(string name, Func<string> create)
    {
        if (_store.ReadSecret(name) is { } existing)
        {
            return existing.Trim();
        }

        var value = create();
        _store.SaveSecret(name, value);
        return value;
    }

    /// <summary>Clears the seller's feature bit if a set may have reached the node (the advertisement knows); bounded,
    /// as a stop must end even when the node does not answer.</summary>
    private async Task WithdrawAdvertisementAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(10));
        await _advertisement.WithdrawAsync(bounded.Token).ConfigureAwait(false);
    }

    private async Task WithdrawIfDueAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _role) is null || _options.ConfigOnly || _wireGuard is null || !(_withdrawRequested || !_options.ManageFirewall))
        {
            return;
        }

        if (!_withdrawRequested)
        {
            _log.Log(LogLevel.Warning, $"The firewall is not ImpVpn's, so nothing would end an expired buyer's access while no seller runs: interface {_options.InterfaceName} is removed; a restart puts back the peers still paid for.");
        }

        await SellerWithdrawal.WithdrawAsync(_wireGuard, _options, _log, cancellationToken).ConfigureAwait(false);
        Withdrawn = true;
    }

    // The control channel closes last, after the role is released: a process waiting for this seller to stop waits
    // for the channel to close. A new seller may take the store between the two, but it listens only after talking
    // to its node and loading its contracts, long after this socket (and the file it removes) is gone.
    // SellerControl.DisposeAsync never throws.
    private async Task CloseControlAsync()
    {
        if (Interlocked.Exchange(ref _control, null) is { } control)
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void ReleaseRole() => Interlocked.Exchange(ref _role, null)?.Dispose();

    /// <summary>What a started seller works with.</summary>
    private sealed record Running(
        string PubKey,
        WireGuardPublicKey WireGuardKey,
        SoldContracts Contracts,
        AddressPool Pool,
        QuoteDesk Quotes,
        Acceptance Acceptance,
        Activation Activation,
        Extension Extension,
        Claim Claim,
        ExpiryRound Round);
}
