namespace ImpVpn.Core.Buying;

/// <summary>No contract with this id was bought on this machine (in this store).</summary>
public sealed class ContractNotFoundException(string id, string storeRoot)
    : Exception($"No contract {id} was bought from this machine (store: {storeRoot}).")
{
    public string Id { get; } = id;

    public string StoreRoot { get; } = storeRoot;
}
