using System.Net;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The seller's contracts: the files in <c>contracts/sold/</c>, read once when the seller starts, and an index of
/// them in memory kept in step with every save, so that neither a purchase nor an expiry round reads the store.
/// The index holds the live contracts (open, active, or finished with an invoice still to cancel), counts of open
/// and active ones for the seller's caps, and the live ones ordered by when they next need attention
/// (<see cref="SoldContract.AttentionDueAt"/>), so a round costs what is due, not what is stored. A contract that is
/// finished leaves the index and is moved to <c>archive/</c>, where it is kept but never read again on start.
/// One seller per store (<see cref="ContractStore.HoldRole"/>) makes this memory the only writer of these files.
/// </summary>
public sealed class SoldContracts
{
    private readonly ContractShelf<SoldContract> _shelf;
    private readonly AddressPool _pool;
    private readonly IProgressLog _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _index = new();
    private readonly Dictionary<string, SoldContract> _live = new(StringComparer.Ordinal);

    // The open ones again, apart: every accept looks at them (fair shares), and a seller with thousands of active
    // contracts has few open ones at a time, so an accept reads those, not every live contract.
    private readonly Dictionary<string, SoldContract> _unpaid = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset At, string Id)> _attention = new(AttentionOrder.Instance);
    private int _open;
    private int _active;

    private SoldContracts(ContractShelf<SoldContract> shelf, AddressPool pool, IProgressLog log)
    {
        _shelf = shelf;
        _pool = pool;
        _log = log;
    }

    /// <summary>Open (awaiting payment) contracts.</summary>
    public int Open
    {
        get
        {
            lock (_index)
            {
                return _open;
            }
        }
    }

    /// <summary>Active contracts, counting those whose time has run out until a round expires them.</summary>
    public int Active
    {
        get
        {
            lock (_index)
            {
                return _active;
            }
        }
    }

    /// <summary>Every live contract, in no particular order (a copy).</summary>
    public IReadOnlyList<SoldContract> Live
    {
        get
        {
            lock (_index)
            {
                return _live.Values.ToList();
            }
        }
    }

    /// <summary>Every contract awaiting payment (accepted, not yet activated), in no particular order (a copy).</summary>
    public IReadOnlyList<SoldContract> Unpaid
    {
        get
        {
            lock (_index)
            {
                return _unpaid.Values.ToList();
            }
        }
    }

    /// <summary>When the next live contract needs attention, or null when none will.</summary>
    public DateTimeOffset? NextAttention
    {
        get
        {
            lock (_index)
            {
                return _attention.Count > 0 ? _attention.Min.At : null;
            }
        }
    }

    /// <summary>Reads the live contracts of <paramref name="store"/> (once) and reserves their buyers' addresses in
    /// <paramref name="pool"/>. Finished contracts found live (a crash between saving and archiving, or a store of
    /// schema 1) are archived now. Unreadable files, and files the store could not sort into a role, are reported
    /// to <paramref name="log"/> and left alone.</summary>
    public static SoldContracts Load(ContractStore store, AddressPool pool, IProgressLog? log = null)
    {
        var contracts = new SoldContracts(store.Shelf<SoldContract>("sold", "Seller"), pool, log ?? NullProgressLog.Instance);
        foreach (var leftover in store.Leftovers())
        {
            contracts.ReportUnreadable(leftover);
        }

        foreach (var contract in contracts._shelf.All(contracts.ReportUnreadable))
        {
            if (contract.IsFinished)
            {
                contracts.ArchiveQuietly(contract.Id);
                continue;
            }

            lock (contracts._index)
            {
                contracts.Add(contract);
            }

            if (contract.HoldsAddress && contract.BuyerTunnelAddress.Length > 0)
            {
                pool.Reserve(IPAddress.Parse(contract.BuyerTunnelAddress));
            }
        }

        return contracts;
    }

    /// <summary>The lock every handler and the expiry round hold while they decide on and change contracts, so
    /// that none acts on a copy another is changing. Dispose to release.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(_gate);
    }

    /// <summary>A live contract, from memory.</summary>
    public SoldContract? FindLive(string id)
    {
        lock (_index)
        {
            return _live.GetValueOrDefault(id);
        }
    }

    /// <summary>The contract an accept of <paramref name="buyer"/> made from quote <paramref name="nonce"/> with
    /// <paramref name="paymentHash"/>, still awaiting payment; null when there is none. Read only when that quote is
    /// found used, so the walk over live contracts is paid by repeated accepts alone.</summary>
    public SoldContract? AcceptedEarlier(string buyer, string nonce, string paymentHash)
    {
        lock (_index)
        {
            return _unpaid.Values.FirstOrDefault(c => c.State == SoldContractState.AwaitingPayment
                && c.Nonce == nonce && c.BuyerPubKey == buyer && string.Equals(c.PaymentHash, paymentHash, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>A live contract from memory, or else an archived one (one file read, only for an id not live).</summary>
    public SoldContract? Find(string id)
    {
        if (FindLive(id) is { } live)
        {
            return live;
        }

        try
        {
            return _shelf.FindArchived(id);
        }
        catch (ArgumentException)
        {
            // Not a contract id at all (the buyer's input): there is no such contract.
            return null;
        }
    }

    /// <summary>The contract <paramref name="id"/> sold to <paramref name="buyerPubKey"/>; a buyer asking about
    /// another's contract learns no more than about one that does not exist.</summary>
    public SoldContract SoldTo(string buyerPubKey, string id) =>
        Find(id) is { } contract && contract.BuyerPubKey == buyerPubKey
            ? contract
            : throw new ProtocolException(ProtocolErrorCode.UnknownContract, "No such contract with you.");

    /// <summary>The ids of the live contracts that need attention at <paramref name="now"/>, earliest first, found
    /// in the ordered index without looking at the others.</summary>
    public IReadOnlyList<string> DueAt(DateTimeOffset now)
    {
        var due = new List<string>();
        lock (_index)
        {
            foreach (var (at, id) in _attention)
            {
                if (at > now)
                {
                    break;
                }

                due.Add(id);
            }
        }

        return due;
    }

    /// <summary>Writes <paramref name="contract"/> (one file) and updates the index. A contract that has just
    /// finished gives its buyer address back to the pool and moves to the archive. Returns the contract as written.</summary>
    public SoldContract Save(SoldContract contract)
    {
        // The file first: when writing fails, memory still says what the store says.
        var saved = _shelf.Save(contract);
        SoldContract? previous;
        lock (_index)
        {
            previous = _live.GetValueOrDefault(saved.Id);
            if (previous is not null)
            {
                Remove(previous);
            }

            if (!saved.IsFinished)
            {
                Add(saved);
            }
        }

        if (previous is { HoldsAddress: true } && !saved.HoldsAddress && saved.BuyerTunnelAddress.Length > 0)
        {
            _pool.Release(IPAddress.Parse(saved.BuyerTunnelAddress));
        }

        if (saved.IsFinished)
        {
            ArchiveQuietly(saved.Id);
        }

        return saved;
    }

    private void Add(SoldContract contract)
    {
        _live[contract.Id] = contract;
        if (contract.State == SoldContractState.AwaitingPayment)
        {
            _unpaid[contract.Id] = contract;
        }

        Count(contract, +1);
        if (contract.AttentionDueAt is { } at)
        {
            _attention.Add((at, contract.Id));
        }
    }

    private void Remove(SoldContract contract)
    {
        _live.Remove(contract.Id);
        _unpaid.Remove(contract.Id);
        Count(contract, -1);
        if (contract.AttentionDueAt is { } at)
        {
            _attention.Remove((at, contract.Id));
        }
    }

    private void Count(SoldContract contract, int by)
    {
        switch (contract.State)
        {
            case SoldContractState.AwaitingPayment:
                _open += by;
                break;
            case SoldContractState.Active:
                _active += by;
                break;
        }
    }

    private void ArchiveQuietly(string id)
    {
        try
        {
            _shelf.Archive(id);
        }
        catch (IOException e)
        {
            // It is out of the index already; left in the live folder, it is archived on the next start.
            _log.Log(LogLevel.Warning, $"Contract {id} is finished but could not be archived: {e.Message}");
        }
    }

    // One unreadable file must not stop a seller serving every other contract; a person has to look at it.
    private void ReportUnreadable(CorruptContractException e) => _log.Log(LogLevel.Warning, e.Message);

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    // Ids compare ordinally: the default string comparer depends on the culture.
    private sealed class AttentionOrder : IComparer<(DateTimeOffset At, string Id)>
    {
        public static readonly AttentionOrder Instance = new();

        public int Compare((DateTimeOffset At, string Id) x, (DateTimeOffset At, string Id) y) =>
            x.At != y.At ? x.At.CompareTo(y.At) : string.CompareOrdinal(x.Id, y.Id);
    }
}
