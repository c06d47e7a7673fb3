using ImpVpn.Core.WireGuard;
using ImpVpn.Core.WireGuard.Keys;
using ImpVpn.Core.WireGuard.Uapi;
using ImpVpn.Core.WireGuard.Windows;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class WindowsBackendTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ivt-win-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, true);
        }
    }

    [Fact]
    public async Task Creating_a_tunnel_writes_its_conf_and_installs_it_as_a_tunnel_service()
    {
        var runner = new RecordingCommandRunner();
        var backend = new WindowsTunnelServiceBackend(runner, new NoPipes(), _folder, @"C:\Program Files\WireGuard\wireguard.exe");
        using var key = WireGuardPrivateKey.Generate();

        await backend.CreateInterfaceAsync("impvpn1", new InterfaceOptions
        {
            PrivateKey = key,
            Addresses = [IpPrefix.Parse("10.77.0.2/32")],
            Mtu = 1420,
        }, CancellationToken.None);

        var conf = Path.Combine(_folder, "impvpn1.conf");
        Assert.Equal([$@"C:\Program Files\WireGuard\wireguard.exe /installtunnelservice {conf}"], runner.Commands);
        var text = await File.ReadAllTextAsync(conf);
        Assert.Contains($"PrivateKey = {key.RevealBase64()}\n", text);
        Assert.Contains("Address = 10.77.0.2/32\n", text);
        Assert.Contains("MTU = 1420\n", text);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(conf));
        }
    }

    [Fact]
    public async Task Deleting_a_tunnel_uninstalls_its_service_and_removes_the_conf()
    {
        var runner = new RecordingCommandRunner();
        var backend = new WindowsTunnelServiceBackend(runner, new NoPipes(), _folder, "wireguard.exe");
        using var key = WireGuardPrivateKey.Generate();
        await backend.CreateInterfaceAsync("impvpn2", new InterfaceOptions { PrivateKey = key }, CancellationToken.None);

        await backend.DeleteInterfaceAsync("impvpn2", CancellationToken.None);

        Assert.Equal("wireguard.exe /uninstalltunnelservice impvpn2", runner.Commands[^1]);
        Assert.False(File.Exists(Path.Combine(_folder, "impvpn2.conf")));
    }

    private sealed class NoPipes : IUapiTransport
    {
        public IReadOnlyList<string> ListDevices() => [];

        public bool Exists(string device) => false;

        public Task<string> ExchangeAsync(string device, string request, CancellationToken cancellationToken) =>
            throw new WireGuardDeviceNotFoundException(device);
    }
}
