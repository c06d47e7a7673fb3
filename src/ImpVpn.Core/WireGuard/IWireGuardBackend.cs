namespace ImpVpn.Core.WireGuard;

/// <summary>One way of driving WireGuard devices. <see cref="WireGuardClient"/> asks each backend whether it owns
/// a device and sends the call there.</summary>
internal interface IWireGuardBackend : IWireGuardClient
{
    WireGuardBackendKind Kind { get; }

    Task<bool> OwnsAsync(string name, CancellationToken cancellationToken);
}
