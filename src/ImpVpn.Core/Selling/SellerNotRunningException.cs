namespace ImpVpn.Core.Selling;

/// <summary>No seller answers on a store's control socket: none runs there (or one runs without its socket).</summary>
public sealed class SellerNotRunningException(string storeRoot)
    : InvalidOperationException($"No seller is running on the store {storeRoot}.")
{
    public string StoreRoot { get; } = storeRoot;
}
