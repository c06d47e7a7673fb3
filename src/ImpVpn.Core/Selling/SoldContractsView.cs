using ImpVpn.Core.Store;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The seller's contracts as an operator looks at them, from any process: read from the files, never taking the
/// seller's role or the store's lock, so it works while a seller runs elsewhere on the same store. The seller
/// replaces each file atomically (rename over) and archives by moving it, so a read sees one whole version; a file
/// archived between listing and reading is found in the archive, which is listed after the live folder (and wins
/// when a contract is seen in both). Schema-1 files left in <c>contracts/</c> are not moved (only a seller does
/// that) and not shown until a seller has moved them.
/// </summary>
public sealed class SoldContractsView
{
    private readonly ContractShelf<SoldContract> _shelf;

    public SoldContractsView(ContractStore store)
    {
        Store = store;
        _shelf = store.Shelf<SoldContract>("sold", "Seller", moveSchema1Files: false);
    }

    public ContractStore Store { get; }

    /// <summary>The live contracts, and the archived ones too when <paramref name="includeArchived"/>; files that are
    /// not contracts are reported to <paramref name="onUnreadable"/> and skipped.</summary>
    public IReadOnlyList<SoldContract> All(bool includeArchived, Action<CorruptContractException> onUnreadable)
    {
        var byId = new Dictionary<string, SoldContract>(StringComparer.Ordinal);
        foreach (var contract in _shelf.All(onUnreadable))
        {
            byId[contract.Id] = contract;
        }

        if (includeArchived)
        {
            foreach (var contract in _shelf.Archived(onUnreadable))
            {
                byId[contract.Id] = contract;
            }
        }

        return byId.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>One contract, live or archived, or null when this store sold none with that id.</summary>
    public SoldContract? Find(string id)
    {
        if (!ContractId.IsValid(id))
        {
            return null;
        }

        // Live first, then the archive: a contract archived in between is found there.
        return ReadQuietly(() => _shelf.Find(id)) ?? ReadQuietly(() => _shelf.FindArchived(id));
    }

    private static SoldContract? ReadQuietly(Func<SoldContract?> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
