using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>What a seller's store holds on disk, read the way a person would look: live or archived.</summary>
internal static class SoldContractFiles
{
    public static ContractShelf<SoldContract> SoldShelf(this ContractStore store) => store.Shelf<SoldContract>("sold", "Seller");

    /// <summary>The contract as last written, wherever it lies now (a finished one is archived).</summary>
    public static SoldContract? SoldContract(this ContractStore store, string id) =>
        store.SoldShelf().Find(id) ?? store.SoldShelf().FindArchived(id);
}
