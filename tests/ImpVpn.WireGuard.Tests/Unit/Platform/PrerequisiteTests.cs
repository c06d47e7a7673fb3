using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class PrerequisiteTests
{
    // CAP_NET_ADMIN is bit 12: 0x1000.
    private static string[] Status(string effective, string ambient) =>
        ["Name:\tpwsh", $"CapInh:\t{ambient}", "CapPrm:\t0000000000001000", $"CapEff:\t{effective}", "CapBnd:\t000001ffffffffff", $"CapAmb:\t{ambient}"];

    [Fact]
    public void Cap_net_admin_counts_only_when_the_tools_this_process_starts_inherit_it()
    {
        Assert.False(WireGuardPrerequisites.HasNetAdmin(Status("0000000000001000", "0000000000000000")));
        Assert.True(WireGuardPrerequisites.HasNetAdmin(Status("0000000000001000", "0000000000001000")));
        Assert.False(WireGuardPrerequisites.HasNetAdmin(Status("0000000000000000", "0000000000001000")));
        Assert.False(WireGuardPrerequisites.HasNetAdmin(["Name:\tpwsh"]));
    }

    [SkippableFact]
    public void A_tool_outside_path_is_found_in_the_sbin_folders_and_runs_from_there()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/sbin/ip"), "needs Linux with iproute2's /usr/sbin/ip");

        Assert.Equal("/usr/sbin/ip", SystemCommandLocator.Find("ip", searchPath: "/nonexistent"));
        Assert.Null(SystemCommandLocator.Find("no-such-tool-impvpn", searchPath: "/nonexistent"));
        Assert.Equal("/usr/sbin/ip", SystemCommandLocator.Find("/usr/sbin/ip", searchPath: string.Empty));
    }
}
