namespace ImpVpn.Core.Selling;

/// <summary>No contract with this id was sold from this store, live or archived.</summary>
public sealed class SoldContractNotFoundException(string id, string storeRoot)
    : Exception($"No contract {id} was sold from this machine (store: {storeRoot}).")
{
    public string Id { get; } = id;

    public string StoreRoot { get; } = storeRoot;
}
