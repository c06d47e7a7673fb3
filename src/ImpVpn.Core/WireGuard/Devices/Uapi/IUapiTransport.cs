namespace ImpVpn.Core.WireGuard.Devices.Uapi;

/// <summary>Carries one UAPI request to a device and returns the whole reply (up to the blank line that ends it).
/// A Unix socket on Linux/macOS, a named pipe on Windows: the text spoken over them is the same.</summary>
internal interface IUapiTransport
{
    /// <summary>Names of the devices that have a UAPI endpoint here.</summary>
    IReadOnlyList<string> ListDevices();

    bool Exists(string device);

    Task<string> ExchangeAsync(string device, string request, CancellationToken cancellationToken);
}
