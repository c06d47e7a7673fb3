using ImpVpn.Core.WireGuard.Devices.Uapi;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>A UAPI transport over a set of devices that tests add and remove (as wireguard-go starting and exiting
/// would). It records each request and answers every one with success; reading a device back is not supported.</summary>
internal sealed class FakeUapiTransport(params string[] devices) : IUapiTransport
{
    private readonly List<string> _devices = [.. devices];

    public List<string> Requests { get; } = [];

    public void Add(string device) => _devices.Add(device);

    public void Remove(string device) => _devices.Remove(device);

    public IReadOnlyList<string> ListDevices() => _devices.ToList();

    public bool Exists(string device) => _devices.Contains(device);

    public Task<string> ExchangeAsync(string device, string request, CancellationToken cancellationToken)
    {
        if (!Exists(device))
        {
            throw new WireGuardDeviceNotFoundException(device);
        }

        if (request == UapiCodec.GetRequest)
        {
            throw new NotSupportedException("This fake does not describe devices.");
        }

        Requests.Add(request);
        return Task.FromResult("errno=0\n\n");
    }
}
