using ImpVpn.Core.WireGuard;
using ImpVpn.Core.WireGuard.Uapi;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>A UAPI transport that knows a fixed set of devices and cannot talk to any of them.</summary>
internal sealed class FakeUapiTransport(params string[] devices) : IUapiTransport
{
    public IReadOnlyList<string> ListDevices() => devices;

    public bool Exists(string device) => devices.Contains(device);

    public Task<string> ExchangeAsync(string device, string request, CancellationToken cancellationToken) =>
        throw new WireGuardDeviceNotFoundException(device);
}
