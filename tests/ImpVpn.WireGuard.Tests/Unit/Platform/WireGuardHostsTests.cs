using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class WireGuardHostsTests
{
    [SkippableFact]
    public async Task This_linux_machine_gets_a_host_whose_devices_can_be_listed_without_privileges()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the Linux composition");

        var host = WireGuardHosts.ForThisMachine(preferKernel: false);

        // Listing reads the UAPI socket folder (and runs wg only where the kernel module is loaded).
        Assert.NotNull(await host.Devices.ListDevicesAsync(CancellationToken.None));
    }

    [Fact]
    public void Where_no_interfaces_can_be_made_the_error_says_that_config_only_purchases_work()
    {
        var error = new WireGuardPlatformNotSupportedException("macOS");

        Assert.IsAssignableFrom<PlatformNotSupportedException>(error);
        Assert.Contains("macOS", error.Message);
        Assert.Contains("only config-only purchases work there", error.Message);
        // Core messages state facts; the cmdlet layer (ErrorRecords) names -ConfigOnly in its remedy.
        Assert.DoesNotContain("-ConfigOnly", error.Message);
    }
}
