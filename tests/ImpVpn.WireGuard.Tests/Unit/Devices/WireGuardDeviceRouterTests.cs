using ImpVpn.Core.WireGuard.Devices;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class WireGuardDeviceRouterTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Every_backends_devices_are_listed_once_in_order_of_name()
    {
        var router = new WireGuardDeviceRouter([
            new FakeDeviceBackend(WireGuardBackendKind.Userspace, "user0", "wg7"),
            new FakeDeviceBackend(WireGuardBackendKind.LinuxKernel, "wg7", "kern1"),
        ]);

        Assert.Equal(["kern1", "user0", "wg7"], await router.ListDevicesAsync(None));
    }

    [Fact]
    public async Task A_device_goes_to_the_first_backend_that_owns_it_and_to_no_other()
    {
        // wg(8) lists wireguard-go's devices too: the UAPI backend, asked first, keeps them.
        var userspace = new FakeDeviceBackend(WireGuardBackendKind.Userspace, "user0");
        var kernel = new FakeDeviceBackend(WireGuardBackendKind.LinuxKernel, "user0", "kern1");
        var router = new WireGuardDeviceRouter([userspace, kernel]);

        var user = await router.GetDeviceAsync("user0", None);
        await router.ConfigureDeviceAsync("user0", new DeviceConfig { ListenPort = 1 }, None);
        var kern = await router.GetDeviceAsync("kern1", None);
        await router.ConfigureDeviceAsync("kern1", new DeviceConfig { ListenPort = 1 }, None);

        Assert.Equal(WireGuardBackendKind.Userspace, user!.Backend);
        Assert.Equal(WireGuardBackendKind.LinuxKernel, kern!.Backend);
        Assert.Equal(["get user0", "configure user0"], userspace.Calls);
        Assert.Equal(["get kern1", "configure kern1"], kernel.Calls);
    }

    [Fact]
    public async Task A_device_no_backend_owns_reads_as_null_and_cannot_be_configured()
    {
        var backend = new FakeDeviceBackend(WireGuardBackendKind.Userspace, "user0");
        var router = new WireGuardDeviceRouter([backend]);

        Assert.Null(await router.GetDeviceAsync("gone0", None));
        var error = await Assert.ThrowsAsync<WireGuardDeviceNotFoundException>(
            () => router.ConfigureDeviceAsync("gone0", new DeviceConfig { ListenPort = 1 }, None));
        Assert.Equal("gone0", error.Device);
        Assert.Empty(backend.Calls);
    }
}
