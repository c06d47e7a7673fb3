using System.Collections.Concurrent;
using System.Net;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Seller;

/// <summary>
/// The seller: answers quote, accept, activate, refresh and status over custom peer messages; issues hold invoices;
/// adds the buyer's WireGuard peer before it settles (and cancels, refunding the buyer, when it cannot); removes
/// peers when contracts expire; and on start re-applies what the store says is active.
/// </summary>
public sealed partial class VpnProvider : IAsyncDisposable
{
    private readonly ILightningNode _node;
    private readonly WireGuardHost _wireGuard;
    private readonly ContractStore _store;
    private readonly ProviderOptions _options;
    private readonly IProgressLog _log;
    private readonly TimeProvider _clock;
    private readonly PeerRpcEndpoint _rpc;
    private readonly AddressPool _pool;
    private readonly QuoteRateLimiter _rateLimiter;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _usedNonces = new();
    private readonly SemaphoreSlim _contractGate = new(1, 1);
    private QuotePromise _promise = null!;
    private WireGuardPrivateKey _wireGuardKey = null!;
    private string _myPubKey = string.Empty;

    public VpnProvider(ILightningNode node, WireGuardHost wireGuard, ContractStore store, ProviderOptions options, IProgressLog? log = null, TimeProvider? clock = null)
    {
        _node = node;
        _wireGuard = wireGuard;
        _store = store;
        _options = options;
        _log = log ?? NullProgressLog.Instance;
        _clock = clock ?? TimeProvider.System;
        _rpc = new PeerRpcEndpoint(node, _log);
        _pool = new AddressPool(options.Subnet);
        _rateLimiter = new QuoteRateLimiter(options.QuotesPerPeerPerMinute, _clock);
    }

    public WireGuardPublicKey PublicKey => _wireGuardKey.PublicKey;

    /// <summary>Starts serving: loads keys, brings up the interface, re-applies active contracts, drops expired ones,
    /// then answers peers until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.ExpiryCheckInterval, _clock, cancellationToken).ConfigureAwait(false);
                try
                {
                    await ExpireAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is LightningException or WireGuardException or IOException)
                {
                    // One round that could not finish (the node restarting, an interface gone) must not stop the
                    // seller: what was not done is still due, and the next round tries again.
                    _log.Log(LogLevel.Warning, $"Expiry check failed, retrying in {_options.ExpiryCheckInterval.TotalSeconds:0} s: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _log.Log(LogLevel.Verbose, "Provider stopping.");
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _myPubKey = (await _node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        _promise = new QuotePromise(Convert.FromHexString(LoadOrCreateSecret("provider-promise.secret", () => Convert.ToHexString(QuotePromise.NewSecret()))));
        _wireGuardKey = WireGuardPrivateKey.Parse(LoadOrCreateSecret("provider-wireguard.key", () => WireGuardPrivateKey.Generate().RevealBase64()));

        if (!_options.ConfigOnly)
        {
            await EnsureInterfaceAsync(cancellationToken).ConfigureAwait(false);
        }

        await ReapplyAsync(cancellationToken).ConfigureAwait(false);
        _rpc.Handle(PeerProtocol.Quote, (peer, p, ct) => Guard(() => QuoteAsync(peer, JsonRpcCodec.ReadPayload<QuoteRequest>(p))));
        _rpc.Handle(PeerProtocol.Accept, (peer, p, ct) => Guard(() => AcceptAsync(peer, JsonRpcCodec.ReadPayload<AcceptRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Activate, (peer, p, ct) => Guard(() => ActivateAsync(peer, JsonRpcCodec.ReadPayload<ActivateRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Refresh, (peer, p, ct) => Guard(() => RefreshAsync(peer, JsonRpcCodec.ReadPayload<RefreshRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Status, (peer, p, ct) => Guard(() => StatusAsync(peer, JsonRpcCodec.ReadPayload<StatusRequest>(p))));
        _rpc.Start();
        _log.Log(LogLevel.Info, $"Selling tunnels on {_options.Endpoint} as {_myPubKey}, WireGuard key {PublicKey}, pool {_options.Subnet}.");
    }

    private static async Task<object> Guard(Func<Task<object>> handler) => await handler().ConfigureAwait(false);

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

    private async Task EnsureInterfaceAsync(CancellationToken cancellationToken)
    {
        if (await _wireGuard.Devices.GetDeviceAsync(_options.InterfaceName, cancellationToken).ConfigureAwait(false) is null)
        {
            await _wireGuard.Links.CreateInterfaceAsync(_options.InterfaceName, new InterfaceOptions
            {
                PrivateKey = _wireGuardKey,
                ListenPort = _options.ListenPort,
                Addresses = [new IpPrefix(_pool.SellerAddress, _options.Subnet.PrefixLength)],
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _wireGuard.Devices.ConfigureDeviceAsync(_options.InterfaceName,
                new DeviceConfig { PrivateKey = _wireGuardKey, ListenPort = _options.ListenPort }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReapplyAsync(CancellationToken cancellationToken)
    {
        foreach (var stored in _store.All(ReportUnreadable).Where(c => c.Role == ContractRole.Seller))
        {
            var contract = await FinishSettlementAsync(stored, cancellationToken).ConfigureAwait(false);
            if (contract.State is ContractState.Active or ContractState.AwaitingPayment && contract.BuyerAddress.Length > 0)
            {
                _pool.Reserve(IPAddress.Parse(contract.BuyerAddress));
            }

            if (contract.State == ContractState.Active && contract.ExpiresAt > _clock.GetUtcNow() && !_options.ConfigOnly)
            {
                await AddPeerAsync(contract, cancellationToken).ConfigureAwait(false);
                _log.Log(LogLevel.Verbose, $"Re-applied contract {contract.Id} until {contract.ExpiresAt:u}.");
            }
        }

        await ExpireAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<object> StatusAsync(string peer, StatusRequest request)
    {
        var contract = OwnContract(peer, request.ContractId);
        return Task.FromResult<object>(new StatusResponse(contract.Id, contract.State.ToString(), contract.ExpiresAt?.ToUnixTimeSeconds() ?? 0));
    }

    private ContractRecord OwnContract(string peer, string id)
    {
        ContractRecord? contract = null;
        try
        {
            contract = _store.Find(id);
        }
        catch (ArgumentException)
        {
        }

        return contract is not null && contract.Role == ContractRole.Seller && contract.PeerPubKey == peer
            ? contract
            : throw new ProtocolException(ProtocolErrorCode.UnknownContract, "No such contract with you.");
    }

    // One unreadable file must not stop a seller serving every other contract; a person has to look at it.
    private void ReportUnreadable(CorruptContractException e) => _log.Log(LogLevel.Warning, e.Message);

    private async Task RemovePeerAsync(ContractRecord contract, CancellationToken cancellationToken)
    {
        if (!_options.ConfigOnly)
        {
            await _wireGuard.Devices.ConfigureDeviceAsync(_options.InterfaceName,
                new DeviceConfig { Peers = [PeerConfig.Removal(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))] }, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task AddPeerAsync(ContractRecord contract, CancellationToken cancellationToken) =>
        _wireGuard.Devices.ConfigureDeviceAsync(_options.InterfaceName, new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))
                {
                    ReplaceAllowedIps = true,
                    AllowedIps = [IpPrefix.Parse(contract.BuyerAddress)],
                },
            ],
        }, cancellationToken);

    private ActivateResponse Describe(ContractRecord contract) => new(
        contract.Id,
        contract.SellerWireGuardKey,
        contract.Endpoint,
        contract.BuyerAddress,
        contract.SellerAddress,
        contract.AllowedIps,
        contract.ExpiresAt?.ToUnixTimeSeconds() ?? 0);

    // The protocol carries times as Unix seconds; keeping whole seconds here makes both sides' records agree.
    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    public ValueTask DisposeAsync() => _rpc.DisposeAsync();
}
