using ImpVpn.Core.Contracts;
using ImpVpn.Core.Store;

namespace ImpVpn.Core;

// TEMPORARY during the issue-9 restructure: lets code not yet moved to the per-role repositories run on the new
// layout. Deleted when Buying/ and Selling/ have replaced Buyer/ and Seller/.
public static class LegacyRecordShim
{
    private static string FolderOf(ContractRole role) => role == ContractRole.Buyer ? "bought" : "sold";

    public static void Save(this ContractStore store, ContractRecord contract) => store.Shelf<ContractRecord>(FolderOf(contract.Role)).Save(contract);

    public static ContractRecord? Find(this ContractStore store, string id) =>
        store.Shelf<ContractRecord>("bought").Find(id) ?? store.Shelf<ContractRecord>("sold").Find(id);

    public static IReadOnlyList<ContractRecord> All(this ContractStore store, Action<CorruptContractException>? onUnreadable = null) =>
        store.Shelf<ContractRecord>("bought").All(onUnreadable).Concat(store.Shelf<ContractRecord>("sold").All(onUnreadable)).OrderBy(c => c.CreatedAt).ToList();
}
