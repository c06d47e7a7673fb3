using ImpVpn.Core.WireGuard.Devices;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>A device backend owning a fixed set of names, recording which calls reach it.</summary>
internal sealed class FakeDeviceBackend(WireGuardBackendKind kind, params string[] devices) : IDeviceBackend
{
    public List<string> Calls { get; } = [];

    public WireGuardBackendKind Kind => kind;

    public Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) => Task.FromResult(devices.Contains(name));

    public Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(devices);

    public Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken)
    {
        Calls.Add("get " + name);
        return Task.FromResult<WireGuardDevice?>(new WireGuardDevice(name, kind, null, 0, 0, []));
    }

    public Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        Calls.Add("configure " + name);
        return Task.CompletedTask;
    }
}
