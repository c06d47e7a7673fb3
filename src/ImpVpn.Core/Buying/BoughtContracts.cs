using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The buyer's contracts and the secrets of their tunnels, over the store: finding one (or saying it is not
/// there), which are due for a refresh, where a tunnel's private key and wg-quick file live, and the store's lock
/// under which every run that can pay chooses its work.
/// </summary>
public sealed class BoughtContracts
{
    /// <summary>How long a run waits for another to finish paying before it gives up (with StoreBusyException): longer
    /// than one purchase may take in the worst case (an accept, a route probe, a payment held for up to a minute, an
    /// activation asked for up to <see cref="BuyerOptions.ActivationWait"/>, a claim, each with its reply timeout: about
    /// 4 minutes 45 s), so a scheduled refresh started beside a slow purchase waits for it instead of failing.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromMinutes(5);

    private readonly ContractStore _store;
    private readonly ContractShelf<BoughtContract> _shelf;

    public BoughtContracts(ContractStore store)
    {
        _store = store;
        _shelf = store.Shelf<BoughtContract>("bought", "Buyer");
    }

    public string StoreRoot => _store.Root;

    /// <summary>The contract bought under <paramref name="id"/>; <see cref="ContractNotFoundException"/> when there is none.</summary>
    public BoughtContract Get(string id) => Find(id) ?? throw new ContractNotFoundException(id, _store.Root);

    public BoughtContract? Find(string id) => ContractId.IsValid(id) ? _shelf.Find(id) : null;

    /// <summary>Every bought contract, oldest first. Unreadable files throw <see cref="CorruptContractException"/>
    /// unless <paramref name="onUnreadable"/> takes them, in which case the readable ones are still returned.</summary>
    public IReadOnlyList<BoughtContract> All(Action<CorruptContractException>? onUnreadable = null)
    {
        foreach (var leftover in _store.Leftovers())
        {
            (onUnreadable ?? throw leftover)(leftover);
        }

        return _shelf.All(onUnreadable).OrderBy(c => c.CreatedAt).ToList();
    }

    public BoughtContract Save(BoughtContract contract) => _shelf.Save(contract);

    /// <summary>The contract bought with this quote, if any run has bought it: a quote is paid for once. An unreadable
    /// contract file throws (<see cref="CorruptContractException"/>): it might be this quote's, and buying again on a
    /// guess could pay twice.</summary>
    public BoughtContract? FindByQuote(VpnQuote quote) =>
        _shelf.All().FirstOrDefault(c => c.Nonce == quote.Nonce && c.SellerPubKey == quote.SellerPubKey);

    /// <summary>Whether a scheduled run should refresh this contract now: its tunnel is still running and expires
    /// within <paramref name="window"/>, or an earlier run recorded a refresh that must be finished (its expiry may
    /// look past only because the new one was never written). One that has simply expired cannot be refreshed
    /// (the seller has removed it) and is left alone.</summary>
    public static bool IsDueForRefresh(BoughtContract contract, DateTimeOffset now, TimeSpan window) =>
        !contract.TunnelRemoved
        && (contract.RefreshBeingPaid is not null
            || (contract.StateAt(now) == BoughtContractState.Active && contract.ExpiresAt <= now + window));

    public IReadOnlyList<BoughtContract> DueForRefresh(DateTimeOffset now, TimeSpan window, Action<CorruptContractException>? onUnreadable = null) =>
        All(onUnreadable).Where(c => IsDueForRefresh(c, now, window)).ToList();

    public void SavePrivateKey(string id, WireGuardPrivateKey key) => _store.SaveSecret(PrivateKeyName(id), key.RevealBase64());

    /// <summary>The tunnel's private key; null when it is gone (the tunnel was removed, or the store was copied without it).</summary>
    public WireGuardPrivateKey? ReadPrivateKey(string id) =>
        _store.ReadSecret(PrivateKeyName(id)) is { } text ? WireGuardPrivateKey.Parse(text.Trim()) : null;

    /// <summary>Where the store keeps the tunnel's wg-quick file (owner-only; it holds the private key).</summary>
    public string ConfigPath(string id) => _store.SecretPath(id + ".conf");

    /// <summary>Deletes the tunnel's private key and wg-quick file; what is already gone is no error.</summary>
    public void DeleteTunnelSecrets(string id)
    {
        _store.DeleteSecret(PrivateKeyName(id));
        _store.DeleteSecret(id + ".conf");
    }

    /// <summary>Records what a full tunnel (exit) is about to change on this machine, before it changes anything
    /// (owner-only: it may hold the original resolv.conf); kept until the change is undone.</summary>
    public void SaveFullTunnel(string id, FullTunnelPlan plan) =>
        _store.SaveSecret(FullTunnelName(id), System.Text.Json.JsonSerializer.Serialize(plan, FullTunnelJson));

    /// <summary>The full tunnel recorded for this contract and not yet undone; null when there is none.</summary>
    public FullTunnelPlan? ReadFullTunnel(string id) =>
        _store.ReadSecret(FullTunnelName(id)) is { } text ? System.Text.Json.JsonSerializer.Deserialize<FullTunnelPlan>(text, FullTunnelJson) : null;

    public void DeleteFullTunnel(string id) => _store.DeleteSecret(FullTunnelName(id));

    /// <summary>The store's lock: held while a run chooses what to pay for and pays it.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken, IProgressLog? log = null)
    {
        try
        {
            return await _store.LockAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreBusyException)
        {
            log?.Log(LogLevel.Verbose, $"Another ImpVpn process is paying from {_store.Root}; waiting up to {LockWait.TotalMinutes:0} minutes for it to finish.");
            return await _store.LockAsync(LockWait, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string PrivateKeyName(string id) => id + ".key";

    private static string FullTunnelName(string id) => id + ".fulltunnel.json";

    private static readonly System.Text.Json.JsonSerializerOptions FullTunnelJson = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
